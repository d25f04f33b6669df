/// Renders records for `sshlog events`: text for people, JSON Lines for programs.
///
/// JSON Lines schema (stable; documented in README.md): `time` (RFC 3339 UTC, µs), `ts` (µs since
/// the epoch), `host`, `program`, `pid` (null when absent), `message`, `source`, `line`,
/// `malformed` (only when true), and, when a pattern matched, `kind`, `pattern` and `fields`.
public final class EventsPrinter {
    public enum Format { case text, jsonl }
    let format: Format
    let out: OutputWriter
    /// Time stamps: local for text, UTC for JSON Lines.
    let localStamp = StampWriter(local: true)
    let utcStamp = StampWriter(local: false)

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
            out.write("(no header) " as StaticString)
            out.writeTerminalSafe(r.line)
            out.byte(0x0A)
            return
        }
        localStamp.write(r.time, to: out)
        out.byte(0x20)
        if !r.hostRange.isEmpty { out.writeTerminalSafe(r.host); out.byte(0x20) }
        out.writeTerminalSafe(r.program)
        if r.pid >= 0 {
            out.byte(UInt8(ascii: "["))
            out.writeDecimal(Int64(r.pid))
            out.byte(UInt8(ascii: "]"))
        }
        out.write(": " as StaticString)
        out.writeTerminalSafe(r.message)
        if tag != nil { textTag(tag!) }
        out.byte(0x0A)
    }

    /// `  ⟨kind field=value …⟩`. Borrowed: binding the optional would copy the event (a retain
    /// and a release per String in it).
    @inline(__always)
    func textTag(_ tag: borrowing TaggedEvent) {
        out.write("  ⟨" as StaticString)
        out.write(tag.kind.rawValue)
        tag.fields.forEachSet { name, value in
            out.byte(0x20)
            out.write(name)
            out.byte(UInt8(ascii: "="))
            writeTerminalField(value)
        }
        if tag.spoofed { out.write(" SPOOFED" as StaticString) }
        out.write("⟩" as StaticString)
    }

    /// A field value for the text format: what `Sanitizer.terminal` makes of the `pairs` value.
    /// Printable ASCII (nearly every value) is copied as it is; anything else takes the String
    /// path, so decoding and escaping stay exactly `Sanitizer.terminal`'s.
    @inline(__always)
    func writeTerminalField(_ v: EventFields.RenderValue) {
        switch v {
        case .bytes(let b):
            if let p = b.baseAddress, ByteScan.terminalPlainPrefix(p, b.count) != b.count {
                out.write(Sanitizer.terminal(String(decoding: b, as: UTF8.self)))
            } else {
                out.write(b)
            }
        case .string(let s): out.write(Sanitizer.terminal(s))
        case .int(let i): out.writeDecimal(i)
        }
    }

    /// A field value inside a JSON string: `writeJSONString` of the `pairs` value. ASCII bytes
    /// decode to themselves; others go through the decoded String, as before.
    @inline(__always)
    func writeJSONField(_ v: EventFields.RenderValue) {
        switch v {
        case .bytes(let b):
            if let p = b.baseAddress, ByteScan.hasNonASCII(p, b.count) {
                out.writeJSONString(String(decoding: b, as: UTF8.self))
            } else {
                out.writeJSONString(b)
            }
        case .string(let s): out.writeJSONString(s)
        case .int(let i): out.writeDecimal(i)
        }
    }

    func json(_ r: SyslogRecord, _ loc: SourceLocation, _ tag: TaggedEvent?) {
        out.write("{\"time\":\"" as StaticString)
        utcStamp.write(r.time, to: out)
        out.write("\",\"ts\":" as StaticString)
        out.writeDecimal(r.time)
        out.write(",\"host\":\"" as StaticString)
        out.writeJSONString(r.host)
        out.write("\",\"program\":\"" as StaticString)
        out.writeJSONString(r.program)
        if r.pid >= 0 {
            out.write("\",\"pid\":" as StaticString)
            out.writeDecimal(Int64(r.pid))
            out.write(",\"message\":\"" as StaticString)
        } else {
            out.write("\",\"pid\":null,\"message\":\"" as StaticString)
        }
        out.writeJSONString(r.message)
        out.write("\",\"source\":\"" as StaticString)
        out.writeJSONString(loc.source)
        out.write("\",\"line\":" as StaticString)
        out.writeDecimal(loc.line)
        if let c = loc.cursor {
            out.write(",\"cursor\":\"" as StaticString)
            out.writeJSONString(c)
            out.byte(UInt8(ascii: "\""))
        }
        if r.malformed { out.write(",\"malformed\":true" as StaticString) }
        if tag != nil { jsonTag(tag!) }
        out.write("}\n" as StaticString)
    }

    /// `,"kind":…,"pattern":…,"fields":{…}` and `"spoofed"`.
    @inline(__always)
    func jsonTag(_ tag: borrowing TaggedEvent) {
        out.write(",\"kind\":\"" as StaticString)
        out.write(tag.kind.rawValue)
        out.write("\",\"pattern\":\"" as StaticString)
        out.writeJSONString(tag.patternID)
        out.write("\",\"fields\":{" as StaticString)
        var first = true
        tag.fields.forEachSet { name, value in
            out.write(first ? "\"" as StaticString : ",\"" as StaticString)
            first = false
            out.write(name)
            out.write("\":\"" as StaticString)
            writeJSONField(value)
            out.byte(UInt8(ascii: "\""))
        }
        out.byte(UInt8(ascii: "}"))
        if tag.spoofed { out.write(",\"spoofed\":true" as StaticString) }
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
