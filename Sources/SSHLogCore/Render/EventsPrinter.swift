/// Renders records for `sshlog events`: text for people, JSON Lines for programs.
///
/// JSON Lines schema (stable; documented in README.md): `time` (RFC 3339 UTC, µs), `ts` (µs since
/// the epoch), `host`, `program`, `pid` (null when absent), `message`, `source`, `line`,
/// `malformed` (only when true), and, when a pattern matched, `kind`, `pattern` and `fields`.
public final class EventsPrinter {
    public enum Format { case text, jsonl }
    let format: Format
    let out: OutputWriter
    /// The formatted stamp of the last second seen, up to (not including) the fraction, and the
    /// zone suffix: most consecutive records share their second.
    var cachedSecond: Int64 = .min
    var cachedPrefix: [UInt8] = []
    var cachedSuffix: [UInt8] = []
    var cachedUTCSecond: Int64 = .min
    var cachedUTCPrefix: [UInt8] = []

    public init(format: Format, out: OutputWriter) {
        self.format = format
        self.out = out
    }

    public func print(_ r: SyslogRecord, location: SourceLocation, tag: TaggedEvent? = nil) {
        switch format {
        case .text: text(r, tag)
        case .jsonl: json(r, location, tag)
        }
    }

    func text(_ r: SyslogRecord, _ tag: TaggedEvent?) {
        if r.malformed {
            out.write("(no header) ")
            out.writeTerminalSafe(r.line)
            out.byte(0x0A)
            return
        }
        writeLocalTime(r.time)
        out.byte(0x20)
        if !r.hostRange.isEmpty { out.writeTerminalSafe(r.host); out.byte(0x20) }
        out.writeTerminalSafe(r.program)
        if r.pid >= 0 { out.write("[\(r.pid)]") }
        out.write(": ")
        out.writeTerminalSafe(r.message)
        if let tag {
            out.write("  ⟨\(tag.kind.rawValue)")
            for (k, v) in tag.fields.pairs {
                out.write(" \(k)=")
                out.write(Sanitizer.terminal(v))
            }
            if tag.spoofed { out.write(" SPOOFED") }
            out.write("⟩")
        }
        out.byte(0x0A)
    }

    /// `2026-11-22T10:02:11.123456+01:00`, formatted once per second.
    @inline(__always)
    func writeLocalTime(_ t: Int64) {
        let sec = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
        if sec != cachedSecond {
            cachedSecond = sec
            let full = Array(TimeFormat.rfc3339Local(sec * 1_000_000).utf8)   // ....SS.000000+01:00
            cachedPrefix = Array(full[0..<20])   // through "SS."
            cachedSuffix = Array(full[26...])    // zone
        }
        cachedPrefix.withUnsafeBytes { out.write($0) }
        writeMicros(Int(t - sec * 1_000_000))
        cachedSuffix.withUnsafeBytes { out.write($0) }
    }

    /// `2026-11-22T10:02:11.123456Z`, formatted once per second.
    @inline(__always)
    func writeUTCTime(_ t: Int64) {
        let sec = t >= 0 ? t / 1_000_000 : (t - 999_999) / 1_000_000
        if sec != cachedUTCSecond {
            cachedUTCSecond = sec
            cachedUTCPrefix = Array(Array(TimeFormat.rfc3339UTC(sec * 1_000_000).utf8)[0..<20])
        }
        cachedUTCPrefix.withUnsafeBytes { out.write($0) }
        writeMicros(Int(t - sec * 1_000_000))
        out.byte(UInt8(ascii: "Z"))
    }

    @inline(__always)
    func writeMicros(_ us: Int) {
        var v = us
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            for i in stride(from: 5, through: 0, by: -1) { d[i] = UInt8(0x30 + v % 10); v /= 10 }
            out.write(UnsafeRawBufferPointer(d))
        }
    }

    func json(_ r: SyslogRecord, _ loc: SourceLocation, _ tag: TaggedEvent?) {
        out.write("{\"time\":\"")
        writeUTCTime(r.time)
        out.write("\",\"ts\":\(r.time),\"host\":\"")
        out.writeJSONString(r.host)
        out.write("\",\"program\":\"")
        out.writeJSONString(r.program)
        out.write(r.pid >= 0 ? "\",\"pid\":\(r.pid),\"message\":\"" : "\",\"pid\":null,\"message\":\"")
        out.writeJSONString(r.message)
        out.write("\",\"source\":\"")
        out.writeJSONString(loc.source)
        out.write("\",\"line\":\(loc.line)")
        if let c = loc.cursor { out.write(",\"cursor\":\""); out.writeJSONString(c); out.write("\"") }
        if r.malformed { out.write(",\"malformed\":true") }
        if let tag {
            out.write(",\"kind\":\"\(tag.kind.rawValue)\",\"pattern\":\"")
            out.writeJSONString(tag.patternID)
            out.write("\",\"fields\":{")
            var first = true
            for (k, v) in tag.fields.pairs {
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                out.write("\"\(k)\":\"")
                out.writeJSONString(v)
                out.write("\"")
            }
            out.write("}")
            if tag.spoofed { out.write(",\"spoofed\":true") }
        }
        out.write("}\n")
    }
}

/// `--program` filter: `sshd` stands for the sshd family, `fail2ban` for `fail2ban.*`.
public struct ProgramFilter {
    let names: [[UInt8]]
    public init(_ names: [String]) { self.names = names.map { Array($0.utf8) } }

    public func accepts(_ program: UnsafeRawBufferPointer) -> Bool {
        if names.isEmpty { return true }
        for n in names {
            if program.elementsEqual(n) { return true }
            if program.count > n.count, program.starts(with: n) {
                let next = program[n.count]
                if next == UInt8(ascii: ".") { return true }
                if next == UInt8(ascii: "-"), n == Array("sshd".utf8) {
                    let rest = program[(n.count + 1)...]
                    if rest.elementsEqual("session".utf8) || rest.elementsEqual("auth".utf8) { return true }
                }
            }
        }
        return false
    }
}
