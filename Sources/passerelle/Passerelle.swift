import ArgumentParser

@main
struct Passerelle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passerelle",
        abstract: "An OGC map service gateway: WMS, WFS, WMTS and TMS from a hot-reloaded config directory.",
        subcommands: [Serve.self, CheckConfig.self, HashKey.self, Import.self, Publish.self, Unpublish.self, PyramidCommand.self],
        defaultSubcommand: Serve.self
    )
}
