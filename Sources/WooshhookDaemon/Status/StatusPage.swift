import Foundation
import WooshPay

/// The status page's HTML: one self-contained document (inline CSS, inline SVG, no script, nothing from another
/// origin), readable without JavaScript; it refreshes itself every 15 seconds with a meta tag. Every value is
/// written through `HTMLEscaping`, numbers included, so nothing from a request or an event can become markup.
enum StatusPage {
    static func html(_ snapshot: StatusSnapshot) -> [UInt8] {
        var page = head
        let healthy = snapshot.health == "ok"
        page += """
            <header><h1>wooshhook</h1><span class="badge \(healthy ? "ok" : "bad")" id="health">\
            \(e(snapshot.health))</span><span class="when">generated \(e(snapshot.generatedAt)) · refreshes every \
            15 s</span></header>
            <main>
            """
        page += journalSection(snapshot.journal)
        page += eventsSection(snapshot)
        page += rejectionsSection(snapshot)
        page += handlersSection(snapshot.handlers)
        page += "</main></body></html>\n"
        return Array(page.utf8)
    }

    private static func e(_ text: String) -> String { HTMLEscaping.escape(text) }
    private static func e(_ number: some BinaryInteger) -> String { HTMLEscaping.escape("\(number)") }

    private static func journalSection(_ journal: StatusSnapshot.JournalRow) -> String {
        let latency = journal.fsyncMeanSeconds.map { String(format: "%.2f ms", $0 * 1000) } ?? "–"
        return """
            <section id="journal"><h2>Journal</h2><div class="grid">
            <div class="stat"><div class="v">\(e(journal.lastSeq))</div><div class="k">last seq</div></div>
            <div class="stat"><div class="v">\(e(journal.segments))</div><div class="k">segments</div></div>
            <div class="stat"><div class="v" title="\(e(journal.bytes)) bytes">\(e(byteText(journal.bytes)))</div>\
            <div class="k">on disk</div></div>
            <div class="stat"><div class="v">\(e(latency))</div><div class="k">mean fsync (\(e(journal.fsync)), \
            \(e(journal.fsyncCount)) since start)</div></div>
            </div><p class="path">\(e(journal.directory))\(journal.writable ? "" : " · <b class=\"bad-text\">not writable</b>")</p>
            </section>
            """
    }

    private static func eventsSection(_ snapshot: StatusSnapshot) -> String {
        var html = "<section id=\"events\"><h2>Last events</h2>"
        guard !snapshot.events.isEmpty else {
            return html + "<p class=\"empty\">No event journaled yet.</p></section>"
        }
        html += """
            <table><thead><tr><th>received (UTC)</th><th>type</th><th>event</th><th>object</th>\
            <th class="num">amount</th><th>status</th></tr></thead><tbody>
            """
        for event in snapshot.events {
            let status = event.status ?? "–"
            let statusClass = status == "succeeded" ? "ok" : (status == "–" ? "plain" : "warn")
            html += """
                <tr><td class="mono">\(time(event.receivedAt))</td><td>\(e(event.type))</td>\
                <td class="mono">\(e(event.eventID))</td><td class="mono">\(e(event.objectID ?? "–"))</td>\
                <td class="num">\(e(event.amountText ?? "–"))</td>\
                <td><span class="badge \(statusClass)">\(e(status))</span></td></tr>
                """
        }
        html += "</tbody></table>"
        if snapshot.damagedEventLines > 0 {
            html +=
                "<p class=\"bad-text\">\(e(snapshot.damagedEventLines)) damaged journal line(s) skipped; "
                + "run <code>wooshhook journal verify</code>.</p>"
        }
        return html + "</section>"
    }

    private static func rejectionsSection(_ snapshot: StatusSnapshot) -> String {
        let total = snapshot.rejectionsByCode.reduce(0) { $0 + $1.count }
        var html = """
            <section id="rejections"><h2>Rejections in the last hour: \(e(total))</h2><div class="charts">
            """
        html += byCodeChart(snapshot.rejectionsByCode.filter { $0.count > 0 })
        html += perMinuteChart(snapshot.rejectionsPerMinute)
        html += "</div><h3>Most recent</h3>"
        guard !snapshot.recentRejections.isEmpty else {
            return html + "<p class=\"empty\">No rejection recorded.</p></section>"
        }
        html += """
            <table><thead><tr><th>time (UTC)</th><th>status</th><th>code</th><th>client</th><th>request</th>\
            <th class="num">length</th><th>event</th></tr></thead><tbody>
            """
        for record in snapshot.recentRejections {
            let event = [record.eventID, record.type, record.signatureT.map { "t=\($0)" }].compactMap { $0 }
                .joined(separator: " · ")
            let dropped =
                record.dropped.map {
                    " <span class=\"badge warn\" title=\"not logged one by one; this is the last of them\">+\(e($0)) more</span>"
                } ?? ""
            html += """
                <tr><td class="mono">\(time(record.time))</td><td>\(e(record.status))</td>\
                <td><span class="badge \(record.status >= 500 ? "bad" : "code")">\(e(record.code))</span>\(dropped)</td>\
                <td class="mono">\(e(record.remoteAddr ?? "–"))</td>\
                <td class="mono">\(e(record.method ?? "–")) \(e(record.path ?? ""))</td>\
                <td class="num">\(e(record.contentLength.map { "\($0)" } ?? "–"))</td>\
                <td class="mono wrap">\(e(event.isEmpty ? "–" : event))</td></tr>
                """
        }
        return html + "</tbody></table></section>"
    }

    /// Horizontal bars, one per code seen in the last hour.
    private static func byCodeChart(_ counts: [(code: RejectionCode, count: Int)]) -> String {
        guard let largest = counts.map(\.count).max() else {
            return "<p class=\"empty chart\">No rejection in the last hour.</p>"
        }
        let row = 24
        let height = counts.count * row + 4
        var svg = """
            <svg class="chart" role="img" aria-label="rejections by code, last hour" width="570" height="\(height)" \
            viewBox="0 0 570 \(height)" xmlns="http://www.w3.org/2000/svg">
            """
        for (index, item) in counts.enumerated() {
            let y = index * row + 2
            let width = max(2, Int((Double(item.count) / Double(largest) * 250).rounded()))
            let colour = item.code.httpStatus >= 500 ? "#c62828" : (item.code.httpStatus == 401 ? "#d98e04" : "#5b6b8c")
            svg += """
                <text x="0" y="\(y + 16)" class="label">\(e(item.code.rawValue)) (\(e(item.code.httpStatus)))</text>\
                <rect x="250" y="\(y + 3)" width="\(width)" height="17" rx="3" fill="\(colour)"/>\
                <text x="\(256 + width)" y="\(y + 16)" class="count">\(e(item.count))</text>
                """
        }
        return svg + "</svg>"
    }

    /// Sixty bars, one per minute, the current minute on the right.
    private static func perMinuteChart(_ perMinute: [Int]) -> String {
        let largest = max(1, perMinute.max() ?? 0)
        var svg = """
            <svg class="chart" role="img" aria-label="rejections per minute, last hour" width="360" height="96" \
            viewBox="0 0 360 96" xmlns="http://www.w3.org/2000/svg">\
            <line x1="0" y1="74.5" x2="360" y2="74.5" stroke="#cfd4dd"/>
            """
        for (index, count) in perMinute.enumerated() where count > 0 {
            let height = max(1, Int((Double(count) / Double(largest) * 58).rounded()))
            svg +=
                "<rect x=\"\(index * 6)\" y=\"\(74 - height)\" width=\"5\" height=\"\(height)\" fill=\"#3557d4\">"
                + "<title>\(e(count))</title></rect>"
        }
        svg += """
            <text x="0" y="90" class="axis">60 min ago</text><text x="360" y="90" class="axis" text-anchor="end">now</text>\
            <text x="0" y="10" class="axis">per minute, at most \(e(perMinute.max() ?? 0))</text></svg>
            """
        return svg
    }

    private static func handlersSection(_ handlers: [StatusSnapshot.HandlerRow]) -> String {
        var html = "<section id=\"handlers\"><h2>Handlers</h2>"
        guard !handlers.isEmpty else { return html + "<p class=\"empty\">No handler configured.</p></section>" }
        html += """
            <table><thead><tr><th>name</th><th>kind</th><th class="num">cursor</th><th class="num">lag</th>\
            <th class="num">dead letters</th><th>last error</th></tr></thead><tbody>
            """
        for handler in handlers {
            let error: String
            if let lastError = handler.lastError {
                let state =
                    handler.failingAttempts > 0
                    ? "failing, \(handler.failingAttempts) attempt(s) in a row" : "since recovered"
                error =
                    "<span class=\"bad-text\">\(e(lastError))</span><br><span class=\"muted\">"
                    + "\(e(handler.lastErrorAt ?? "")) · \(e(state))</span>"
            } else {
                error = "<span class=\"muted\">none</span>"
            }
            let lagClass = (handler.lag ?? 0) > 0 ? "warn-text" : ""
            html += """
                <tr><td><b>\(e(handler.name))</b></td><td>\(e(handler.kind))</td>\
                <td class="num">\(e(handler.cursor.map { "\($0)" } ?? "–"))</td>\
                <td class="num \(lagClass)">\(e(handler.lag.map { "\($0)" } ?? "–"))</td>\
                <td class="num\(handler.deadLetters > 0 ? " bad-text" : "")">\(e(handler.deadLetters))</td>\
                <td class="error">\(error)</td></tr>
                """
        }
        return html + "</tbody></table></section>"
    }

    /// The time of day of an RFC 3339 time, the whole of it on hover: the rows are recent, and the full form
    /// would crowd out the ids.
    private static func time(_ text: String) -> String {
        guard text.count == 24 else { return e(text) }
        let shown = text.dropFirst(11).dropLast()
        return "<span title=\"\(e(text))\">\(e(String(shown)))</span>"
    }

    private static func byteText(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(String(format: "%.1f", value)) \(units[unit])"
    }

    private static let head = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="refresh" content="15">
        <title>wooshhook status</title>
        <style>
        :root{--fg:#1d2330;--muted:#6b7385;--line:#e3e6ec;--bg:#f4f5f8;--ok:#1a7f37;--bad:#c62828;--warn:#9a5b00}
        *{box-sizing:border-box}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;margin:0;
        background:var(--bg);color:var(--fg)}
        header{background:#1d2330;color:#fff;padding:14px 28px;display:flex;align-items:center;gap:16px}
        header h1{font-size:19px;margin:0;letter-spacing:.01em}
        header .when{color:#aab2c3;font-size:12.5px;margin-left:auto}
        main{max-width:1180px;margin:0 auto;padding:8px 28px 40px}
        section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin-top:18px}
        h2{font-size:15px;margin:0 0 12px}h3{font-size:13px;margin:16px 0 6px;color:var(--muted)}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
        td.wrap,td.error{white-space:normal}
        tr:last-child td{border-bottom:none}
        th{font-weight:600;color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.04em}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        .mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
        .badge{display:inline-block;padding:1px 9px;border-radius:999px;font-weight:600;font-size:12px;white-space:nowrap}
        .ok{background:#dcf3e3;color:var(--ok)}.bad{background:#fde2e1;color:var(--bad)}
        .warn{background:#fff0d4;color:var(--warn)}.code{background:#eceff5;color:#3a4460}.plain{background:#eceff5;color:var(--muted)}
        header .badge.ok{background:#2e9b4f;color:#fff}header .badge.bad{background:#d93b3b;color:#fff}
        .grid{display:grid;grid-template-columns:repeat(4,1fr);gap:14px}
        .stat{background:#f8f9fb;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
        .stat .v{font-size:21px;font-weight:650;font-variant-numeric:tabular-nums}.stat .k{color:var(--muted);font-size:12px}
        .path{color:var(--muted);font-size:12px;margin:10px 0 0;font-family:ui-monospace,Menlo,monospace}
        .charts{display:flex;flex-wrap:wrap;gap:28px;align-items:flex-start}
        .chart .label{font-size:12.5px;fill:#1d2330;font-family:ui-monospace,Menlo,monospace}
        .chart .count{font-size:12.5px;fill:#1d2330;font-weight:600}.chart .axis{font-size:11px;fill:#6b7385}
        .empty{color:var(--muted);font-style:italic}.muted{color:var(--muted);font-size:12px}
        .bad-text{color:var(--bad)}.warn-text{color:var(--warn)}td.error{max-width:460px;word-break:break-word}
        </style></head><body>

        """
}
