import HTTP
import PorteroModel
import CoreStorage
import BackOffice
import Foundation

/// Charts drawn on the server as SVG: each has a title and description for screen readers and a
/// table-like legend with the numbers, so nothing is conveyed by colour alone.
package enum WebCharts {
    package static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    package static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// A pie of labelled counts, with a legend giving each count and share.
    package static func pie(title: String, slices: [(label: String, value: Double, shown: String)], id: String) -> HTML
    {
        let total = slices.reduce(0) { $0 + max(0, $1.value) }
        guard total > 0 else { return "<figure class=\"chart\"><figcaption>\(title)</figcaption><p>—</p></figure>" }
        var paths: [HTML] = []
        var angle = -Double.pi / 2
        for (index, slice) in slices.enumerated() where slice.value > 0 {
            let sweep = slice.value / total * 2 * Double.pi
            let colour = palette[index % palette.count]
            let label = "\(slice.label): \(slice.shown)"
            if sweep >= 2 * Double.pi - 0.0001 {
                paths.append(
                    "<circle cx=\"100\" cy=\"100\" r=\"90\" fill=\"\(colour)\"><title>\(label)</title></circle>")
            } else {
                let (x1, y1) = (100 + 90 * cos(angle), 100 + 90 * sin(angle))
                let (x2, y2) = (100 + 90 * cos(angle + sweep), 100 + 90 * sin(angle + sweep))
                let d =
                    """
                    M100,100 L\(format(x1)),\(format(y1)) A90,90 0 \(sweep > Double.pi ? 1 : 0),1 \
                    \(format(x2)),\(format(y2)) Z
                    """
                paths.append(
                    """
                    <path d="\(d)" fill="\(colour)" stroke="#fff" stroke-width="1"><title>\(label)</title></path>
                    """
                )
            }
            angle += sweep
        }
        let legend: [HTML] = slices.enumerated().map { index, slice in
            let share = Int((slice.value / total * 100).rounded())
            return
                """
                <li><svg class="swatch" width="12" height="12" aria-hidden="true">\
                <rect width="12" height="12" fill="\(palette[index % palette.count])"/></svg>\
                \(slice.label): \(slice.shown) (\(share) %)</li>
                """
        }
        return """
            <figure class="chart" aria-labelledby="\(id)-title"><figcaption id="\(id)-title">\(title)</figcaption>\
            <svg viewBox="0 0 200 200" width="200" height="200" role="img" aria-labelledby="\(id)-title \(id)-desc">\
            <desc id="\(id)-desc">\(slices.map { "\($0.label): \($0.shown)" }.joined(separator: "; "))</desc>\(paths)\
            </svg>\
            <ul class="legend">\(legend)</ul></figure>
            """
    }

    /// Vertical bars of labelled counts, the value over each bar. Each label's words go on lines of
    /// their own ("nov" over "2026"), and bars stand far enough apart that neither the labels
    /// nor the values over the bars touch.
    package static func bars(title: String, bars: [(label: String, value: Int)], id: String) -> HTML {
        let step = barStep(bars)
        let width = max(300, bars.count * step + 40)
        let top = max(1, bars.map(\.value).max() ?? 1)
        let items: [HTML] = bars.enumerated().map { index, bar in
            let height = Double(bar.value) / Double(top) * 150
            let x = 30 + index * step
            let centre = x + step / 2 - 6
            let lines: [HTML] = bar.label.split(separator: " ", maxSplits: 1).enumerated().map { line, words in
                "<tspan x=\"\(centre)\" dy=\"\(line == 0 ? 0 : 11)\">\(String(words))</tspan>"
            }
            return """
                <g><title>\(bar.label): \(bar.value)</title>\
                <rect x="\(centre - 14)" y="\(format(170 - height))" width="28" height="\(format(height))" \
                fill="\(palette[0])"/>\
                <text x="\(centre)" y="\(format(165 - height))" text-anchor="middle" font-size="10">\(bar.value)</text>\
                <text x="\(centre)" y="184" text-anchor="middle" font-size="9">\(lines)</text></g>
                """
        }
        return """
            <figure class="chart wide" aria-labelledby="\(id)-title"><figcaption id="\(id)-title">\(title)</figcaption>\
            <svg viewBox="0 0 \(width) 205" width="\(width)" height="205" role="img" \
            aria-labelledby="\(id)-title \(id)-desc">\
            <desc id="\(id)-desc">\(bars.map { "\($0.label): \($0.value)" }.joined(separator: "; "))</desc>\
            <line x1="25" y1="170" x2="\(width - 5)" y2="170" stroke="#888"/>\(items)</svg></figure>
            """
    }

    /// The distance between bars: at least 40, and wider than the widest label line or value at
    /// about 0.62 em a character (9 px labels, 10 px values), with 6 px between neighbours.
    package static func barStep(_ bars: [(label: String, value: Int)]) -> Int {
        let widest =
            bars.map { bar in
                let line = bar.label.split(separator: " ", maxSplits: 1).map(\.count).max() ?? 0
                return max(Double(line) * 9 * 0.62, Double(String(bar.value).count) * 10 * 0.62)
            }.max() ?? 0
        return max(40, Int(widest.rounded(.up)) + 6)
    }
}
