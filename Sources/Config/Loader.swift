import Foundation

/// Reads a config directory into a `ConfigSnapshot`.
///
/// Each object is one JSON file (`endpoints/`, `stored_data/`, `configurations/`, `offerings/`), its id being
/// the file name without `.json`. A file that does not parse or validate is reported as a `ConfigIssue`; if
/// the previous snapshot had a good version of that object, that version keeps serving.
public struct ConfigLoader: Sendable {
    public var directory: URL
    public var validator: any ConfigValidator
    /// Files parsed at earlier loads, by path and signature: a reload reads and decodes only what changed.
    let parsed = ParsedFileCache()

    public init(directory: URL, validator: any ConfigValidator = NoValidator()) {
        self.directory = directory.standardizedFileURL
        self.validator = validator
    }

    public static let folders = ["endpoints", "stored_data", "configurations", "offerings", "permissions", "keys"]

    /// Loads the directory. `previous` supplies the last good versions of objects that now fail; `signatures`, the
    /// files' signatures as the watcher just read them (absolute paths), saves a `stat` per file.
    /// `checkAll`: check every configuration against the outside world again, changed or not (`kill -HUP`).
    public func load(previous: ConfigSnapshot? = nil, signatures: [String: FileSignature] = [:], checkAll: Bool = false) async -> ConfigSnapshot {
        var issues: [ConfigIssue] = []
        var hashes: [String: String] = [:]

        // server.json
        var settings = ServerSettings()
        let settingsURL = directory.appendingPathComponent("server.json")
        if let data = try? Data(contentsOf: settingsURL) {
            hashes["server.json"] = Self.hash(data)
            do { settings = try JSONDecoder().decode(ServerSettings.self, from: data) } catch {
                issues.append(Self.issue(for: error, file: "server.json", stale: previous != nil))
                settings = previous?.settings ?? ServerSettings()
            }
        }
        var snap = ConfigSnapshot(directory: directory, settings: settings)
        snap.stylesDirectory = resolveDir(settings.stylesDir, defaults: ["../styles", "styles"])
        snap.tileMatrixSetsDirectory = resolveDir(settings.tileMatrixSetsDir, defaults: ["tilematrixsets", "../tilematrixsets"])

        // 1. Parse every file; on failure fall back to the previous version.
        var skipped: [ConfigIssue] = []
        var skippedIDs: Set<String> = []   // endpoints and configurations of unserved types
        let served = Set(ServiceType.allCases.map(\.rawValue))
        let endpoints: [String: Candidate<Endpoint>] = parseFolder("endpoints", previous: previous?.endpoints, signatures: signatures, issues: &issues, hashes: &hashes, skipped: &skipped, skippedIDs: &skippedIDs, servedTypes: served) { e, id in e.id = id }
        let stored: [String: Candidate<StoredData>] = parseFolder("stored_data", previous: previous?.storedData, signatures: signatures, issues: &issues, hashes: &hashes, skipped: &skipped, skippedIDs: &skippedIDs) { s, id in s.id = id }
        let configs: [String: Candidate<Configuration>] = parseFolder("configurations", previous: previous?.configurations, signatures: signatures, issues: &issues, hashes: &hashes, skipped: &skipped, skippedIDs: &skippedIDs, servedTypes: served) { c, id in c.id = id }
        let offerings: [String: Candidate<Offering>] = parseFolder("offerings", previous: previous?.offerings, signatures: signatures, issues: &issues, hashes: &hashes, skipped: &skipped, skippedIDs: &skippedIDs) { o, id in o.id = id }
        let permissions: [String: Candidate<Permission>] = parseFolder("permissions", previous: previous?.permissions, signatures: signatures, issues: &issues, hashes: &hashes, skipped: &skipped, skippedIDs: &skippedIDs) { p, id in p.id = id }
        let previousKeys = Dictionary(previous?.keys.keys.map { ($0.id, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        let keys: [String: Candidate<APIKey>] = parseFolder("keys", previous: previousKeys, signatures: signatures, issues: &issues, hashes: &hashes, skipped: &skipped, skippedIDs: &skippedIDs) { k, id in k.id = id }
        snap.fileHashes = hashes

        // 2. Endpoints: structure, and no two claiming the same path.
        var pathOwner: [String: String] = [:]
        for id in endpoints.keys.sorted() {
            if let e = await pick(endpoints[id]!, issues: &issues, check: { e, f in
                var out = StructuralChecks.check(endpoint: e, file: f)
                for (i, u) in e.urls.enumerated() {
                    if let other = pathOwner[u.path], other != id {
                        out.append(ConfigIssue(file: f, path: "$.urls[\(i)].url", message: "path \(u.path) is already used by endpoint \(other)"))
                    }
                }
                return out
            }) {
                for u in e.urls { pathOwner[u.path] = id }
                snap.endpoints[id] = e
            }
        }

        // 3. Stored data: structure, paths resolved, then the outside world.
        for id in stored.keys.sorted() {
            var cands = stored[id]!
            // References may not climb out of the config directory: checked on the path as written.
            var climbs: [Bool] = []
            cands.versions = cands.versions.map { v in
                var v = v
                climbs.append(v.value.storage.path.map(Self.climbsOut) ?? false)
                v.value = resolvePaths(v.value)
                return v
            }
            var attempt = 0
            if let s = await pick(cands, issues: &issues, check: { s, f in
                defer { attempt += 1 }
                if climbs[attempt] {
                    return [ConfigIssue(file: f, path: "$.storage.path", message: "a relative path may not contain '..'")]
                }
                let structural = StructuralChecks.check(storedData: s, file: f)
                if !structural.isEmpty { return structural }
                return await validator.validate(storedData: s, snapshot: snap).map { var i = $0; i.file = f; return i }
            }) {
                snap.storedData[id] = s
            }
        }

        // 4. Configurations: structure and references, then the outside world (tables, styles).
        let revalidate = checkAll || Self.supportFilesChanged(previous: previous, signatures: signatures, snapshot: snap)
        // Gathered apart and stored once: each check closure holds a copy of `snap`, so inserting into
        // `snap.configurations` in this loop copied the whole dictionary every time (quadratic: half of the
        // start-up with 10,000 offerings). The checks read the stored data, not the other configurations.
        var accepted: [String: Configuration] = [:]
        accepted.reserveCapacity(configs.count)
        for id in configs.keys.sorted() {
            if let c = await pick(configs[id]!, issues: &issues, check: { c, f in
                let structural = StructuralChecks.check(configuration: c, file: f, storedData: snap.storedData)
                if !structural.isEmpty { return structural }
                if !revalidate, let previous, Self.servedUnchanged(c, previous: previous, now: snap) { return [] }
                return await validator.validate(configuration: c, snapshot: snap).map { var i = $0; i.file = f; return i }
            }) {
                accepted[id] = c
            }
        }
        snap.configurations = accepted

        // 5. Offerings: references, type match, one layer name per endpoint.
        var layerOwner: [String: String] = [:]   // endpoint + layer name → offering id
        var offered: [String: Offering] = [:]     // stored once, as the configurations above
        offered.reserveCapacity(offerings.count)
        for id in offerings.keys.sorted() {
            var cands = offerings[id]!
            cands.versions = cands.versions.map { v in
                var v = v
                v.value.configuration = Self.resolve(v.value.configuration, in: snap.configurations) { [$0.name, $0.layerName] }
                v.value.endpoint = Self.resolve(v.value.endpoint, in: snap.endpoints) { [$0.technicalName, $0.name].compactMap { $0 } }
                return v
            }
            // An offering of a skipped configuration or on a skipped endpoint is skipped with it.
            if let o = cands.versions.first?.value, skippedIDs.contains(o.configuration) || skippedIDs.contains(o.endpoint) {
                skipped.append(ConfigIssue(file: cands.versions[0].file, message: "\(id): offers \(o.configuration) on \(o.endpoint), which are not served here, skipped"))
                continue
            }
            if let o = await pick(cands, issues: &issues, check: { o, f in
                var out: [ConfigIssue] = []
                guard let c = snap.configurations[o.configuration] else {
                    return [ConfigIssue(file: f, path: "$.configuration", message: "unknown or invalid configuration \(o.configuration)")]
                }
                guard let e = snap.endpoints[o.endpoint] else {
                    return [ConfigIssue(file: f, path: "$.endpoint", message: "unknown or invalid endpoint \(o.endpoint)")]
                }
                // A WMS endpoint publishes both kinds of WMS layer (one GetMap may draw a pyramid under tables).
                let wms: Set<ServiceType> = [.wmsVector, .wmsRaster]
                if c.type != e.type && !(wms.contains(c.type) && wms.contains(e.type)) {
                    out.append(ConfigIssue(file: f, path: "$.endpoint", message: "a \(c.type.rawValue) configuration cannot be offered on a \(e.type.rawValue) endpoint"))
                }
                if !o.open && e.open {
                    out.append(ConfigIssue(file: f, path: "$.open", message: "a restricted offering (open: false) must be on a private endpoint (open: false)"))
                }
                let key = o.endpoint + "\u{0}" + c.layerName
                if let other = layerOwner[key], other != id {
                    out.append(ConfigIssue(file: f, path: "$.configuration", message: "layer \(c.layerName) is already offered on endpoint \(o.endpoint) by offering \(other)"))
                }
                return out
            }) {
                layerOwner[o.endpoint + "\u{0}" + snap.configurations[o.configuration]!.layerName] = id
                offered[id] = o
            }
        }
        snap.offerings = offered

        // 6. Permissions and keys (references to offerings are checked at use: a permission may outlive one).
        for id in permissions.keys.sorted() {
            if let p = await pick(permissions[id]!, issues: &issues, check: { _, _ in [] }) {
                snap.permissions[id] = p
            }
        }
        var ring: [APIKey] = []
        for id in keys.keys.sorted() {
            if let k = await pick(keys[id]!, issues: &issues, check: { k, f in
                if k.typeInfos.hash != nil {
                    return [ConfigIssue(file: f, path: "$.type_infos.hash", message: "keys are stored hashed: put the SHA-256 of the key in type_infos.hash_sha256 (passerelle hash-key KEY)")]
                }
                guard let h = k.typeInfos.hashSHA256, hexBytes(h)?.count == 32 else {
                    return [ConfigIssue(file: f, path: "$.type_infos.hash_sha256", message: "hash_sha256 must be 64 hexadecimal digits")]
                }
                return k.accesses.enumerated().compactMap { i, a in
                    snap.permissions[a.permission] == nil
                        ? ConfigIssue(file: f, path: "$.accesses[\(i)].permission", message: "unknown permission \(a.permission)") : nil
                }
            }) {
                ring.append(k)
            }
        }
        snap.keys = KeyRing(ring)

        snap.issues = issues
        snap.skipped = skipped
        snap.generation = (previous?.generation ?? 0) + 1
        snap.loadedAt = Date()
        return snap
    }

    // MARK: - Parsing

    struct Version<T> {
        var value: T
        var file: String
        var isPrevious: Bool
    }

    /// The versions of one object to try, newest first: the file as it is now (if it parsed), then the
    /// previous good version (if any and different).
    struct Candidate<T> {
        var versions: [Version<T>]
    }

    /// Parses `folder/*.json`. A file holds one object (its id: the file name) or, as the platform's listings,
    /// an array of objects (each by its `_id`, else `technical_name`, else `<file>-<n>`). With `servedTypes`, an
    /// object whose `type` is not one of them is skipped (reported in `skipped`, not as an error).
    private func parseFolder<T: Decodable & Equatable>(
        _ folder: String, previous: [String: T]?, signatures: [String: FileSignature], issues: inout [ConfigIssue],
        hashes: inout [String: String],
        skipped: inout [ConfigIssue], skippedIDs: inout Set<String>, servedTypes: Set<String>? = nil,
        setID: (inout T, String) -> Void
    ) -> [String: Candidate<T>] {
        var out: [String: Candidate<T>] = [:]
        let dir = directory.appendingPathComponent(folder)
        let dirPath = dir.path
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        } catch {
            // A folder that cannot be listed (an unmounted or failing disk, a permission change) is not a
            // folder that was emptied: what it held keeps serving.
            if FileManager.default.fileExists(atPath: dir.path) || !(previous ?? [:]).isEmpty {
                if let previous, !previous.isEmpty {
                    issues.append(ConfigIssue(file: folder, message: "cannot list the folder: \(error.localizedDescription)", stale: true))
                    for (id, p) in previous {
                        out[id] = Candidate(versions: [Version(value: p, file: folder + "/" + id + ".json", isPrevious: true)])
                    }
                } else if FileManager.default.fileExists(atPath: dir.path) {
                    issues.append(ConfigIssue(file: folder, message: "cannot list the folder: \(error.localizedDescription)"))
                }
            }
            return out
        }
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let id = String(name.dropLast(5))
            let rel = folder + "/" + name
            let path = dirPath + "/" + name
            let signature = signatures[path] ?? FileSignature(path: path)
            let file: FileParse<T>
            if let signature, let hit = parsed.get(rel, signature) as? FileParse<T> {
                file = hit
            } else if let data = FileManager.default.contents(atPath: path) {
                file = Self.parse(data, id: id, rel: rel, servedTypes: servedTypes, setID: setID)
                if let signature { parsed.put(rel, signature, file) }
            } else {
                issues.append(ConfigIssue(file: rel, message: "cannot read the file", stale: previous?[id] != nil))
                if let p = previous?[id] { out[id] = Candidate(versions: [Version(value: p, file: rel, isPrevious: true)]) }
                continue
            }
            hashes[rel] = file.hash
            for (skippedID, issue) in file.skipped {
                skipped.append(issue)
                skippedIDs.insert(skippedID)
            }
            for (objectID, result) in file.objects {
                let old = previous?[objectID]
                switch result {
                case .object(let v):
                    // An object of a listing keeps its previous version as a fallback; a file's own object only
                    // when it differs.
                    var versions = [Version(value: v, file: rel, isPrevious: false)]
                    if let old, file.isListing || old != v { versions.append(Version(value: old, file: rel, isPrevious: true)) }
                    out[objectID] = Candidate(versions: versions)
                case .issue(var issue):
                    issue.stale = old != nil
                    issues.append(issue)
                    if let old { out[objectID] = Candidate(versions: [Version(value: old, file: rel, isPrevious: true)]) }
                }
            }
        }
        return out
    }

    /// What one file holds: its objects (or why each does not decode) and those of types not served here.
    /// Depends on the file's bytes alone, so it is kept while the file does not change (`ParsedFileCache`).
    static func parse<T: Decodable>(_ data: Data, id: String, rel: String, servedTypes: Set<String>?,
                                    setID: (inout T, String) -> Void) -> FileParse<T> {
        var file = FileParse<T>(hash: hash(data))
        let json = try? JSONSerialization.jsonObject(with: data)
        if let list = json as? [Any] {
            file.isListing = true
            for (n, element) in list.enumerated() {
                let object = element as? [String: Any]
                let elementID = (object?["_id"] as? String) ?? (object?["technical_name"] as? String) ?? "\(id)-\(n + 1)"
                if let type = object?["type"] as? String, let served = servedTypes, !served.contains(type) {
                    file.skipped.append((elementID, ConfigIssue(file: rel, path: "$[\(n)].type",
                                                               message: "\(elementID): type \(type) is not served here, skipped")))
                    continue
                }
                do {
                    var v = try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: element))
                    setID(&v, elementID)
                    file.objects.append((elementID, .object(v)))
                } catch {
                    var issue = Self.issue(for: error, file: rel, stale: false)
                    issue.path = "$[\(n)]" + issue.path.dropFirst()
                    file.objects.append((elementID, .issue(issue)))
                }
            }
            return file
        }
        if let type = (json as? [String: Any])?["type"] as? String, let served = servedTypes, !served.contains(type) {
            file.skipped.append((id, ConfigIssue(file: rel, path: "$.type", message: "type \(type) is not served here, skipped")))
            return file
        }
        do {
            var v = try JSONDecoder().decode(T.self, from: data)
            setID(&v, id)
            file.objects.append((id, .object(v)))
        } catch {
            var issue = Self.issue(for: error, file: rel, stale: false)
            if json == nil {
                // Not JSON at all: say where the syntax breaks.
                do { _ = try JSONSerialization.jsonObject(with: data) } catch {
                    issue.message = "invalid JSON: " + ((error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)")
                }
            }
            file.objects.append((id, .issue(issue)))
        }
        return file
    }

    /// The first version that passes `check`; the problems of the current version are reported, and marked
    /// stale when the previous version serves instead.
    private func pick<T>(_ c: Candidate<T>, issues: inout [ConfigIssue],
                         check: (T, String) async -> [ConfigIssue]) async -> T? {
        for v in c.versions {
            let problems = await check(v.value, v.file)
            if problems.isEmpty {
                if v.isPrevious { for i in issues.indices where issues[i].file == v.file { issues[i].stale = true } }
                return v.value
            }
            if !v.isPrevious { issues.append(contentsOf: problems.map { var p = $0; p.stale = c.versions.count > 1; return p }) }
        }
        return nil
    }

    /// A reference to an object: its id, else the id of the one object that has that name (the platform's API
    /// documents refer by `_id`, which is the file name here, and its tutorials by name).
    static func resolve<T>(_ ref: String, in objects: [String: T], names: (T) -> [String]) -> String {
        if objects[ref] != nil { return ref }
        let matches = objects.filter { names($0.value).contains(ref) }.map(\.key)
        return matches.count == 1 ? matches[0] : ref
    }

    // MARK: - Paths

    private func resolveDir(_ configured: String?, defaults: [String]) -> URL {
        if let c = configured { return resolve(c) }
        for d in defaults {
            let u = resolve(d)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), isDir.boolValue { return u }
        }
        return resolve(defaults[0])
    }

    static func climbsOut(_ path: String) -> Bool {
        !path.hasPrefix("/") && !isURL(path) && path.split(separator: "/").contains("..")
    }

    /// `s3://…` and other `scheme://` paths name objects, not files: they are not resolved against the directory.
    static func isURL(_ path: String) -> Bool { path.hasPrefix("s3://") }

    func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path).standardizedFileURL
            : directory.appendingPathComponent(path).standardizedFileURL
    }

    private func resolvePaths(_ s: StoredData) -> StoredData {
        var s = s
        if let p = s.storage.path, !Self.isURL(p) { s.storage.path = resolve(p).path }
        return s
    }

    // MARK: - Errors

    static func issue(for error: any Error, file: String, stale: Bool) -> ConfigIssue {
        func path(_ keys: [any CodingKey]) -> String {
            var s = "$"
            for k in keys {
                if let i = k.intValue { s += "[\(i)]" } else { s += "." + k.stringValue }
            }
            return s
        }
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return ConfigIssue(file: file, path: path(ctx.codingPath + [key]), message: "missing field \(key.stringValue)", stale: stale)
        case DecodingError.typeMismatch(let type, let ctx):
            return ConfigIssue(file: file, path: path(ctx.codingPath), message: "expected \(type): \(ctx.debugDescription)", stale: stale)
        case DecodingError.valueNotFound(_, let ctx):
            return ConfigIssue(file: file, path: path(ctx.codingPath), message: "missing value: \(ctx.debugDescription)", stale: stale)
        case DecodingError.dataCorrupted(let ctx):
            var message = ctx.debugDescription
            if let u = ctx.underlyingError {
                let detail = ((u as NSError).userInfo["NSDebugDescription"] as? String) ?? "\(u)"
                message += " " + detail
            }
            return ConfigIssue(file: file, path: path(ctx.codingPath), message: message, stale: stale)
        default:
            return ConfigIssue(file: file, message: "\(error)", stale: stale)
        }
    }

    static func hash(_ data: Data) -> String {
        // FNV-1a 64: enough to tell whether a file changed.
        var h: UInt64 = 0xcbf29ce484222325
        for b in data { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return String(h, radix: 16) + ":" + String(data.count)
    }
}

/// What one config file holds, as `ConfigLoader.parse` read it.
struct FileParse<T> {
    var hash: String
    var isListing = false
    var objects: [(id: String, result: Outcome)] = []

    enum Outcome {
        case object(T)
        case issue(ConfigIssue)
    }
    var skipped: [(id: String, issue: ConfigIssue)] = []
}

/// Parsed config files by path, kept while their signature (size, time, inode) stays the same.
final class ParsedFileCache: @unchecked Sendable {
    // Guarded by `lock`; values are `FileParse<T>` of the folder's object type.
    private let lock = NSLock()
    private var entries: [String: (signature: FileSignature, parse: Any)] = [:]

    func get(_ rel: String, _ signature: FileSignature) -> Any? {
        lock.withLock { entries[rel].flatMap { $0.signature == signature ? $0.parse : nil } }
    }

    func put(_ rel: String, _ signature: FileSignature, _ parse: Any) {
        lock.withLock { entries[rel] = (signature, parse) }
    }
}

// MARK: validation reused across reloads

extension ConfigLoader {
    /// The folders of config objects: a change in them is seen object by object. Anything else the watcher sees
    /// (server.json, the styles) may change what any configuration reads.
    static let objectFolders = ["endpoints", "stored_data", "configurations", "offerings", "permissions", "keys"]

    /// Whether a file outside the object folders changed since `previous` was loaded (always true on a first load,
    /// or when the signatures are not known).
    static func supportFilesChanged(previous: ConfigSnapshot?, signatures: [String: FileSignature], snapshot: ConfigSnapshot) -> Bool {
        guard let previous, !previous.fingerprint.isEmpty, !signatures.isEmpty else { return true }
        let objects = objectFolders.map { snapshot.directory.appendingPathComponent($0).path + "/" }
        let isSupport = { (path: String) in !objects.contains { path.hasPrefix($0) } }
        let before = previous.fingerprint.filter { isSupport($0.key) }
        let now = signatures.filter { isSupport($0.key) }
        return before != now
    }

    /// Whether `c` is served by `previous` exactly as it is now, with the same stored data: its checks against
    /// the outside world (tables, styles, pyramids) passed then, and are not run again for a reload that did not
    /// touch it. With 10,000 offerings this is what makes a one-file edit cost one file.
    static func servedUnchanged(_ c: Configuration, previous: ConfigSnapshot, now: ConfigSnapshot) -> Bool {
        guard previous.configurations[c.id] == c else { return false }
        return c.typeInfos.usedData.allSatisfy { previous.storedData[$0.storedData] == now.storedData[$0.storedData] }
    }
}
