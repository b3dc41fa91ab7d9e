import TileStore

/// A rectangle in the tile matrix set's CRS, easting/longitude first.
public struct BBox: Sendable, Equatable, CustomStringConvertible {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    public func union(_ o: BBox) -> BBox {
        BBox(minX: min(minX, o.minX), minY: min(minY, o.minY), maxX: max(maxX, o.maxX), maxY: max(maxY, o.maxY))
    }
    public func intersects(_ o: BBox) -> Bool { minX < o.maxX && o.minX < maxX && minY < o.maxY && o.minY < maxY }
    public var description: String { "\(minX),\(minY),\(maxX),\(maxY)" }
}

/// One slab of a level: its column and row in slabs.
public struct SlabKey: Sendable, Hashable, Comparable {
    public var col: Int, row: Int
    public init(col: Int, row: Int) { self.col = col; self.row = row }
    public static func < (a: SlabKey, b: SlabKey) -> Bool { (a.row, a.col) < (b.row, b.col) }
}

/// What is built for one level: its matrix, the tiles that may hold data, the slabs that hold them.
public struct LevelPlan: Sendable {
    public var matrix: TileMatrix
    public var limits: TileLimits
    public var tilesPerWidth: Int
    public var tilesPerHeight: Int

    public var id: String { matrix.id }
    public var tilesPerSlab: Int { tilesPerWidth * tilesPerHeight }

    public init(matrix: TileMatrix, limits: TileLimits, tilesPerWidth: Int, tilesPerHeight: Int) {
        self.matrix = matrix; self.limits = limits; self.tilesPerWidth = tilesPerWidth; self.tilesPerHeight = tilesPerHeight
    }

    /// The slabs that hold at least one tile of the limits, row by row.
    public var slabs: [SlabKey] {
        var out: [SlabKey] = []
        for r in (limits.minRow / tilesPerHeight)...(limits.maxRow / tilesPerHeight) {
            for c in (limits.minCol / tilesPerWidth)...(limits.maxCol / tilesPerWidth) { out.append(SlabKey(col: c, row: r)) }
        }
        return out
    }

    /// The tile (col, row) at index i of slab s, row-major inside the slab.
    public func tile(_ i: Int, of s: SlabKey) -> (col: Int, row: Int) {
        (s.col * tilesPerWidth + i % tilesPerWidth, s.row * tilesPerHeight + i / tilesPerWidth)
    }

    /// The ground rectangle of slab s.
    public func bounds(of s: SlabKey) -> BBox {
        let tl = matrix.bounds(col: s.col * tilesPerWidth, row: s.row * tilesPerHeight)
        let br = matrix.bounds(col: s.col * tilesPerWidth + tilesPerWidth - 1, row: s.row * tilesPerHeight + tilesPerHeight - 1)
        return BBox(minX: tl.minX, minY: br.minY, maxX: br.maxX, maxY: tl.maxY)
    }
}

public enum LevelPlanner {
    /// A fraction of a tile: a bbox edge that floating point puts a hair past a tile boundary stays on its side.
    static let epsilon = 1e-6

    /// The tiles of `matrix` that a bbox covers (inclusive), clamped to the matrix; nil when it misses it.
    public static func tileLimits(covering b: BBox, in m: TileMatrix) -> TileLimits? {
        let sx = m.tileSpanX, sy = m.tileSpanY
        var minCol = Int(((b.minX - m.originX) / sx + epsilon).rounded(.down))
        var maxCol = Int(((b.maxX - m.originX) / sx - epsilon).rounded(.up)) - 1
        var minRow = Int(((m.originY - b.maxY) / sy + epsilon).rounded(.down))
        var maxRow = Int(((m.originY - b.minY) / sy - epsilon).rounded(.up)) - 1
        maxCol = max(maxCol, minCol); maxRow = max(maxRow, minRow)   // a bbox thinner than a tile keeps one
        guard maxCol >= 0, maxRow >= 0, minCol < m.matrixWidth, minRow < m.matrixHeight else { return nil }
        minCol = max(0, minCol); minRow = max(0, minRow)
        maxCol = min(m.matrixWidth - 1, maxCol); maxRow = min(m.matrixHeight - 1, maxRow)
        return TileLimits(minCol: minCol, maxCol: maxCol, minRow: minRow, maxRow: maxRow)
    }

    /// The levels from `bottom` up to `top` (ids of `tms`), finest last, each limited to the bbox.
    public static func plan(tms: TileMatrixSet, bbox: BBox, bottom: String, top: String?, tilesPerWidth: Int,
                            tilesPerHeight: Int) throws -> [LevelPlan] {
        guard let bi = tms.matrices.firstIndex(where: { $0.id == bottom }) else {
            throw PlanError.unknownLevel(bottom, tms.id, tms.matrices.map(\.id))
        }
        var ti = bi
        if let top {
            guard let t = tms.matrices.firstIndex(where: { $0.id == top }) else {
                throw PlanError.unknownLevel(top, tms.id, tms.matrices.map(\.id))
            }
            guard t <= bi else { throw PlanError.invalid("the top level \(top) is finer than the bottom level \(bottom)") }
            ti = t
        } else {
            // Default top: the first level where the data fits in one tile.
            while ti > 0, let l = tileLimits(covering: bbox, in: tms.matrices[ti]), l.maxCol > l.minCol || l.maxRow > l.minRow { ti -= 1 }
        }
        var out: [LevelPlan] = []
        for i in ti...bi {
            let m = tms.matrices[i]
            guard let lim = tileLimits(covering: bbox, in: m) else {
                throw PlanError.invalid("the data (\(bbox)) is outside level \(m.id) of \(tms.id)")
            }
            out.append(LevelPlan(matrix: m, limits: lim, tilesPerWidth: tilesPerWidth, tilesPerHeight: tilesPerHeight))
        }
        return out
    }
}

public enum PlanError: Error, CustomStringConvertible {
    case unknownLevel(String, String, [String])
    case invalid(String)
    public var description: String {
        switch self {
        case .unknownLevel(let l, let t, let ids): "level \(l) is not in tile matrix set \(t) (levels: \(ids.joined(separator: ", ")))"
        case .invalid(let m): m
        }
    }
}
