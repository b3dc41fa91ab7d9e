import CZlib
import Config
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OGCCore
import ServiceKit
import Testing

@Suite struct DocumentCacheTests {
    /// zlib's inflate of a gzip stream (windowBits 15 + 16), independent of the code under test.
    func gunzip(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var input = bytes, out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            while status == Z_OK {
                let produced = chunk.withUnsafeMutableBufferPointer { c -> Int in
                    stream.next_out = c.baseAddress
                    stream.avail_out = uInt(c.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return c.count - Int(stream.avail_out)
                }
                out += chunk[0..<produced]
            }
        }
        return status == Z_STREAM_END ? out : nil
    }

    func context() -> ServiceContext {
        let snapshot = ConfigSnapshot(directory: URL(fileURLWithPath: "/nonexistent"))
        return ServiceContext(snapshot: snapshot, endpoint: Endpoint(id: "e", name: "e", type: .wfs, urls: [], open: true),
                              urlType: "WFS", layers: [], visibilityKey: "open", templates: try! TemplateLibrary(templates: [:]),
                              logger: Logger(label: "test"))
    }

    func body(_ r: Response) async throws -> [UInt8] {
        var b = try await r.collectBody()
        return b.readBytes(length: b.readableBytes) ?? []
    }

    @Test func largeDocumentsAreGzippedOnceForClientsThatAcceptIt() async throws {
        let cache = DocumentCache()
        let doc = Array(String(repeating: "<Layer><Name>relief</Name></Layer>\n", count: 5000).utf8)
        var renders = 0
        let plain = OGCRequest(kvp: KVP())
        let gzipRequest = OGCRequest(kvp: KVP(), headers: [.acceptEncoding: "br, gzip;q=0.8"])
        let key = DocumentCache.key(plain, context(), version: "1.0.0")
        let a = try await cache.response(key, gzipRequest, contentType: "application/xml") { renders += 1; return doc }
        #expect(a.headers[.contentEncoding] == "gzip")
        #expect(a.headers[.vary] == "Accept-Encoding")
        let zipped = try await body(a)
        #expect(zipped.count < doc.count / 10)
        #expect(gunzip(zipped) == doc)
        let b = try await cache.response(key, plain, contentType: "application/xml") { renders += 1; return doc }
        #expect(b.headers[.contentEncoding] == nil)
        #expect(try await body(b) == doc)
        #expect(renders == 1)
        // Small documents are sent as they are.
        let small = try await cache.response(key + "small", gzipRequest, contentType: "application/xml") { Array("<a/>".utf8) }
        #expect(small.headers[.contentEncoding] == nil)
    }

    @Test func acceptEncodingIsRead() {
        #expect(Gzip.isAccepted("gzip, deflate"))
        #expect(Gzip.isAccepted("br;q=1.0, gzip;q=0.5"))
        #expect(Gzip.isAccepted("*"))
        #expect(!Gzip.isAccepted("gzip;q=0"))
        #expect(!Gzip.isAccepted("br, deflate"))
        #expect(!Gzip.isAccepted(nil))
    }
}
