import SQLite

/// A row as the stores read it, from either backend (SQLite's own `Row` is one of them).
package typealias Row = any SQLRow
