import Foundation
import NIOCore

/// A response of the object store: status, headers (names in lower case) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: ByteBuffer

    public func header(_ name: String) -> String? { headers[name] }
}

/// What went wrong on the wire. `beforeResponse` tells a request that the server never started to answer (a
/// pooled connection the server had closed): it may be sent again on a new connection at once.
struct TransportError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable { case connect, timeout, closed, io, protocolError }
    var kind: Kind
    var message: String
    var beforeResponse: Bool
    var description: String { message }
}

/// One blocking HTTP/1.1 connection on a POSIX socket, used by one thread at a time (the pool hands it out).
/// Every wait is bounded: connect by a poll, each read and write by the time left before the deadline.
struct HTTPConnection: Sendable {
    let fd: Int32
    var lastUsed: ContinuousClock.Instant

    /// Connects to `host:port` (name resolved on each new connection; connections are then kept).
    static func open(host: String, port: Int, deadline: ContinuousClock.Instant) throws -> HTTPConnection {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &res)
        guard rc == 0, let first = res else {
            throw TransportError(kind: .connect, message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))", beforeResponse: true)
        }
        defer { freeaddrinfo(res) }
        var lastError = "no address"
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), a.pointee.ai_protocol)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            // Non-blocking connect, so that the wait is bounded by the deadline.
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var r = connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen)
            if r != 0 && errno == EINPROGRESS {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                r = Self.poll(&p, deadline: deadline)
                if r == 1 {
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                    if err == 0 { r = 0 } else { errno = err; r = -1 }
                } else if r == 0 {
                    Glibc.close(fd)
                    throw TransportError(kind: .timeout, message: "connect to \(host):\(port) timed out", beforeResponse: true)
                } else { r = -1 }
            }
            if r != 0 { lastError = String(cString: strerror(errno)); Glibc.close(fd); continue }
            _ = fcntl(fd, F_SETFL, flags)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return HTTPConnection(fd: fd, lastUsed: .now)
        }
        throw TransportError(kind: .connect, message: "cannot connect to \(host):\(port): \(lastError)", beforeResponse: true)
    }

    func close() { _ = Glibc.close(fd) }

    /// Whether an idle pooled connection still looks usable: nothing to read (no EOF, no stray bytes).
    var looksAlive: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&p, 1, 0) == 0
    }

    /// Sends a request with no body and reads the whole response. Returns whether the connection may be reused.
    func exchange(_ request: [UInt8], isHead: Bool, deadline: ContinuousClock.Instant,
                  maxBody: Int) throws -> (HTTPResponse, reusable: Bool) {
        try send(request, deadline: deadline)
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        var filled = 0
        var headerEnd = -1
        // Head: read until CRLFCRLF.
        while headerEnd < 0 {
            if filled == buf.count {
                guard buf.count < 256 * 1024 else { throw TransportError(kind: .protocolError, message: "response head too large", beforeResponse: false) }
                buf.append(contentsOf: [UInt8](repeating: 0, count: buf.count))
            }
            let n = try buf.withUnsafeMutableBytes { p -> Int in
                try recv(into: UnsafeMutableRawBufferPointer(rebasing: p[filled...]), deadline: deadline, first: filled == 0)
            }
            if n == 0 {
                throw TransportError(kind: .closed, message: "the server closed the connection", beforeResponse: filled == 0)
            }
            let from = max(0, filled - 3)
            filled += n
            if filled >= 4 {
                for i in from...(filled - 4) where buf[i] == 13 && buf[i + 1] == 10 && buf[i + 2] == 13 && buf[i + 3] == 10 {
                    headerEnd = i + 4; break
                }
            }
        }
        let head = String(decoding: buf[0..<headerEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw TransportError(kind: .protocolError, message: "empty response head", beforeResponse: false) }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw TransportError(kind: .protocolError, message: "bad status line", beforeResponse: false)
        }
        var headers: [String: String] = [:]
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        var reusable = !(headers["connection"]?.lowercased().contains("close") ?? false) && statusLine[0] != "HTTP/1.0"
        var body = ByteBufferAllocator().buffer(capacity: 0)
        let leftover = buf[headerEnd..<filled]
        if isHead || status == 204 || status == 304 || (100..<200).contains(status) {
            // No body; a HEAD's Content-Length is the object's size.
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false {
            body = try readChunked(leftover: Array(leftover), deadline: deadline, maxBody: maxBody)
        } else if let cl = headers["content-length"].flatMap({ Int($0) }) {
            guard cl >= 0, cl <= maxBody else { throw TransportError(kind: .protocolError, message: "response body of \(cl) bytes is too large", beforeResponse: false) }
            body.reserveCapacity(cl)
            body.writeBytes(leftover.prefix(cl))
            try readExactly(into: &body, count: cl - body.readableBytes, deadline: deadline)
        } else {
            // No length: the body ends with the connection.
            body.writeBytes(leftover)
            while true {
                if body.readableBytes > maxBody { throw TransportError(kind: .protocolError, message: "response body too large", beforeResponse: false) }
                let n = try readSome(into: &body, deadline: deadline)
                if n == 0 { break }
            }
            reusable = false
        }
        return (HTTPResponse(status: status, headers: headers, body: body), reusable)
    }

    private func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { p in Glibc.send(fd, p.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 { sent += n; continue }
            let e = errno
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if Self.poll(&p, deadline: deadline) == 0 { throw TransportError(kind: .timeout, message: "send timed out", beforeResponse: true) }
                continue
            }
            if n < 0 && e == EINTR { continue }
            // A pooled connection the server closed fails here: nothing was answered yet.
            throw TransportError(kind: .io, message: "send: \(String(cString: strerror(e)))", beforeResponse: true)
        }
    }

    /// One read of at most `into.count` bytes; waits for data until the deadline. 0 at EOF.
    private func recv(into p: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant, first: Bool) throws -> Int {
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = Self.poll(&pfd, deadline: deadline)
            if r == 0 { throw TransportError(kind: .timeout, message: "the object store did not answer in time", beforeResponse: false) }
            let n = Glibc.recv(fd, p.baseAddress, p.count, Int32(MSG_DONTWAIT))
            if n >= 0 { return n }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { continue }
            // ECONNRESET before the first byte: a stale pooled connection.
            throw TransportError(kind: .io, message: "recv: \(String(cString: strerror(e)))", beforeResponse: first && e == ECONNRESET)
        }
    }

    private func readSome(into body: inout ByteBuffer, deadline: ContinuousClock.Instant) throws -> Int {
        var failure: TransportError?
        let n = body.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { p -> Int in
            do { return try recv(into: p, deadline: deadline, first: false) } catch let e as TransportError { failure = e; return 0 } catch { return 0 }
        }
        if let failure { throw failure }
        return n
    }

    private func readExactly(into body: inout ByteBuffer, count: Int, deadline: ContinuousClock.Instant) throws {
        var left = count
        while left > 0 {
            var failure: TransportError?
            let n = body.writeWithUnsafeMutableBytes(minimumWritableBytes: left) { p -> Int in
                do { return try recv(into: UnsafeMutableRawBufferPointer(rebasing: p[..<min(left, p.count)]), deadline: deadline, first: false) }
                catch let e as TransportError { failure = e; return 0 } catch { return 0 }
            }
            if let failure { throw failure }
            if n == 0 { throw TransportError(kind: .closed, message: "the server closed the connection in the middle of a body", beforeResponse: false) }
            left -= n
        }
    }

    /// `Transfer-Encoding: chunked` (radosgw uses it for some error bodies).
    private func readChunked(leftover: [UInt8], deadline: ContinuousClock.Instant, maxBody: Int) throws -> ByteBuffer {
        var raw = ByteBufferAllocator().buffer(capacity: max(leftover.count, 1024))
        raw.writeBytes(leftover)
        var body = ByteBufferAllocator().buffer(capacity: 0)
        func line() throws -> String {
            while true {
                let view = raw.readableBytesView
                if let i = view.firstIndex(of: 10) {
                    let s = raw.readString(length: view.distance(from: view.startIndex, to: i) + 1) ?? ""
                    return s.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                if try readSome(into: &raw, deadline: deadline) == 0 {
                    throw TransportError(kind: .closed, message: "the server closed the connection in a chunked body", beforeResponse: false)
                }
            }
        }
        while true {
            let sizeLine = try line()
            guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16), size >= 0 else {
                throw TransportError(kind: .protocolError, message: "bad chunk size", beforeResponse: false)
            }
            if size == 0 {
                // Trailers up to the empty line.
                while try !line().isEmpty {}
                return body
            }
            guard body.readableBytes + size <= maxBody else { throw TransportError(kind: .protocolError, message: "response body too large", beforeResponse: false) }
            while raw.readableBytes < size + 2 {
                if try readSome(into: &raw, deadline: deadline) == 0 {
                    throw TransportError(kind: .closed, message: "the server closed the connection in a chunk", beforeResponse: false)
                }
            }
            var chunk = raw.readSlice(length: size)!
            body.writeBuffer(&chunk)
            raw.moveReaderIndex(forwardBy: 2)
        }
    }

    /// poll() for one descriptor until the deadline: 1 ready, 0 timed out, -1 error.
    static func poll(_ p: inout pollfd, deadline: ContinuousClock.Instant) -> Int32 {
        while true {
            let left = deadline - .now
            if left <= .zero { return 0 }
            let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let r = Glibc.poll(&p, 1, ms)
            if r < 0 && errno == EINTR { continue }
            if r == 0 && deadline - .now > .zero { continue }
            return r > 0 ? 1 : r
        }
    }
}
