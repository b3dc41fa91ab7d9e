import HTTPTypes
import Hummingbird
import OGCCore

extension Response {
    /// A complete body with a content type.
    public static func bytes(_ bytes: some Sequence<UInt8>, contentType: String, status: HTTPResponse.Status = .ok,
                             headers extra: HTTPFields = [:]) -> Response {
        var buf = ByteBuffer()
        buf.writeBytes(bytes)
        return buffer(buf, contentType: contentType, status: status, headers: extra)
    }

    public static func buffer(_ buf: ByteBuffer, contentType: String, status: HTTPResponse.Status = .ok,
                              headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        headers[.contentLength] = String(buf.readableBytes)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buf))
    }

    public static func text(_ s: String, contentType: String, status: HTTPResponse.Status = .ok,
                            headers extra: HTTPFields = [:]) -> Response {
        buffer(ByteBuffer(string: s), contentType: contentType, status: status, headers: extra)
    }

    /// An OGC exception document with the error's HTTP status.
    public static func ogcError(_ error: OGCError, flavour: ExceptionFlavour) -> Response {
        text(error.report(flavour), contentType: flavour.contentType, status: HTTPResponse.Status(code: error.status))
    }
}
