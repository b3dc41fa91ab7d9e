import Geo
import OGCCore

/// A filter expression (OGC Filter Encoding 1.1 / 2.0, and the CQL subset), shared by WFS queries and SLD
/// rules. Property names are checked against the layer's columns before a filter reaches a data source.
public indirect enum Filter: Sendable, Equatable {
    case and([Filter])
    case or([Filter])
    case not(Filter)
    case comparison(ComparisonOp, Expression, Expression, matchCase: Bool)
    case like(Expression, pattern: String, wildCard: Character, singleChar: Character, escape: Character, matchCase: Bool)
    case between(Expression, lower: Expression, upper: Expression)
    case isNull(Expression)
    /// A spatial predicate against a literal geometry (given in the layer's native CRS once resolved).
    case spatial(SpatialOp, property: String?, geometry: Geometry, srid: Int?)
    /// BBOX with its envelope.
    case bbox(property: String?, BBox, srid: Int?)
    case distance(DistanceOp, property: String?, geometry: Geometry, srid: Int?, distance: Double, units: String?)
    case resourceIds([String])
    case include
    case exclude
}

public enum ComparisonOp: String, Sendable {
    case equal = "=", notEqual = "<>", less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
}

public enum SpatialOp: String, Sendable {
    case equals = "Equals", disjoint = "Disjoint", touches = "Touches", within = "Within", overlaps = "Overlaps"
    case crosses = "Crosses", intersects = "Intersects", contains = "Contains"
}

public enum DistanceOp: String, Sendable {
    case dWithin = "DWithin", beyond = "Beyond"
}

public indirect enum Expression: Sendable, Equatable {
    case property(String)
    case literal(Value)
    case function(String, [Expression])
    case arithmetic(Character, Expression, Expression)
}
