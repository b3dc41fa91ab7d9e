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
    private let validity = ValidityPool()
    private var validityChecked = false
    private let maxFindings: Int
    private let makeValid: Bool

    private(set) var features = 0
    private(set) var findings: [CheckResult] = []
    /// Per check: findings beyond `maxFindings`, only counted.
    private var unlisted: [Check: Int] = [:]
    private var failedChecks: Set<Check> = []
    /// Keys of the features whose geometry is invalid (repaired after the COPY with --make-valid), known once
    /// `results()` has been called.
    private(set) var invalidKeys: [Int64] = []
    private var wkb: [UInt8] = []
    /// Each field's OGR index and kind: what the per-feature loop reads (the plan's fields carry strings, whose
    /// retains and releases showed in profiles).
    private let columns: [(index: Int32, kind: LayerPlan.Kind)]
    /// The bounding box of the geometries read, in the layer's CRS (minX, minY, maxX, maxY).
    private(set) var envelope: (Double, Double, Double, Double)?

    init(layer: OGRLayerH, plan: LayerPlan, recodeFrom: String?, makeValid: Bool, maxFindings: Int) {
        self.layer = layer; self.plan = plan; self.recodeFrom = recodeFrom; self.makeValid = makeValid
        self.maxFindings = maxFindings
        columns = plan.fields.map { ($0.index, $0.kind) }
        OGR_L_ResetReading(layer)
    }

    deinit { if !validityChecked { _ = validity.finish() } }

    /// Encodes features into `out` until it holds `limit` bytes or the layer ends; false once it has ended
    /// (the COPY header and trailer are the caller's).
    func read(into out: inout CopyBinaryEncoder, upTo limit: Int) -> Bool {
        while out.count < limit {
            guard let f = OGR_L_GetNextFeature(layer) else { return false }
            encode(f, into: &out)
            OGR_F_Destroy(f)
        }
        return true
    }

    private func encode(_ f: OGRFeatureH, into out: inout CopyBinaryEncoder) {
        features += 1
        let sourceFID = OGR_F_GetFID(f)
        let key = plan.keepsSourceFID && sourceFID != OGRNullFID ? Int64(sourceFID) : Int64(features)
        let geometry = plan.geometry
        out.beginRow(fields: 1 + columns.count + (geometry == nil ? 0 : 1))
        out.append(int64: key)
        for (position, (i, kind)) in columns.enumerated() {
            guard OGR_F_IsFieldSetAndNotNull(f, i) != 0 else { out.appendNull(); continue }
            switch kind {
            case .int16: out.append(int16: Int16(truncatingIfNeeded: OGR_F_GetFieldAsInteger(f, i)))
            case .int32: out.append(int32: OGR_F_GetFieldAsInteger(f, i))
            case .boolean: out.append(bool: OGR_F_GetFieldAsInteger(f, i) != 0)
            case .int64: out.append(int64: Int64(OGR_F_GetFieldAsInteger64(f, i)))
            case .float32: out.append(float: Float(OGR_F_GetFieldAsDouble(f, i)))
            case .float64: out.append(double: OGR_F_GetFieldAsDouble(f, i))
            case .string, .json, .list: appendText(f, i, kind, position: position, key: key, into: &out)
            case .date, .time, .dateTime: Self.appendDateTime(f, i, kind, into: &out)
            case .binary:
                var n: Int32 = 0
                let p = OGR_F_GetFieldAsBinary(f, i, &n)
                out.append(raw: UnsafeRawBufferPointer(start: p, count: Int(n)))
            }
        }
        if let geometry { appendGeometry(f, column: geometry, key: key, into: &out) }
    }

    // MARK: text

    /// `position`: the field's place in the plan (for a finding's field name).
    private func appendText(_ f: OGRFeatureH, _ index: Int32, _ kind: LayerPlan.Kind, position: Int, key: Int64,
                            into out: inout CopyBinaryEncoder) {
        guard let raw = OGR_F_GetFieldAsString(f, index) else { out.appendNull(); return }
        if let recodeFrom {
            let recoded = CPLRecode(raw, recodeFrom, CPL_ENC_UTF8)
            defer { VSIFree(recoded) }
            appendChecked(recoded, kind, position: position, key: key, into: &out)
        } else {
            appendChecked(raw, kind, position: position, key: key, into: &out)
        }
    }

    private func appendChecked(_ s: UnsafePointer<CChar>, _ kind: LayerPlan.Kind, position: Int, key: Int64,
                               into out: inout CopyBinaryEncoder) {
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self), count: strlen(s))
        if !Self.isUTF8(bytes) {
            record(CheckResult(.encoding, .failure, layer: plan.layerName, feature: key, field: plan.fields[position].sourceName,
                               reason: "text is not valid UTF-8; declare its encoding with --encoding (e.g. LATIN1, CP1252)"))
            out.appendNull()
            return
        }
        if kind == .json { out.append(jsonb: UnsafeRawBufferPointer(bytes)) } else { out.append(raw: UnsafeRawBufferPointer(bytes)) }
    }

    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    // MARK: geometry

    private func appendGeometry(_ f: OGRFeatureH, column: LayerPlan.GeometryColumn, key: Int64, into out: inout CopyBinaryEncoder) {
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
        var e = OGREnvelope()
        OGR_G_GetEnvelope(g, &e)
        envelope = envelope.map { (min($0.0, e.MinX), min($0.1, e.MinY), max($0.2, e.MaxX), max($0.3, e.MaxY)) } ?? (e.MinX, e.MinY, e.MaxX, e.MaxY)
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
        validity.submit(key: key, wkb: wkb)
    }

    /// Collects the validity pool's findings (once, when the layer has been read).
    private func collectValidity() {
        guard !validityChecked else { return }
        validityChecked = true
        for (key, reason) in validity.finish() {
            invalidKeys.append(key)
            record(CheckResult(.validity, makeValid ? .warning : .failure, layer: plan.layerName, feature: key,
                               reason: makeValid ? "invalid geometry (\(reason)), repaired with ST_MakeValid" : "invalid geometry: \(reason)"))
        }
    }

    // MARK: findings

    private func record(_ r: CheckResult) {
        if r.status == .failure { failedChecks.insert(r.check) }
        let listed = findings.lazy.filter { $0.check == r.check }.count
        if listed < maxFindings { findings.append(r) } else { unlisted[r.check, default: 0] += 1 }
    }

    /// Every finding, the counts of unlisted ones, and a pass line for each per-feature check with none.
    func results() -> [CheckResult] {
        collectValidity()
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

    // MARK: dates

    /// A date, time or date-time field in PostgreSQL's binary form: days since 2000-01-01, microseconds since
    /// midnight, microseconds since 2000-01-01 00:00 UTC (a date-time with no time zone is taken as UTC).
    static func appendDateTime(_ f: OGRFeatureH, _ index: Int32, _ kind: LayerPlan.Kind, into out: inout CopyBinaryEncoder) {
        var y: Int32 = 0, mo: Int32 = 0, d: Int32 = 0, h: Int32 = 0, mi: Int32 = 0, tz: Int32 = 0
        var s: Float = 0
        guard OGR_F_GetFieldAsDateTimeEx(f, index, &y, &mo, &d, &h, &mi, &s, &tz) != 0 else { out.appendNull(); return }
        let days = daysSince2000(year: Int(y), month: Int(mo), day: Int(d))
        let micros = (Int64(h) * 3600 + Int64(mi) * 60) * 1_000_000 + Int64((Double(s) * 1_000_000).rounded())
        switch kind {
        case .date: out.append(date: Int32(days))
        case .time: out.append(microseconds: micros)
        default:
            // OGR's zone flag: 0 unknown, 1 local time, 100 UTC, 100 ± n: UTC ± n quarters of an hour.
            let offsetMinutes = tz > 1 ? (Int64(tz) - 100) * 15 : 0
            out.append(microseconds: Int64(days) * 86_400_000_000 + micros - offsetMinutes * 60_000_000)
        }
    }

    /// Days from 2000-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysSince2000(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468 - 10_957
    }
}
