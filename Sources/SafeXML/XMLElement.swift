/// An element of a parsed XML document: immutable, Sendable, detached from libxml2.
///
/// Names are split into the namespace URI and the local name; `namespaces` holds the prefixes in scope at this
/// element (for attribute values that are QNames, such as `typeNames="ns:name"`).
public struct XMLElement: Sendable, Equatable {
    public var namespace: String?
    public var name: String
    public var prefix: String?
    public var attributes: [XMLAttribute]
    public var children: [XMLElement]
    /// The text directly inside this element (text and CDATA children concatenated, not trimmed).
    public var text: String
    /// Namespace prefix → URI in scope here ("" for the default namespace).
    public var namespaces: [String: String]

    public init(namespace: String? = nil, name: String, prefix: String? = nil, attributes: [XMLAttribute] = [],
                children: [XMLElement] = [], text: String = "", namespaces: [String: String] = [:]) {
        self.namespace = namespace; self.name = name; self.prefix = prefix; self.attributes = attributes
        self.children = children; self.text = text; self.namespaces = namespaces
    }

    /// The qualified name as written (`wfs:Query`).
    public var qualifiedName: String { prefix.map { "\($0):\(name)" } ?? name }

    /// The value of an attribute by local name (any namespace unless given).
    public func attribute(_ localName: String, namespace ns: String? = nil) -> String? {
        attributes.first { $0.name == localName && (ns == nil || $0.namespace == ns) }?.value
    }

    /// The first child element with this local name (and namespace when given).
    public func child(_ localName: String, namespace ns: String? = nil) -> XMLElement? {
        children.first { $0.name == localName && (ns == nil || $0.namespace == ns) }
    }

    public func children(_ localName: String, namespace ns: String? = nil) -> [XMLElement] {
        children.filter { $0.name == localName && (ns == nil || $0.namespace == ns) }
    }

    /// The text trimmed of XML white space.
    public var trimmedText: String {
        var s = Substring(text)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    /// Resolves a QName written in content (`ns:name` or `name`) with the prefixes in scope here:
    /// the namespace URI (nil when unprefixed and no default namespace, or the prefix is unknown) and the local part.
    public func resolve(qname: String) -> (namespace: String?, local: String, prefix: String?) {
        if let colon = qname.firstIndex(of: ":") {
            let p = String(qname[..<colon])
            return (namespaces[p], String(qname[qname.index(after: colon)...]), p)
        }
        return (nil, qname, nil)
    }
}

public struct XMLAttribute: Sendable, Equatable {
    public var namespace: String?
    public var name: String
    public var value: String

    public init(namespace: String? = nil, name: String, value: String) {
        self.namespace = namespace; self.name = name; self.value = value
    }
}
