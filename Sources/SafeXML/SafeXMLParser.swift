import CLibXML2
import OGCCore

/// Parses untrusted XML (request bodies, filters, SLD) with libxml2, safely:
/// no network, no DTD loading, no entity expansion, no XInclude; a document with a DOCTYPE is refused
/// (OGC requests never need one and entity declarations are how XXE and billion laughs attacks start);
/// bounded size and depth; invalid UTF-8 refused. Each call uses its own parser context.
public enum SafeXML {
    public static let defaultMaxDepth = 64
    public static let defaultMaxBytes = 8 * 1024 * 1024
    public static let defaultMaxNodes = 1_000_000

    private static let initialised: Bool = { xmlInitParser(); return true }()

    /// Parses `bytes` into a tree of `XMLElement`s, returning the root element.
    /// Throws `OperationParsingFailed` (with `locator`) when the document is malformed, too big, too deep or
    /// declares a DOCTYPE.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth, maxBytes: Int = defaultMaxBytes,
                             maxNodes: Int = defaultMaxNodes, locator: String? = nil) throws(OGCError) -> XMLElement {
        func fail(_ msg: String) -> OGCError { OGCError(.operationParsingFailed, locator: locator, msg) }
        guard bytes.count <= maxBytes else { throw fail("The XML document is larger than \(maxBytes) bytes") }
        guard !bytes.isEmpty else { throw fail("The XML document is empty") }
        guard bytes.count < Int(Int32.max) else { throw fail("The XML document is too large") }
        _ = initialised
        guard let ctxt = xmlNewParserCtxt() else { throw fail("Cannot create an XML parser") }
        defer { xmlFreeParserCtxt(ctxt) }
        let opts = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                         | XML_PARSE_NOCDATA.rawValue)
        let doc: xmlDocPtr? = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
                xmlCtxtReadMemory(ctxt, p, Int32(buf.count), "request.xml", nil, opts)
            }
        }
        guard let doc else {
            var msg = "The XML document is not well-formed"
            if let err = xmlCtxtGetLastError(UnsafeMutableRawPointer(ctxt)), let m = err.pointee.message {
                msg += ": " + String(cString: m).trimmingSpaces + " (line \(err.pointee.line))"
            }
            throw fail(msg)
        }
        defer { xmlFreeDoc(doc) }
        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil {
            throw fail("XML documents with a DOCTYPE declaration are not accepted")
        }
        guard let root = xmlDocGetRootElement(doc) else { throw fail("The XML document has no root element") }
        var budget = maxNodes
        return try convert(root, depth: 1, maxDepth: maxDepth, budget: &budget, inherited: [:], fail: fail)
    }

    private static func string(_ p: UnsafePointer<xmlChar>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }

    private static func convert(_ node: xmlNodePtr, depth: Int, maxDepth: Int, budget: inout Int,
                                inherited: [String: String], fail: (String) -> OGCError) throws(OGCError) -> XMLElement {
        guard depth <= maxDepth else { throw fail("The XML document is nested deeper than \(maxDepth) levels") }
        budget -= 1
        guard budget >= 0 else { throw fail("The XML document has too many nodes") }
        var scope = inherited
        var nsDef = node.pointee.nsDef
        while let ns = nsDef {
            scope[string(ns.pointee.prefix) ?? ""] = string(ns.pointee.href) ?? ""
            nsDef = ns.pointee.next
        }
        var attrs: [XMLAttribute] = []
        var a = node.pointee.properties
        while let attr = a {
            var value = ""
            var c = attr.pointee.children
            while let t = c {
                if t.pointee.type == XML_TEXT_NODE, let s = string(t.pointee.content) { value += s }
                c = t.pointee.next
            }
            attrs.append(XMLAttribute(namespace: string(attr.pointee.ns?.pointee.href),
                                      name: string(attr.pointee.name) ?? "", value: value))
            a = attr.pointee.next
        }
        var children: [XMLElement] = []
        var text = ""
        var c = node.pointee.children
        while let child = c {
            switch child.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(try convert(child, depth: depth + 1, maxDepth: maxDepth, budget: &budget,
                                            inherited: scope, fail: fail))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let s = string(child.pointee.content) { text += s }
            default:
                break   // comments, processing instructions, unexpanded entity references
            }
            c = child.pointee.next
        }
        return XMLElement(namespace: string(node.pointee.ns?.pointee.href), name: string(node.pointee.name) ?? "",
                          prefix: string(node.pointee.ns?.pointee.prefix), attributes: attrs, children: children,
                          text: text, namespaces: scope)
    }
}
