import Foundation
import OGCCore
import Testing
@testable import WFSService

@Suite struct GetFeatureJSONTests {
    let f = WFSFixture.shared
    let base = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&OUTPUTFORMAT=application/json"

    func names(_ a: WFSFixture.Answer) -> [String] { a.features.compactMap { ($0["properties"] as? [String: Any])?["nom"] as? String } }

    @Test func countsAndPaging() async throws {
        let a = try await f.get(base + "&TYPENAMES=admin:communes&COUNT=100&STARTINDEX=0")
        #expect(a.status == 200)
        #expect(a.contentType == "application/json")
        #expect(a.json?["numberMatched"] as? Int == 402)
        #expect(a.json?["numberReturned"] as? Int == 100)
        #expect(a.features.count == 100)
        let links = a.json?["links"] as? [[String: Any]] ?? []
        let next = try #require(links.first { $0["rel"] as? String == "next" }?["href"] as? String)
        #expect(next.hasPrefix("http://test.example/wfs?apikey=k1&"))
        #expect(next.contains("STARTINDEX=100"))
        #expect(!links.contains { $0["rel"] as? String == "previous" })

        // Walk every page through the next links: all 402 communes, none twice.
        var ids = Set<String>()
        var url: String? = base + "&TYPENAMES=admin:communes&COUNT=150"
        var pages = 0
        while let u = url, pages < 10 {
            let page = try await f.get(u)
            for ft in page.features { ids.insert(ft["id"] as? String ?? "") }
            let l = page.json?["links"] as? [[String: Any]] ?? []
            url = (l.first { $0["rel"] as? String == "next" }?["href"] as? String).map { String($0.split(separator: "?", maxSplits: 1)[1]) }
            pages += 1
        }
        #expect(pages == 3)
        #expect(ids.count == 402)

        let last = try await f.get(base + "&TYPENAMES=admin:communes&COUNT=100&STARTINDEX=400")
        #expect(last.features.count == 2)
        #expect(last.json?["numberReturned"] as? Int == 2)
        let prev = (last.json?["links"] as? [[String: Any]] ?? []).first { $0["rel"] as? String == "previous" }?["href"] as? String
        #expect(prev?.contains("STARTINDEX=300") == true)
    }

    @Test func featureShapeIsRFC7946() async throws {
        let a = try await f.get(base + "&TYPENAMES=admin:departements&CQL_FILTER=code='75'")
        let ft = try #require(a.features.first)
        #expect(a.features.count == 1)
        #expect((ft["id"] as? String)?.hasPrefix("departements.") == true)
        let props = try #require(ft["properties"] as? [String: Any])
        #expect(props["nom"] as? String == "Paris")
        #expect(props["fid"] == nil)   // the primary key is not exposed by default
        let geom = try #require(ft["geometry"] as? [String: Any])
        #expect(geom["type"] as? String == "MultiPolygon")
        let first = try #require(((geom["coordinates"] as? [[[[Double]]]])?.first?.first?.first))
        #expect(first[0] > 2 && first[0] < 3)      // longitude first
        #expect(first[1] > 48 && first[1] < 49)
        #expect(a.json?["crs"] == nil)
    }

    @Test func sortOrders() async throws {
        let asc = names(try await f.get(base + "&TYPENAMES=admin:regions&SORTBY=nom ASC"))
        #expect(asc.count == 13)
        #expect(asc == asc.sorted())
        let desc = names(try await f.get(base + "&TYPENAMES=admin:regions&SORTBY=nom+D"))
        #expect(desc == asc.reversed())
        let two = try await f.get(base + "&TYPENAMES=admin:communes&SORTBY=departement DESC,nom ASC&COUNT=402")
        let rows = two.features.compactMap { $0["properties"] as? [String: Any] }.map { ($0["departement"] as? String ?? "", $0["nom"] as? String ?? "") }
        #expect(rows.count == 402)
        let sorted = rows.sorted { (a: (String, String), b: (String, String)) -> Bool in a.0 != b.0 ? a.0 > b.0 : a.1 < b.1 }
        #expect(rows.map(\.0) == sorted.map(\.0))
        #expect(rows.map(\.1) == sorted.map(\.1))
    }

    @Test func filters() async throws {
        func matched(_ q: String) async throws -> Int? { try await f.get(base + "&TYPENAMES=admin:communes&" + q).json?["numberMatched"] as? Int }
        let d69 = try #require(try await matched("CQL_FILTER=departement='69'"))
        #expect(d69 > 0 && d69 < 402)
        #expect(try await matched("CQL_FILTER=departement IN ('69','75')") ?? 0 > d69)
        #expect(try await matched("CQL_FILTER=departement<>'69'") == 402 - d69)
        #expect(try await matched("CQL_FILTER=nom LIKE 'Saint-%25'") ?? 0 > 0)
        #expect(try await matched("CQL_FILTER=nom ILIKE 'saint-%25' AND NOT nom LIKE 'Saint-%25'") == 0)
        let fes = """
        <fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo><fes:ValueReference>admin:departement</fes:ValueReference><fes:Literal>69</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>
        """
        #expect(try await matched("FILTER=" + KVP.percentEncode(fes)) == d69)
        // Paris is inside this box; the suburbs around it too, Lyon is not.
        let inBox = try #require(try await matched("BBOX=2.30,48.84,2.40,48.88,EPSG:4326"))
        #expect(inBox > 0 && inBox < 40)
        #expect(try await matched("CQL_FILTER=BBOX(geom,2.30,48.84,2.40,48.88)") == inBox)
        #expect(try await matched("CQL_FILTER=INTERSECTS(geom,POINT(2.3522 48.8566))") == 1)
        let two = try await f.get(base + "&TYPENAMES=admin:communes&COUNT=2").features.compactMap { $0["id"] as? String }
        #expect(two.count == 2)
        #expect(try await matched("RESOURCEID=\(two.joined(separator: ",")),regions.1") == 2)
        #expect(try await matched("RESOURCEID=regions.1") == 0)
    }

    @Test func propertyNameAndHits() async throws {
        let a = try await f.get(base + "&TYPENAMES=admin:communes&PROPERTYNAME=nom&COUNT=3")
        let props = try #require(a.features.first?["properties"] as? [String: Any])
        #expect(Set(props.keys) == ["nom"])
        #expect(a.features.first?["geometry"] is NSNull)
        let h = try await f.get(base + "&TYPENAMES=admin:communes&RESULTTYPE=hits")
        #expect(h.json?["numberMatched"] as? Int == 402)
        #expect(h.features.isEmpty)
        let g = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:communes&RESULTTYPE=hits")
        #expect(g.body.contains("numberMatched=\"402\""))
        #expect(g.body.contains("numberReturned=\"0\""))
    }

    @Test func defaultAndMaximumCounts() async throws {
        let d = try await f.get(base + "&TYPENAMES=extra:towns")
        #expect(d.features.count == 10)        // default_count
        let m = try await f.get(base + "&TYPENAMES=extra:towns&COUNT=1000")
        #expect(m.features.count == 50)        // max_count
        #expect(m.json?["numberMatched"] as? Int == 402)
    }

    @Test func severalTypesPageAcrossThem() async throws {
        let a = try await f.get(base + "&TYPENAMES=admin:regions,admin:departements&COUNT=20&STARTINDEX=5")
        #expect(a.json?["numberMatched"] as? Int == 13 + 96)
        #expect(a.features.count == 20)
        let ids = a.features.compactMap { $0["id"] as? String }
        #expect(ids.filter { $0.hasPrefix("regions.") }.count == 8)
        #expect(ids.filter { $0.hasPrefix("departements.") }.count == 12)
    }

    @Test func postedGetFeature() async throws {
        let a = try await f.post("""
        <wfs:GetFeature service="WFS" version="2.0.0" count="5" outputFormat="application/json"
          xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:a="http://test.example/wfs/admin">
          <wfs:Query typeNames="a:communes">
            <fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>departement</fes:ValueReference><fes:Literal>75</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>
            <fes:SortBy><fes:SortProperty><fes:ValueReference>nom</fes:ValueReference><fes:SortOrder>DESC</fes:SortOrder></fes:SortProperty></fes:SortBy>
          </wfs:Query>
        </wfs:GetFeature>
        """)
        #expect(a.status == 200)
        #expect(a.features.count >= 1)
        let n = names(a)
        #expect(n == n.sorted(by: >))
    }

    @Test func getFeatureByIdAndPropertyValue() async throws {
        let one = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById&ID=regions.1")
        #expect(one.status == 200)
        #expect(one.body.contains("<admin:regions gml:id=\"regions.1\""))
        #expect(!one.body.contains("FeatureCollection"))
        let none = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById&ID=regions.99999")
        #expect(none.status == 404)
        let pv = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetPropertyValue&TYPENAMES=admin:regions&VALUEREFERENCE=nom&SORTBY=nom")
        #expect(pv.body.contains("numberReturned=\"13\""))
        #expect(pv.body.components(separatedBy: "<wfs:member>").count == 14)
        do { let err = try xmllintErrors(pv.body, schema: schemaFile("wfs/2.0/wfs.xsd")); #expect(err == nil, "\(err ?? "")") }
        let sq = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=ListStoredQueries")
        do { let err = try xmllintErrors(sq.body, schema: schemaFile("wfs/2.0/wfs.xsd")); #expect(err == nil, "\(err ?? "")") }
        let dq = try await f.get("SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeStoredQueries")
        do { let err = try xmllintErrors(dq.body, schema: schemaFile("wfs/2.0/wfs.xsd")); #expect(err == nil, "\(err ?? "")") }
    }
}
