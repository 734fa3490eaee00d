/// Arithmetic on minor units. The chain's one rounding rule: a share of an amount that falls
/// between two minor units goes to the nearer one, and a half goes away from zero
/// (12.5 → 13, -12.5 → -13). Percentages and tax rates are basis points (1 600 = 16 %).
public enum MinorUnits {
    /// `amount` × `numerator` / `denominator`, rounded by the chain's rule. The denominator is positive.
    public static func scaled(_ amount: Int64, by numerator: Int64, over denominator: Int64) -> Int64 {
        precondition(denominator > 0, "a positive denominator")
        let (product, overflow) = amount.multipliedReportingOverflow(by: numerator)
        guard !overflow else {
            // Amounts of this size do not occur in a gym; stay exact in floating point's range anyway.
            return Int64((Double(amount) * Double(numerator) / Double(denominator)).rounded(.toNearestOrAwayFromZero))
        }
        let quotient = product / denominator
        let remainder = product % denominator
        guard remainder.magnitude * 2 >= UInt64(denominator) else { return quotient }
        return product < 0 ? quotient - 1 : quotient + 1
    }

    /// `basisPoints` of `amount` (a discount of 1 000 bp on 45 000 is 4 500).
    public static func share(_ amount: Int64, basisPoints: Int) -> Int64 {
        scaled(amount, by: Int64(basisPoints), over: 10_000)
    }
}

/// A tax rate in basis points (1 600 = 16 %). Prices are tax-inclusive: the price a member pays
/// contains the tax, and receipts and invoices show the part that is tax.
public struct TaxRate: Hashable, Sendable, Codable, Comparable {
    public var basisPoints: Int

    public init(basisPoints: Int) { self.basisPoints = basisPoints }

    public static let zero = TaxRate(basisPoints: 0)

    /// The tax contained in a tax-inclusive amount: gross × rate / (1 + rate), rounded by the chain's rule.
    public func included(in gross: Int64) -> Int64 {
        MinorUnits.scaled(gross, by: Int64(basisPoints), over: 10_000 + Int64(max(0, basisPoints)))
    }

    /// "16%", "8.5%".
    public var description: String {
        let whole = basisPoints / 100
        let rest = basisPoints % 100
        guard rest != 0 else { return "\(whole)%" }
        return rest % 10 == 0 ? "\(whole).\(rest / 10)%" : "\(whole).\(rest < 10 ? "0" : "")\(rest)%"
    }

    public static func < (a: TaxRate, b: TaxRate) -> Bool { a.basisPoints < b.basisPoints }
}
