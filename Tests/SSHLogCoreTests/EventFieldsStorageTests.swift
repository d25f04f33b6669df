import XCTest
@testable import SSHLogCore

/// `EventFields` keeps a match's text fields as ranges into the message and decodes them when
/// read; these tests hold it to what plain String fields would give.
final class EventFieldsStorageTests: XCTestCase {
    let lib = PatternLibrary.builtin()

    func testMatchedFieldsReadAndCompareLikeAssignedOnes() throws {
        let m = try XCTUnwrap(lib.match("sshd", "error: Failed password for invalid user admin from ::ffff:198.51.100.7 port 2222 ssh2 [preauth]"))
        var want = EventFields()
        want.method = "password"; want.invalid = true; want.user = "admin"; want.client = "198.51.100.7"
        want.port = 2222; want.level = "error"; want.phase = "preauth"
        XCTAssertEqual(m.fields, want)
        XCTAssertEqual(m.fields.pairs.map { "\($0.0)=\($0.1)" },
                       ["client=198.51.100.7", "port=2222", "user=admin", "invalid=yes", "method=password", "level=error", "phase=preauth"])
        XCTAssertNotEqual(m.fields, EventFields())
    }

    func testAssigningOverAMatchedFieldReplacesIt() throws {
        var f = try XCTUnwrap(lib.match("sshd", "Failed password for root from 203.0.113.9 port 4711 ssh2")).fields
        XCTAssertEqual(f.user, "root")
        f.user = "someone else entirely, longer than fifteen bytes"
        XCTAssertEqual(f.user, "someone else entirely, longer than fifteen bytes")
        f.client = nil
        XCTAssertNil(f.client)
        XCTAssertEqual(f.method, "password")
        f.set("client", "192.0.2.1")
        XCTAssertEqual(f.client, "192.0.2.1")
        var g = EventFields()
        g.method = "password"; g.user = "someone else entirely, longer than fifteen bytes"; g.client = "192.0.2.1"; g.port = 4711
        XCTAssertEqual(f, g)
    }

    func testClearedFieldsReadAsNewOnesAndAReusedSlotKeepsNothingOfItsLastMatch() throws {
        // Everything a value can hold: matched spans, numbers, an owned value, extras, invalid.
        var f = try XCTUnwrap(lib.match("sshd", "error: Failed password for invalid user admin from 198.51.100.7 port 2222 ssh2 [preauth]")).fields
        f.reason = "an owned value longer than fifteen bytes"
        f.extra["version"] = "OpenSSH_9.6"
        f.seconds = 120; f.pid = 4242; f.count = 3; f.code = 11; f.signal = 9; f.lport = 22
        XCTAssertNotEqual(f, EventFields())
        f.clear()
        XCTAssertEqual(f, EventFields())
        XCTAssertTrue(f.pairs.isEmpty)
        XCTAssertNil(f.port); XCTAssertNil(f.seconds); XCTAssertNil(f.pid); XCTAssertFalse(f.invalid)

        // The tagging pipeline writes each event over a slot of its batch: a line with few fields
        // after one with many must read exactly as that line tagged alone.
        let rich = "Nov 15 05:06:41 bastion sshd[10001]: Failed password for invalid user admin from 198.51.100.7 port 2222 ssh2 [preauth]"
        let plain = "Nov 15 05:06:42 bastion sshd[10003]: pam_unix(sshd:auth): check pass; user unknown"
        let parser = HeaderParser(years: YearResolver(anchorUTC: 1_794_719_201))
        var slot = TaggedEvent.unused
        var tagged: [Bool] = []
        withUnsafeTemporaryAllocation(of: Capture.self, capacity: PatternFileParser.maxFields + 8) { caps in
            for line in [rich, plain] {
                Array(line.utf8).withUnsafeBytes { bytes in
                    guard let r = parser.parse(bytes, lineNumber: 1) else { return tagged.append(false) }
                    tagged.append(lib.tag(r, captures: caps, slot: &slot, host: { "bastion" },
                                          place: { EventPlace(source: InternedNames.id("t"), line: 1, cursor: nil) }))
                }
            }
        }
        XCTAssertEqual(tagged, [true, true])
        XCTAssertEqual(slot.kind, .authPamUnknown)
        let alone = try XCTUnwrap(lib.match("sshd", "pam_unix(sshd:auth): check pass; user unknown"))
        XCTAssertEqual(slot.fields, alone.fields)
        XCTAssertTrue(slot.fields.pairs.isEmpty)
        XCTAssertFalse(slot.fields.invalid)
    }

    func testInvalidUTF8GivesTheDecodedFields() throws {
        // A user name with a stray 0xFF byte: the field's bytes are decoded on their own (U+FFFD);
        // the stored message keeps the byte as logged.
        var msg = Array("Failed password for invalid user ab".utf8)
        msg.append(0xFF)
        msg += Array("c from 203.0.113.9 port 4711 ssh2".utf8)
        let prog = Array("sshd".utf8)
        let m = try XCTUnwrap(prog.withUnsafeBytes { pb in msg.withUnsafeBytes { lib.match(program: pb, message: $0) } })
        XCTAssertEqual(m.fields.user, "ab\u{FFFD}c")
        XCTAssertEqual(m.fields.client, "203.0.113.9")
        XCTAssertEqual(m.fields.bytes.array, msg, "the message bytes, 0xFF included")
    }

    func testNonASCIIFieldsComeBackWhole() throws {
        let m = try XCTUnwrap(lib.match("sshd", "Invalid user jürgen-ünïcödé from 203.0.113.9 port 4711"))
        XCTAssertEqual(m.fields.user, "jürgen-ünïcödé")
        XCTAssertEqual(m.fields.client, "203.0.113.9")
    }

    func testTaggedEventSharesTheMessageWithItsFields() throws {
        let text = "Accepted publickey for alice from 192.0.2.10 port 50000 ssh2: ED25519 SHA256:abcdefghijklmnop"
        let line = Array(("May  1 12:00:00 web1 sshd[812]: " + text).utf8)
        let ev: TaggedEvent? = line.withUnsafeBytes { buf in
            let rec = SyslogRecord(time: 1, line: buf, hostRange: 16..<20, programRange: 21..<25, messageRange: 32..<buf.count,
                                   pid: 812, lineNumber: 1)
            return lib.tag(rec, location: { SourceLocation(source: "auth.log", line: 1) })
        }
        let e = try XCTUnwrap(ev)
        XCTAssertEqual(e.message, text)
        XCTAssertEqual(e.fields.user, "alice")
        XCTAssertEqual(e.fields.keytype, "ED25519")
        XCTAssertEqual(e.fields.fingerprint, "SHA256:abcdefghijklmnop")
    }

    /// The byte-level line splitter of pattern files gives what the Character-based one gives,
    /// `\r\n` (one Character, so no line end) included.
    func testPatternFileLinesOnBytesEqualCharacterLines() {
        let tricky = "a\n  b  \n\t# c\n\nd\r\ne\r\n f\t\r\n#x\n   \ng\r\r\nh \n é → \n \u{301}x\n#\u{301} y\nz \u{301}\n"
        func flat(_ l: [(Int, String)]) -> [String] { l.map { "\($0.0):\($0.1)" } }
        XCTAssertEqual(flat(PatternFileParser.lines(tricky)), flat(PatternFileParser.characterLines(tricky)))
        XCTAssertEqual(PatternFileParser.lines(tricky).count, 8)
        for f in PatternLibrary.builtinFiles {
            XCTAssertEqual(flat(PatternFileParser.lines(f.text)), flat(PatternFileParser.characterLines(f.text)), f.name)
        }
    }
}

/// The matcher's word-at-a-time helpers against byte-by-byte definitions.
final class MatcherHelperTests: XCTestCase {
    func testLastIndexFindsTheLastOccurrenceLikeAByteLoop() {
        let t = PatternLibrary.builtin().tables
        var rng = SplitMix(seed: 7)
        let alphabet: [UInt8] = [0x20, 0x21, 0x00, 0x80, 0xA0, 0xFF, 0x7F, 0x61]
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 40) + 1
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let lo = Int(rng.next() % UInt64(n))
            let from = lo + Int(rng.next() % UInt64(n - lo))
            let b = alphabet[Int(rng.next() % 4)]
            var want = from
            while want >= lo, bytes[want] != b { want -= 1 }
            let got: Int = bytes.withUnsafeBufferPointer { buf in
                withUnsafeTemporaryAllocation(of: Capture.self, capacity: 1) { caps in
                    let run = MatchRun(trie: t.nodes, lits: t.lits, labels: t.labels, dispatch: t.dispatch, fields: t.fields,
                                       firstSets: t.firstSets, p: buf.baseAddress!, end: n, captures: caps.baseAddress!,
                                       captureCapacity: 1, budget: 1, classes: t.classes)
                    return run.lastIndex(of: b, from: from, downTo: lo)
                }
            }
            XCTAssertEqual(max(got, lo - 1), max(want, lo - 1), "\(bytes) \(b) \(from) \(lo)")
        }
    }

    func testHostBytesAreLettersDigitsAndDotDashUnderscoreColonPercent() {
        for c in 0...255 {
            let s = UnicodeScalar(UInt8(c))
            let want = (c < 128 && (Character(s).isLetter || Character(s).isNumber)) || ".-_:%".unicodeScalars.contains(s)
            XCTAssertEqual(FieldScan.isHostByte(UInt8(c)), want, "byte \(c)")
        }
    }
}

/// A small deterministic generator for the tests above.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
