/// A lenient splitter of one log line into host, program, pid and message, for `sshlog patterns
/// test` and the corpus tests. Not the ingest stage's header parser: it does not parse times.
///
/// Recognised: `... <host> <program>[<pid>]: <message>` after any timestamp (traditional, RFC 3339,
/// journal `short`), fail2ban's own `<date> <time> <logger> [<pid>]: <message>`, `<program>: <message>`
/// after a traditional or ISO timestamp, and a bare message (program taken from the caller).
public struct LogLineSplitter {
    public var host: String
    public var program: String
    public var pid: Int32
    public var message: String

    /// - Parameters:
    ///   - line: a whole log line, or just a message.
    ///   - defaultProgram: the program assumed when the line has no recognisable header.
    public init(_ line: String, defaultProgram: String) {
        var l = line
        while let c = l.last, c == "\r" || c == "\n" { l.removeLast() }
        let tokens = l.split(separator: " ", maxSplits: 8, omittingEmptySubsequences: true)
        host = ""; program = defaultProgram; pid = -1; message = l
        if Self.splitRFC5424(l, &self) { return }
        // program[pid]: within the first tokens.
        for (i, t) in tokens.prefix(7).enumerated() {
            if t.hasSuffix("]:"), let open = t.lastIndex(of: "[") {
                let pidText = t[t.index(after: open)..<t.index(t.endIndex, offsetBy: -2)]
                guard let p = Int32(pidText) else { continue }
                var name = String(t[..<open])
                if name.isEmpty, i > 0 { name = String(tokens[i - 1]) }   // fail2ban: "fail2ban.filter   [812]:"
                else if i > 0, !Self.looksLikeTime(tokens[i - 1]) { host = String(tokens[i - 1]) }
                guard !name.isEmpty else { continue }
                program = name; pid = p
                message = Self.after(t, in: l)
                return
            }
        }
        // program: after a timestamp (traditional `Mon dd hh:mm:ss host prog:` or ISO `date host prog:`).
        guard let first = tokens.first, Self.looksLikeTime(first) || Self.isMonth(first) else { return }
        // `[program]:` or `[program]` right after the time (seen in fail2ban's samples).
        for (i, t) in tokens.prefix(5).enumerated() where i >= 1 && t.hasPrefix("[") && Self.looksLikeTime(tokens[i - 1]) {
            let name = t.dropFirst().prefix { $0 != "]" }
            guard !name.isEmpty, t.hasSuffix("]") || t.hasSuffix("]:") else { break }
            program = String(name)
            message = Self.after(t, in: l)
            return
        }
        for (i, t) in tokens.prefix(5).enumerated() where i >= 1 && t.hasSuffix(":") && !Self.looksLikeTime(t) {
            let name = t.dropLast()
            guard !name.isEmpty, name.utf8.allSatisfy({ FieldScan.isHostByte($0) || $0 == UInt8(ascii: "/") }) else { continue }
            program = String(name)
            if i > 0, !Self.looksLikeTime(tokens[i - 1]) { host = String(tokens[i - 1]) }
            message = Self.after(t, in: l)
            return
        }
    }

    /// RFC 5424: `<pri>1 time host app procid msgid [sd...]|- msg`.
    static func splitRFC5424(_ l: String, _ out: inout LogLineSplitter) -> Bool {
        let b = Array(l.utf8)
        guard b.first == UInt8(ascii: "<"), let close = b.firstIndex(of: UInt8(ascii: ">")), close < 5,
              close + 2 < b.count, b[close + 1] == UInt8(ascii: "1"), b[close + 2] == 0x20 else { return false }
        var i = close + 3
        func token() -> String {
            let s = i
            while i < b.count, b[i] != 0x20 { i += 1 }
            let t = String(decoding: b[s..<i], as: UTF8.self)
            if i < b.count { i += 1 }
            return t
        }
        _ = token()
        let host = token(), app = token(), procid = token()
        _ = token()
        if i < b.count, b[i] == UInt8(ascii: "-") {
            i += 1
        } else {
            // Structured data: [id k="v"]... where values may hold escaped \" and \].
            while i < b.count, b[i] == UInt8(ascii: "[") {
                var inQuotes = false
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: "\\"), inQuotes { i += 2; continue }
                    if c == UInt8(ascii: "\"") { inQuotes.toggle() }
                    i += 1
                    if c == UInt8(ascii: "]"), !inQuotes { break }
                }
            }
        }
        if i < b.count, b[i] == 0x20 { i += 1 }
        out.host = host
        out.program = app
        out.pid = Int32(procid) ?? -1
        out.message = String(decoding: b[min(i, b.count)...], as: UTF8.self)
        return true
    }

    static func after(_ token: Substring, in line: String) -> String {
        var rest = line[token.endIndex...]
        if rest.first == " " { rest.removeFirst() }
        return String(rest)
    }

    static func isMonth(_ t: Substring) -> Bool {
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].contains(String(t))
    }

    /// `12:00:00`, `2025-05-01T12:00:00+02:00`, `2025-05-01`, `12:00:00,123`.
    static func looksLikeTime(_ t: Substring) -> Bool {
        guard let f = t.utf8.first, FieldScan.isDigit(f) else { return false }
        return t.contains(":") || t.contains("-")
    }
}
