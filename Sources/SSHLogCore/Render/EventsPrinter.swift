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
    let textFields: TextFieldWriter
    /// `TaggedEvent.fieldsOffset`, read once (a static's lazy initialisation is checked on every read).
    let fieldsAt = TaggedEvent.fieldsOffset
    let jsonFields: JSONFieldWriter

    public init(format: Format, out: OutputWriter) {
        self.format = format
        self.out = out
        textFields = TextFieldWriter(out)
        jsonFields = JSONFieldWriter(out)
    }

    public func print(_ r: SyslogRecord, location: SourceLocation, tag: TaggedEvent? = nil) {
        let place = EventPlace(source: InternedNames.id(location.source), line: location.line, cursor: location.cursor)
        if let tag {
            withUnsafePointer(to: tag) { print(r, place: place, lent: $0) }
        } else {
            print(r, place: place, lent: nil)
        }
    }

    /// `print`, the tag lent in place (`IngestRun.forEachRecordLent`): no copy of the event. The
    /// place is only read for JSON Lines (nil: the empty source, line 0).
    public func print(_ r: SyslogRecord, place: EventPlace?, lent tag: UnsafePointer<TaggedEvent>?) {
        switch format {
        case .text: text(r, tag)
        case .jsonl: json(r, place ?? EventPlace(source: InternedNames.id(""), line: 0, cursor: nil), tag)
        }
    }

    func text(_ r: SyslogRecord, _ tag: UnsafePointer<TaggedEvent>?) {
        if r.malformed {
            out.write("(no header) " as StaticString)
            out.writeTerminalSafe(r.line)
            out.byte(0x0A)
            return
        }
        localStamp.write(r.time, to: out)
        out.byte(0x20)
        if !Self.writeVerbatimTail(r, out) {
            if !r.hostRange.isEmpty { out.writeTerminalSafe(r.host); out.byte(0x20) }
            out.writeTerminalSafe(r.program)
            if r.pid >= 0 {
                out.byte(UInt8(ascii: "["))
                out.writeDecimal(Int64(r.pid))
                out.byte(UInt8(ascii: "]"))
            }
            out.write(": " as StaticString)
            out.writeTerminalSafe(r.message)
        }
        if let tag { textTag(tag) }
        out.byte(0x0A)
    }

    /// Writes the line from its host name (or program, when it names no host) to its end, when
    /// those bytes are exactly what the text format prints there, `host program[pid]: message`,
    /// and all printable ASCII (nothing to escape): the usual line, copied whole instead of in
    /// four escaped pieces. False, with nothing written, otherwise (another layout, a pid with
    /// leading zeros, bytes to escape, a line longer than the output's slack).
    @inline(__always)
    static func writeVerbatimTail(_ r: SyslogRecord, _ out: OutputWriter) -> Bool {
        let l = r.line
        let n = l.count
        guard let base = l.baseAddress, r.messageRange.upperBound == n else { return false }
        var start = r.programRange.lowerBound
        if !r.hostRange.isEmpty {
            let h = r.hostRange.upperBound
            guard h + 1 == start, l[h] == 0x20 else { return false }
            start = r.hostRange.lowerBound
        }
        var e = r.programRange.upperBound
        if r.pid >= 0 {
            // `[digits]`: as many digits as the pid has (so none leading), and at most nine (so
            // the parsed value cannot have wrapped).
            let d = digitCount(r.pid)
            guard d <= 9, e + d + 2 <= n, l[e] == UInt8(ascii: "["), l[e + d + 1] == UInt8(ascii: "]") else { return false }
            e += d + 2
        }
        guard e + 2 == r.messageRange.lowerBound, l[e] == UInt8(ascii: ":"), l[e + 1] == 0x20,
              n - start <= OutputWriter.slack else { return false }
        return out.appendIfPlain(base + start, n - start, ByteScan.terminalFlags, ByteScan.isTerminalPlain)
    }

    /// The number of decimal digits of `v` ≥ 0.
    @inline(__always)
    static func digitCount(_ v: Int32) -> Int {
        v < 10_000 ? (v < 100 ? (v < 10 ? 1 : 2) : (v < 1000 ? 3 : 4))
            : (v < 1_000_000 ? (v < 100_000 ? 5 : 6) : (v < 100_000_000 ? (v < 10_000_000 ? 7 : 8) : (v < 1_000_000_000 ? 9 : 10)))
    }

    /// `  ⟨kind field=value …⟩`. Read through the pointer: passing `pointee` on, even borrowed,
    /// copied the event (a retain and a release per reference in it).
    @inline(__always)
    func textTag(_ tag: UnsafePointer<TaggedEvent>) {
        snippets.textKind(tag.pointee.kind, tag.pointee.patternName, out)
        EventFields.forEachSet(TaggedEvent.fieldsOf(tag, at: fieldsAt), into: textFields)
        if tag.pointee.spoofed { out.write(" SPOOFED" as StaticString) }
        out.write("⟩" as StaticString)
    }

    func json(_ r: SyslogRecord, _ place: EventPlace, _ tag: UnsafePointer<TaggedEvent>?) {
        out.write("{\"time\":\"" as StaticString)
        utcStamp.write(r.time, to: out)
        out.write("\",\"ts\":" as StaticString)
        out.writeDecimal(r.time)
        snippets.hostAndProgram(r.host, r.program, out)
        if r.pid >= 0 {
            out.write("\",\"pid\":" as StaticString)
            out.writeDecimal(Int64(r.pid))
            out.write(",\"message\":\"" as StaticString)
        } else {
            out.write("\",\"pid\":null,\"message\":\"" as StaticString)
        }
        out.writeJSONString(r.message)
        snippets.source(place.source, out)
        out.writeDecimal(place.line)
        if let c = place.cursor {
            out.write(",\"cursor\":\"" as StaticString)
            out.writeJSONString(c)
            out.byte(UInt8(ascii: "\""))
        }
        if r.malformed { out.write(",\"malformed\":true" as StaticString) }
        if let tag { jsonTag(tag) }
        out.write("}\n" as StaticString)
    }

    /// `,"kind":…,"pattern":…,"fields":{…}` and `"spoofed"`.
    @inline(__always)
    func jsonTag(_ tag: UnsafePointer<TaggedEvent>) {
        snippets.kindAndPattern(tag.pointee.kind, tag.pointee.patternName, out)
        jsonFields.first = true
        EventFields.forEachSet(TaggedEvent.fieldsOf(tag, at: fieldsAt), into: jsonFields)
        out.byte(UInt8(ascii: "}"))
        if tag.pointee.spoofed { out.write(",\"spoofed\":true" as StaticString) }
    }

    let snippets = RepeatedPieces()
}

/// Fields in the text format: ` name=value`, the value as `Sanitizer.terminal` makes it of the
/// `pairs` value. Printable ASCII (nearly every value) is copied as it is; anything else takes the
/// String path, so decoding and escaping stay exactly `Sanitizer.terminal`'s.
final class TextFieldWriter: EventFieldSink {
    let out: OutputWriter
    init(_ out: OutputWriter) { self.out = out }

    @inline(__always)
    func name(_ n: StaticString) {
        out.byte(0x20)
        out.write(n)
        out.byte(UInt8(ascii: "="))
    }

    @inline(__always)
    func field(_ n: StaticString, bytes: UnsafeRawBufferPointer) {
        let len = bytes.count, nl = n.utf8CodeUnitCount
        if let p = bytes.baseAddress, nl + len + 2 <= OutputWriter.slack {
            // ` name=`, then the value checked and copied in one pass when nothing is to escape.
            out.reserve(nl + len + 2)
            let d = out.base + out.count
            d[0] = 0x20
            OutputWriter.copy(d + 1, n.utf8Start, nl)
            d[nl + 1] = UInt8(ascii: "=")
            out.count += nl + 2
            if out.appendIfPlain(p, len, ByteScan.terminalFlags, ByteScan.isTerminalPlain) { return }
            out.count -= nl + 2
        }
        escaped(n, bytes)
    }

    /// A value with something to escape (or long).
    @inline(never)
    func escaped(_ n: StaticString, _ bytes: UnsafeRawBufferPointer) {
        name(n)
        if let p = bytes.baseAddress, ByteScan.terminalPlainPrefix(p, bytes.count) != bytes.count {
            out.write(Sanitizer.terminal(String(decoding: bytes, as: UTF8.self)))
        } else {
            out.write(bytes)
        }
    }

    @inline(__always)
    func field(_ n: StaticString, string: String) {
        name(n)
        out.write(Sanitizer.terminal(string))
    }

    @inline(__always)
    func field(_ n: StaticString, int: Int) {
        name(n)
        out.writeDecimal(int)
    }

    func extraField(_ n: String, string: String) {
        out.write(" \(n)=")
        out.write(Sanitizer.terminal(string))
    }
}

/// Fields in JSON Lines: `"name":"value"`, the value as `writeJSONString` writes the `pairs`
/// value. ASCII bytes decode to themselves; others go through the decoded String, as before.
final class JSONFieldWriter: EventFieldSink {
    let out: OutputWriter
    var first = true
    init(_ out: OutputWriter) { self.out = out }

    @inline(__always)
    func name(_ n: StaticString) {
        out.write(first ? "\"" as StaticString : ",\"" as StaticString)
        first = false
        out.write(n)
        out.write("\":\"" as StaticString)
    }

    /// `,"name":"` at `d` (the comma unless first); returns its length.
    @inline(__always)
    func putName(_ n: StaticString, at d: UnsafeMutablePointer<UInt8>) -> Int {
        var k = 0
        if !first { d[0] = UInt8(ascii: ","); k = 1 }
        first = false
        let nl = n.utf8CodeUnitCount
        d[k] = UInt8(ascii: "\"")
        OutputWriter.copy(d + k + 1, n.utf8Start, nl)
        d[k + nl + 1] = UInt8(ascii: "\"")
        d[k + nl + 2] = UInt8(ascii: ":")
        d[k + nl + 3] = UInt8(ascii: "\"")
        return k + nl + 4
    }

    @inline(__always)
    func field(_ n: StaticString, bytes: UnsafeRawBufferPointer) {
        let len = bytes.count
        if let p = bytes.baseAddress, n.utf8CodeUnitCount + len + 6 <= OutputWriter.slack {
            // `,"name":"`, then the value checked and copied in one pass when nothing is to
            // escape, and `"`; one check for room.
            let wasFirst = first
            out.reserve(n.utf8CodeUnitCount + len + 6)
            let k = putName(n, at: out.base + out.count)
            out.count += k
            if out.appendIfPlain(p, len, ByteScan.jsonFlags, ByteScan.isJSONPlain) {
                out.base[out.count] = UInt8(ascii: "\"")
                out.count += 1
                return
            }
            out.count -= k
            first = wasFirst
        }
        name(n)
        value(bytes)
        out.byte(UInt8(ascii: "\""))
    }

    /// A value with something to escape (or long).
    @inline(never)
    func value(_ bytes: UnsafeRawBufferPointer) {
        if let p = bytes.baseAddress, ByteScan.hasNonASCII(p, bytes.count) {
            out.writeJSONString(String(decoding: bytes, as: UTF8.self))
        } else {
            out.writeJSONString(bytes)
        }
    }

    @inline(__always)
    func field(_ n: StaticString, string: String) {
        name(n)
        out.writeJSONString(string)
        out.byte(UInt8(ascii: "\""))
    }

    @inline(__always)
    func field(_ n: StaticString, int: Int) {
        out.reserve(n.utf8CodeUnitCount + 5)
        out.count += putName(n, at: out.base + out.count)
        out.writeDecimal(int)
        out.byte(UInt8(ascii: "\""))
    }

    func extraField(_ n: String, string: String) {
        out.write(first ? "\"" as StaticString : ",\"" as StaticString)
        first = false
        out.write(n)
        out.write("\":\"" as StaticString)
        out.writeJSONString(string)
        out.byte(UInt8(ascii: "\""))
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
