import CGDAL
import Foundation
import Geo

/// Reads one source layer feature by feature, checks each one (text encoding, geometry type, validity) and
/// encodes it as a COPY row. Synchronous and bounded: `read(into:upTo:)` fills a buffer up to a size and
/// returns, so the caller streams the layer to PostgreSQL in constant memory.
final class LayerReader {
    private(set) var plan: LayerPlan
    private let layer: OGRLayerH
    private let recodeFrom: String?
    private let geos = GEOSContext()
    private let maxFindings: Int
    private let makeValid: Bool

    private(set) var features = 0
    private(set) var findings: [CheckResult] = []
    /// Per check: findings beyond `maxFindings`, only counted.
    private var unlisted: [Check: Int] = [:]
    private var failedChecks: Set<Check> = []
    /// Keys of the features whose geometry is invalid (repaired after the COPY with --make-valid).
    private(set) var invalidKeys: [Int64] = []
    private var wkb: [UInt8] = []

    init(layer: OGRLayerH, plan: LayerPlan, recodeFrom: String?, makeValid: Bool, maxFindings: Int) {
        self.layer = layer; self.plan = plan; self.recodeFrom = recodeFrom; self.makeValid = makeValid
        self.maxFindings = maxFindings
        OGR_L_ResetReading(layer)
    }

    /// Encodes features into `out` until it holds `limit` bytes or the layer ends; false once it has ended.
    func read(into out: inout CopyTextEncoder, upTo limit: Int) -> Bool {
        while out.count < limit {
            guard let f = OGR_L_GetNextFeature(layer) else { return false }
            encode(f, into: &out)
            OGR_F_Destroy(f)
        }
        return true
    }

    private func encode(_ f: OGRFeatureH, into out: inout CopyTextEncoder) {
        features += 1
        let sourceFID = OGR_F_GetFID(f)
        let key = plan.keepsSourceFID && sourceFID != OGRNullFID ? Int64(sourceFID) : Int64(features)
        out.append(ascii: String(key))
        for field in plan.fields {
            guard OGR_F_IsFieldSetAndNotNull(f, field.index) != 0 else { out.appendNull(); continue }
            switch field.kind {
            case .integer: out.append(ascii: String(OGR_F_GetFieldAsInteger(f, field.index)))
            case .boolean: out.append(ascii: OGR_F_GetFieldAsInteger(f, field.index) != 0 ? "t" : "f")
            case .integer64: out.append(ascii: String(OGR_F_GetFieldAsInteger64(f, field.index)))
            case .real: out.append(ascii: Self.sqlText(OGR_F_GetFieldAsDouble(f, field.index)))
            case .string, .json, .list: appendText(f, field, key: key, into: &out)
            case .date, .time, .dateTime: out.append(ascii: Self.isoDateTime(f, field))
            case .binary:
                var n: Int32 = 0
                let p = OGR_F_GetFieldAsBinary(f, field.index, &n)
                out.append(bytea: UnsafeRawBufferPointer(start: p, count: Int(n)))
            }
        }
        if let g = plan.geometry { appendGeometry(f, column: g, key: key, into: &out) }
        out.endRow()
    }

    // MARK: text

    private func appendText(_ f: OGRFeatureH, _ field: LayerPlan.Field, key: Int64, into out: inout CopyTextEncoder) {
        guard let raw = OGR_F_GetFieldAsString(f, field.index) else { out.appendNull(); return }
        if let recodeFrom {
            let recoded = CPLRecode(raw, recodeFrom, CPL_ENC_UTF8)
            defer { VSIFree(recoded) }
            appendChecked(recoded, field, key: key, into: &out)
        } else {
            appendChecked(raw, field, key: key, into: &out)
        }
    }

    private func appendChecked(_ s: UnsafePointer<CChar>, _ field: LayerPlan.Field, key: Int64, into out: inout CopyTextEncoder) {
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self), count: strlen(s))
        if !Self.isUTF8(bytes) {
            record(CheckResult(.encoding, .failure, layer: plan.layerName, feature: key, field: field.sourceName,
                               reason: "text is not valid UTF-8; declare its encoding with --encoding (e.g. LATIN1, CP1252)"))
            out.appendNull()
            return
        }
        out.append(text: bytes)
    }

    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    // MARK: geometry

    private func appendGeometry(_ f: OGRFeatureH, column: LayerPlan.GeometryColumn, key: Int64, into out: inout CopyTextEncoder) {
        guard let g0 = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g0) == 0 else { out.appendNull(); return }
        var g = g0
        var linear: OGRGeometryH?
        if OGR_G_HasCurveGeometry(g, 0) != 0, let l = OGR_G_GetLinearGeometry(g, 0, nil) { linear = l; g = l }
        defer { if let linear { OGR_G_DestroyGeometry(linear) } }
        let type = OGR_GT_Flatten(OGR_G_GetGeometryType(g))
        if plan.geometry?.target == nil, let t = LayerPlan.TargetType(ogr: type) {
            // A source that declares no type: the first geometry decides.
            plan.geometry?.target = t
            plan.geometry?.hasZ = OGR_G_Is3D(g) != 0
        }
        let target = plan.geometry?.target ?? .geometry
        let fit = target.accepts(type)
        if fit == .no {
            record(CheckResult(.geometryType, .failure, layer: plan.layerName, feature: key,
                               reason: "a \(String(cString: OGRGeometryTypeToName(type))) in a layer of \(target.rawValue)"))
            out.appendNull()
            return
        }
        OGR_G_Set3D(g, (plan.geometry?.hasZ ?? false) ? 1 : 0)
        OGR_G_SetMeasured(g, 0)
        let size = Int(OGR_G_WkbSize(g))
        if wkb.count < size { wkb = [UInt8](repeating: 0, count: size) }
        wkb.withUnsafeMutableBytes { buf in
            _ = OGR_G_ExportToWkb(g, wkbNDR, buf.baseAddress!.assumingMemoryBound(to: UInt8.self))
            let raw = UnsafeRawBufferPointer(rebasing: buf[0..<size])
            checkValidity(raw, key: key)
            out.append(wkb: raw, srid: column.srid, promoteToMulti: fit == .promote)
        }
    }

    private func checkValidity(_ wkb: UnsafeRawBufferPointer, key: Int64) {
        let reason: String?
        do { reason = try geos.invalidityReason(wkb: wkb) } catch { reason = error.message }
        guard let reason else { return }
        invalidKeys.append(key)
        record(CheckResult(.validity, makeValid ? .warning : .failure, layer: plan.layerName, feature: key,
                           reason: makeValid ? "invalid geometry (\(reason)), repaired with ST_MakeValid" : "invalid geometry: \(reason)"))
    }

    // MARK: findings

    private func record(_ r: CheckResult) {
        if r.status == .failure { failedChecks.insert(r.check) }
        let listed = findings.lazy.filter { $0.check == r.check }.count
        if listed < maxFindings { findings.append(r) } else { unlisted[r.check, default: 0] += 1 }
    }

    /// Every finding, the counts of unlisted ones, and a pass line for each per-feature check with none.
    func results() -> [CheckResult] {
        var out = findings
        for (check, n) in unlisted.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            out.append(CheckResult(check, failedChecks.contains(check) ? .failure : .warning, layer: plan.layerName,
                                   reason: "\(n) more features not listed"))
        }
        let perFeature: [(Check, String)] = [
            (.encoding, "all text is UTF-8"),
            (.geometryType, "one geometry type: \(plan.geometry?.pgType ?? "no geometry")"),
            (.validity, "all geometries are valid"),
        ]
        for (check, message) in perFeature where !findings.contains(where: { $0.check == check }) {
            if check != .encoding && plan.geometry == nil { continue }
            out.append(CheckResult(check, .pass, layer: plan.layerName, reason: message))
        }
        if features == 0 {
            out.append(CheckResult(.notEmpty, .failure, layer: plan.layerName, reason: "the layer has no feature"))
        } else {
            out.append(CheckResult(.notEmpty, .pass, layer: plan.layerName, reason: "\(features) features"))
        }
        return out
    }

    // MARK: value formats

    /// A double as PostgreSQL reads it (shortest exact form; NaN and infinities by name).
    static func sqlText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        return "\(d)"
    }

    /// A date, time or date-time field in ISO 8601, with its time zone when the source has one.
    static func isoDateTime(_ f: OGRFeatureH, _ field: LayerPlan.Field) -> String {
        var y: Int32 = 0, mo: Int32 = 0, d: Int32 = 0, h: Int32 = 0, mi: Int32 = 0, tz: Int32 = 0
        var s: Float = 0
        _ = OGR_F_GetFieldAsDateTimeEx(f, field.index, &y, &mo, &d, &h, &mi, &s, &tz)
        let date = String(format: "%04d-%02d-%02d", y, mo, d)
        let time = String(format: "%02d:%02d:%06.3f", h, mi, Double(s))
        switch field.kind {
        case .date: return date
        case .time: return time
        default:
            var zone = ""
            if tz == 100 { zone = "+00:00" } else if tz > 100 || (tz > 1 && tz < 100) {
                let minutes = (Int(tz) - 100) * 15
                zone = (minutes < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(minutes) / 60, abs(minutes) % 60)
            }
            return date + " " + time + zone
        }
    }
}
