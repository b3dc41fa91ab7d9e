@main
struct Passerelle {
    static func main() {}
}
