import Geo

/// Writes geometries as GML 3.2 (every geometry with a `gml:id`) or GML 3.1.1, with `posList`s in the axis
/// order of the output CRS.
struct GMLGeometryWriter {
    var gml32: Bool
    var srsName: String
    var swap: Bool
    var decimals: Int

    func write(_ g: Geometry, id: String, promoteToMulti: Bool, to out: inout [UInt8]) {
        var g = g
        if promoteToMulti {
            switch g {
            case .point(let c): g = .multiPoint([c])
            case .lineString(let cs): g = .multiLineString([cs])
            case .polygon(let rs): g = .multiPolygon([rs])
            default: break
            }
        }
        var n = 0
        element(g, id: id, top: true, counter: &n, to: &out)
    }

    private func open(_ name: String, id: String, top: Bool, counter: inout Int, to out: inout [UInt8]) {
        out.put("<gml:\(name)")
        if gml32 {
            out.put(" gml:id=\"\(id)")
            if counter > 0 { out.put(".\(counter)") }
            out.put("\"")
            counter += 1
        }
        if top { out.put(" srsName=\"\(srsName)\"") }
        out.put(">")
    }

    private func element(_ g: Geometry, id: String, top: Bool, counter: inout Int, to out: inout [UInt8]) {
        switch g {
        case .point(let c):
            open("Point", id: id, top: top, counter: &counter, to: &out)
            out.put("<gml:pos>"); coords([c], &out); out.put("</gml:pos></gml:Point>")
        case .lineString(let cs):
            open("LineString", id: id, top: top, counter: &counter, to: &out)
            posList(cs, &out); out.put("</gml:LineString>")
        case .polygon(let rs):
            open("Polygon", id: id, top: top, counter: &counter, to: &out)
            for (i, r) in rs.enumerated() {
                out.put((i == 0 ? "<gml:exterior><gml:LinearRing>" : "<gml:interior><gml:LinearRing>"))
                posList(r, &out)
                out.put((i == 0 ? "</gml:LinearRing></gml:exterior>" : "</gml:LinearRing></gml:interior>"))
            }
            out.put("</gml:Polygon>")
        case .multiPoint(let cs):
            open("MultiPoint", id: id, top: top, counter: &counter, to: &out)
            for c in cs {
                out.put("<gml:pointMember>")
                element(.point(c), id: id, top: false, counter: &counter, to: &out)
                out.put("</gml:pointMember>")
            }
            out.put("</gml:MultiPoint>")
        case .multiLineString(let ls):
            open("MultiCurve", id: id, top: top, counter: &counter, to: &out)
            for l in ls {
                out.put("<gml:curveMember>")
                element(.lineString(l), id: id, top: false, counter: &counter, to: &out)
                out.put("</gml:curveMember>")
            }
            out.put("</gml:MultiCurve>")
        case .multiPolygon(let ps):
            open("MultiSurface", id: id, top: top, counter: &counter, to: &out)
            for p in ps {
                out.put("<gml:surfaceMember>")
                element(.polygon(p), id: id, top: false, counter: &counter, to: &out)
                out.put("</gml:surfaceMember>")
            }
            out.put("</gml:MultiSurface>")
        case .collection(let gs):
            open("MultiGeometry", id: id, top: top, counter: &counter, to: &out)
            for m in gs {
                out.put("<gml:geometryMember>")
                element(m, id: id, top: false, counter: &counter, to: &out)
                out.put("</gml:geometryMember>")
            }
            out.put("</gml:MultiGeometry>")
        }
    }

    private func posList(_ cs: [Coord], _ out: inout [UInt8]) {
        out.put("<gml:posList srsDimension=\"2\">")
        coords(cs, &out)
        out.put("</gml:posList>")
    }

    private func coords(_ cs: [Coord], _ out: inout [UInt8]) {
        for (i, c) in cs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: " ")) }
            NumberFormatting.append(swap ? c.y : c.x, decimals: decimals, to: &out)
            out.append(UInt8(ascii: " "))
            NumberFormatting.append(swap ? c.x : c.y, decimals: decimals, to: &out)
        }
    }
}
