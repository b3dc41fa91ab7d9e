import Config
import Filters
import Hummingbird
import OGCCore
import ServiceKit
import VectorData

/// A planned query with its source and its page window.
struct PagedQuery: Sendable {
    var plan: PlannedQuery
    var source: any VectorSource
    var matched: Int
    var offset: Int
    var limit: Int
}

extension WFSService {
    /// How many bytes of a GetFeature answer are gathered before they are handed to the connection.
    static let responsePieceSize = 64 * 1024

    /// Plans every query, counts, and computes each one's page window. Everything the client can get wrong
    /// is found here, before any byte is written. With `deferCount` (one query) nothing is counted: the page
    /// is `count` features from `startIndex`, and `matched` is -1 (found after streaming, see `getFeature`).
    func prepare(_ req: GetFeatureRequest, _ context: ServiceContext, deferCount: Bool = false) async throws
        -> (pages: [PagedQuery], matched: Int, count: Int) {
        var plans: [(PlannedQuery, any VectorSource)] = []
        for spec in req.queries {
            let source = try await source(for: spec.type)
            let schema = try await schemas.schema(for: spec.type, source: source, generation: context.snapshot.generation)
            plans.append((try QueryPlanner.plan(spec, schema: schema, format: req.outputFormat, limits: context.limits), source))
        }
        let ti = req.queries[0].type.configuration.typeInfos
        let maxCount = max(1, ti.maxCount ?? context.limits.maxFeatures)
        let count = min(req.count ?? ti.defaultCount ?? context.limits.defaultFeatures, maxCount)
        var pages: [PagedQuery] = []
        if deferCount, plans.count == 1 {
            return ([PagedQuery(plan: plans[0].0, source: plans[0].1, matched: -1, offset: req.startIndex, limit: count)], -1, count)
        }
        var before = 0
        let end = req.startIndex + count
        for (plan, source) in plans {
            let matched = try await dataCall { try await source.count(plan.query) }
            let localStart = max(0, req.startIndex - before)
            let localEnd = min(matched, max(0, end - before))
            pages.append(PagedQuery(plan: plan, source: source, matched: matched, offset: localStart, limit: max(0, localEnd - localStart)))
            before += matched
        }
        return (pages, before, count)
    }

    func getFeature(_ req: GetFeatureRequest, _ request: OGCRequest, _ context: ServiceContext) async throws -> Response {
        // GeoJSON writes numberMatched after the features: a single query is not counted first. When the page
        // comes back short, what was streamed is all there is; only a full page needs a count.
        let deferCount = req.outputFormat == .geoJSON && req.queries.count == 1 && req.resultType == .results && !req.singleFeature
        // GML writes numberMatched and numberReturned before the features: a single query is counted by the
        // store in the query itself (a window count), not by a second query that filters the same rows again.
        let countInQuery = (req.outputFormat == .gml32 || req.outputFormat == .gml311) && req.queries.count == 1
            && req.resultType == .results && !req.singleFeature
        let prepared = try await prepare(req, context, deferCount: deferCount || countInQuery)
        var pages = prepared.pages, matched = prepared.matched
        let count = prepared.count
        var firstCursor: (any FeatureCursor)? = nil
        var firstBatch: [Feature]? = nil
        if countInQuery, let p = pages.first {
            if p.source.countsMatchedInQuery {
                var q = p.plan.query
                q.offset = p.offset; q.limit = p.limit; q.countMatched = true
                let c = try await dataCall { try await p.source.open(q) }
                firstCursor = c
                firstBatch = try await dataCall { try await c.next() }
                if let m = c.matchedCount {
                    matched = m
                } else if firstBatch == nil && req.startIndex == 0 && p.limit > 0 {
                    matched = 0
                } else {
                    matched = try await dataCall { try await p.source.count(p.plan.query) }
                }
            } else {
                matched = try await dataCall { try await p.source.count(p.plan.query) }
            }
            pages[0].matched = matched
            pages[0].limit = max(0, min(count, matched - req.startIndex))
            if pages[0].limit == 0, let c = firstCursor {
                await c.close()
                firstCursor = nil; firstBatch = nil
            }
        }
        let returned = pages.reduce(0) { $0 + $1.limit }
        var info = CollectionInfo(version: req.version, numberMatched: matched, numberReturned: req.resultType == .hits ? 0 : returned)
        info.hits = req.resultType == .hits
        var seen = Set<String>()
        for p in pages where seen.insert(p.plan.type.prefix).inserted {
            info.namespaces.append((p.plan.type.prefix, p.plan.type.namespaceURI))
            let names = pages.filter { $0.plan.type.prefix == p.plan.type.prefix }.map(\.plan.type.qualifiedName)
            info.schemaLocations.append(p.plan.type.namespaceURI + " " + describeURL(request, names, req.version))
        }
        let service = self, startOfNext = req.startIndex + count, isKVP = req.isKVP
        let nextURL: @Sendable () -> String? = { isKVP ? service.pageURL(request, start: startOfNext, count: count) : nil }
        if req.isKVP && req.resultType == .results {
            if matched >= 0 && req.startIndex + returned < matched { info.next = nextURL() }
            if req.startIndex > 0 { info.previous = pageURL(request, start: max(0, req.startIndex - count), count: count) }
        }

        let encoder: any FeatureEncoder
        switch req.outputFormat {
        case .gml32, .gml311: encoder = GMLEncoder(version: req.version)
        case .geoJSON:
            var e = GeoJSONEncoder()
            if let s = pages.first?.plan, s.outputSRID != 4326 || (s.outputCRS.epsgCode != 4326 && !s.outputCRS.isCRS84) {
                e.crsName = s.outputCRS.urn
            }
            encoder = e
        case .csv:
            let p = pages[0].plan
            encoder = CSVEncoder(fields: p.fields, geometryColumn: p.includeGeometry ? p.schema.table.geometryColumn : nil)
        }
        let contentType = req.outputFormat.contentType
        if req.resultType == .hits {
            var out: [UInt8] = []
            encoder.begin(info, to: &out)
            encoder.end(info, returned: 0, to: &out)
            return Response.bytes(out, contentType: contentType)
        }

        if req.singleFeature {
            return try await singleFeature(pages, req, encoder: encoder, contentType: contentType)
        }

        // Open the first cursor and fetch its first batch now: a failing query is still an exception report.
        let active = pages.filter { $0.limit > 0 }
        if firstCursor == nil, let p = active.first {
            var q = p.plan.query
            q.offset = p.offset; q.limit = p.limit
            let c = try await dataCall { try await p.source.open(q) }
            firstCursor = c
            firstBatch = try await dataCall { try await c.next() }
        }
        let startCursor = firstCursor.map(SendableBox.init)
        let startBatch = firstBatch
        let collection = info
        let startIndex = req.startIndex
        let body = ResponseBody { writer in
            var out: [UInt8] = []
            out.reserveCapacity(Self.responsePieceSize + 16 * 1024)
            encoder.begin(collection, to: &out)
            var written = 0
            for (i, p) in active.enumerated() {
                let cursor: any FeatureCursor
                var pending: [Feature]?
                if i == 0, let c = startCursor?.value {
                    cursor = c; pending = startBatch
                } else {
                    var q = p.plan.query
                    q.offset = p.offset; q.limit = p.limit
                    cursor = try await p.source.open(q)
                    pending = try await cursor.next()
                }
                let plan = p.plan
                let typeEncoder = encoder.prepared(for: plan)
                do {
                    while let batch = pending {
                        for f in batch {
                            try typeEncoder.feature(f, plan, first: written == 0, to: &out)
                            written += 1
                            // Sent in pieces of about 32 KiB, checked after every feature: a batch of 500
                            // features is 0.7 MB of GML, and buffers that large were each a fresh mapping of
                            // the allocator (page faults were 8% of the GML path) besides holding more memory.
                            if out.count >= Self.responsePieceSize {
                                try await writer.write(ByteBuffer(bytes: out))
                                out.removeAll(keepingCapacity: true)
                            }
                        }
                        pending = try await cursor.next()
                    }
                } catch {
                    await cursor.close()
                    throw error
                }
            }
            var final = collection
            if deferCount {
                final.numberReturned = written
                if written < count && (written > 0 || startIndex == 0) {
                    final.numberMatched = startIndex + written
                } else if let p = active.first {
                    // A full page (or one past the end): count now; if the count fails, numberMatched is left out.
                    final.numberMatched = (try? await p.source.count(p.plan.query)) ?? -1
                }
                if final.numberMatched < 0 ? written == count : startIndex + written < final.numberMatched {
                    final.next = nextURL()
                }
            }
            encoder.end(final, returned: written, to: &out)
            try await writer.write(ByteBuffer(bytes: out))
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if req.outputFormat == .csv { headers[.init("Content-Disposition")!] = "attachment; filename=\"\(pages[0].plan.type.localName).csv\"" }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// GetFeatureById: the feature alone (GML) or as a GeoJSON Feature; NotFound when absent.
    func singleFeature(_ pages: [PagedQuery], _ req: GetFeatureRequest, encoder: any FeatureEncoder, contentType: String) async throws -> Response {
        for p in pages where p.matched > 0 {
            var q = p.plan.query
            q.limit = 1
            let features = try await dataCall { try await p.source.collect(q) }
            guard let f = features.first else { continue }
            var out: [UInt8] = []
            if let gml = encoder as? GMLEncoder {
                out.put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                try gml.bare(f, p.plan, namespaceDeclaration: true, to: &out)
            } else if encoder is GeoJSONEncoder {
                try encoder.feature(f, p.plan, first: true, to: &out)
            } else {
                let info = CollectionInfo(version: req.version, numberMatched: 1, numberReturned: 1)
                encoder.begin(info, to: &out)
                try encoder.feature(f, p.plan, first: true, to: &out)
            }
            return Response.bytes(out, contentType: contentType)
        }
        throw OGCError(.notFound, locator: "ID", "No feature with this id")
    }

    /// The request's own KVP URL with another page window.
    func pageURL(_ request: OGCRequest, start: Int, count: Int) -> String {
        let persistent = Set(request.persistentQuery.map { $0.0.uppercased() })
        var parts: [String] = []
        for (k, v) in request.kvp.items where !persistent.contains(k) && !["STARTINDEX", "COUNT", "MAXFEATURES"].contains(k) {
            parts.append("\(KVP.percentEncode(k))=\(KVP.percentEncode(v))")
        }
        parts.append("STARTINDEX=\(start)")
        parts.append("COUNT=\(count)")
        return request.onlineResource + parts.joined(separator: "&")
    }

    func describeURL(_ request: OGCRequest, _ typeNames: [String], _ version: WFSVersion) -> String {
        request.onlineResource + "SERVICE=WFS&VERSION=\(version.rawValue)&REQUEST=DescribeFeatureType&"
            + "\(version == .v200 ? "TYPENAMES" : "TYPENAME")=\(KVP.percentEncode(typeNames.joined(separator: ",")))"
    }
}

/// Carries a cursor into the response body closure.
struct SendableBox<T: Sendable>: Sendable {
    let value: T
    init(_ v: T) { value = v }
}

