import PorteroModel
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        (Int64(45_000), 1_000, Int64(4_500)), (Int64(125), 1_000, Int64(13)), (Int64(-125), 1_000, Int64(-13)),
        (Int64(124), 1_000, Int64(12)), (Int64(1), 5_000, Int64(1)), (Int64(0), 1_600, Int64(0)),
        (Int64(99_999), 10_000, Int64(99_999)),
    ])
    func aShareRoundsHalfAwayFromZero(amount: Int64, basisPoints: Int, expected: Int64) {
        #expect(MinorUnits.share(amount, basisPoints: basisPoints) == expected)
    }

    @Test func theTaxInsideATaxInclusivePriceAddsBackToThePrice() {
        let rate = TaxRate(basisPoints: 1_600)
        // 116.00 with 16 % inside: 16.00 tax on 100.00.
        #expect(rate.included(in: 11_600) == 1_600)
        // 450.00: 62.068… → 62.07.
        #expect(rate.included(in: 45_000) == 6_207)
        #expect(TaxRate.zero.included(in: 45_000) == 0)
        #expect(rate.included(in: -11_600) == -1_600)
        #expect(rate.description == "16%")
        #expect(TaxRate(basisPoints: 850).description == "8.5%")
        #expect(TaxRate(basisPoints: 1_625).description == "16.25%")
    }

    @Test func hugeAmountsDoNotTrap() {
        #expect(MinorUnits.share(Int64.max / 2, basisPoints: 10_000) > 0)
    }
}
