import XCTest
@testable import SSHLogCore

/// Header formats, on real lines (loghub's OpenSSH sample, Debian 12 rsyslog output, fail2ban's log).
final class SyslogHeaderTests: XCTestCase {
    override func setUp() { TestSupport.setTZ("UTC") }

    func parse(_ line: String, anchor: Int64 = TestSupport.micros(2026, 11, 22, 12, 0, 0) / 1_000_000,
               _ check: (SyslogRecord) -> Void) {
        let p = HeaderParser(years: YearResolver(anchorUTC: anchor))
        var s = line
        s.withUTF8 { buf in
            guard let r = p.parse(UnsafeRawBufferPointer(buf), lineNumber: 7) else {
                XCTFail("not parsed: \(line)")
                return
            }
            XCTAssertEqual(r.lineNumber, 7)
            check(r)
        }
    }

    func testTraditionalBSD() {
        parse("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2025, 12, 10, 6, 55, 46))
            XCTAssertEqual(r.hostString, "LabSZ")
            XCTAssertEqual(r.programString, "sshd")
            XCTAssertEqual(r.pid, 24200)
            XCTAssertEqual(r.messageString, "Invalid user webmaster from 173.234.31.186")
        }
        // Space-padded day, as rsyslog writes it, and the 9.8+ program name.
        parse("Jul  3 14:59:17 host sshd-session[1571]: Failed password for root from 192.0.2.1 port 56502 ssh2") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2026, 7, 3, 14, 59, 17))
            XCTAssertEqual(r.programString, "sshd-session")
            XCTAssertEqual(r.pid, 1571)
        }
        // journalctl's short format pads with a zero.
        parse("May 01 12:00:00 host sshd[1200]: Server listening on 0.0.0.0 port 22.") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2026, 5, 1, 12, 0, 0))
        }
    }

    func testRFC3339HighPrecision() {
        parse("2025-05-01T12:00:00.123456+02:00 host sshd[1200]: Accepted publickey for alice from 203.0.113.5 port 51234 ssh2: ED25519 SHA256:abc") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2025, 5, 1, 10, 0, 0, utc: true) + 123_456)
            XCTAssertEqual(r.hostString, "host")
            XCTAssertEqual(r.pid, 1200)
            XCTAssertTrue(r.messageString.hasPrefix("Accepted publickey"))
        }
        // journalctl -o short-iso: offset without a colon.
        parse("2025-05-01T12:00:00+0200 host sshd[1200]: Connection closed by 203.0.113.5 port 51234 [preauth]") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2025, 5, 1, 10, 0, 0, utc: true))
        }
        parse("2026-11-22T10:02:11Z web1 sshd[9]: Received signal 15; terminating.") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2026, 11, 22, 10, 2, 11, utc: true))
        }
    }

    func testFail2banOwnFormatDropsTheLevelWord() {
        parse("2025-05-01 12:00:02,456 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.5") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2025, 5, 1, 12, 0, 2) + 456_000)
            XCTAssertEqual(r.programString, "fail2ban.actions")
            XCTAssertEqual(r.pid, 812)
            XCTAssertEqual(r.hostString, "")
            XCTAssertEqual(r.messageString, "[sshd] Ban 203.0.113.5")
        }
        // fail2ban through syslog (logtarget = SYSLOG): same message after the level word.
        parse("May  1 12:00:02 host fail2ban.actions[812]: NOTICE [sshd] Unban 203.0.113.5") { r in
            XCTAssertEqual(r.programString, "fail2ban.actions")
            XCTAssertEqual(r.messageString, "[sshd] Unban 203.0.113.5")
        }
    }

    func testRFC5424AndPriority() {
        parse("<38>1 2025-05-01T12:00:00.123Z host sshd 1200 - - Connection reset by 203.0.113.5 port 51234 [preauth]") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2025, 5, 1, 12, 0, 0, utc: true) + 123_000)
            XCTAssertEqual(r.hostString, "host")
            XCTAssertEqual(r.programString, "sshd")
            XCTAssertEqual(r.pid, 1200)
            XCTAssertEqual(r.messageString, "Connection reset by 203.0.113.5 port 51234 [preauth]")
        }
        parse("<38>Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186") { r in
            XCTAssertEqual(r.pid, 24200)
            XCTAssertEqual(r.hostString, "LabSZ")
        }
    }

    func testKernelLineAndLineWithoutHost() {
        parse("Nov 22 10:02:11 fw kernel: [UFW LIMIT BLOCK] IN=eth0 OUT= SRC=203.0.113.9 DST=198.51.100.1 PROTO=TCP SPT=51234 DPT=22 SYN") { r in
            XCTAssertEqual(r.programString, "kernel")
            XCTAssertEqual(r.pid, -1)
            XCTAssertTrue(r.messageString.hasPrefix("[UFW LIMIT BLOCK]"))
        }
        parse("Nov 22 10:02:11 sshd[77]: Server listening on :: port 22.") { r in
            XCTAssertEqual(r.hostString, "")
            XCTAssertEqual(r.programString, "sshd")
            XCTAssertEqual(r.pid, 77)
        }
    }

    func testLinesThatAreNotSyslogAreRejected() {
        let p = HeaderParser(years: YearResolver(anchorUTC: 1_763_800_000))
        for bad in ["# failJSON: { \"time\": \"2005-06-21T16:47:48\", \"match\": true }", "Foo 10 06:55:46 LabSZ sshd[1]: x",
                    "2026-13-01T00:00:00Z host sshd[1]: x", "Dec 10 25:00:00 LabSZ sshd[1]: x"] {
            var s = bad
            s.withUTF8 { XCTAssertNil(p.parse(UnsafeRawBufferPointer($0), lineNumber: 1), bad) }
        }
    }

    func testLocalTimeHonoursTZ() {
        TestSupport.setTZ("Europe/Berlin")
        defer { TestSupport.setTZ("UTC") }
        // 10:00 in Berlin in November is 09:00 UTC; in July (CEST) 08:00 UTC.
        parse("Nov 22 10:00:00 host sshd[1]: x") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2026, 11, 22, 9, 0, 0, utc: true))
        }
        parse("Jul 22 10:00:00 host sshd[1]: x") { r in
            XCTAssertEqual(r.time, TestSupport.micros(2026, 7, 22, 8, 0, 0, utc: true))
        }
    }

    /// The word-at-a-time search for the end of the host and program names finds what a byte
    /// loop finds, on every start position of lines full of the bytes it looks for and near
    /// them (0x1F/0x21, 0x5A/0x5C, 0x39/0x3B, high bytes that could borrow).
    func testTokenEndMatchesAByteLoop() {
        var rng: UInt64 = 0x2545_F491_4F6C_DD1D
        let alphabet: [UInt8] = [0x20, 0x5B, 0x3A, 0x1F, 0x21, 0x5A, 0x5C, 0x39, 0x3B, 0x00, 0x01, 0x80, 0xFF, 0x61, 0x7A, 0xA0]
        for _ in 0..<2_000 {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            let n = Int(rng % 40)
            var line: [UInt8] = []
            for k in 0..<n {
                let r = (rng >> UInt64(k % 60)) &* 0x9E37_79B9_7F4A_7C15
                // Mostly letters, so that stops are sparse as in real names.
                line.append(r % 4 == 0 ? alphabet[Int(r >> 8) % alphabet.count] : 0x61 + UInt8(r >> 16 & 15))
            }
            line.withUnsafeBytes { b in
                for from in 0...n {
                    var want = from
                    while want < n, b[want] != 0x20, b[want] != 0x5B, b[want] != 0x3A { want += 1 }
                    XCTAssertEqual(HeaderParser.tokenEnd(b, from), want, "\(line) from \(from)")
                }
            }
        }
    }

    /// A parser that has seen other lines splits host and program as a fresh one does: the split
    /// it remembers from the last line is reused only where the bytes up to the tag's '[' or ':'
    /// are the same. Lines that share a prefix, differ in one byte, or move a stop byte across
    /// the remembered boundary, in every order of a seeded shuffle.
    func testRememberedHostAndProgramSplitAsAFreshParser() {
        let heads = ["bastion sshd[12]: ", "bastion sshd[13]: ", "bastion sshd: ", "bastion sshd-session[9]: ",
                     "bastion sshdx[12]: ", "bastion  sshd[12]: ", "bastio sshd[12]: ", "bastion:sshd[12]: ",
                     "bastion sshd [12]: ", "bastion sshd", "bastion sshd[12]", "sshd[12]: ", "sshd: ",
                     "bastion kernel: ", "a-very-long-host-name.example.org sshd[1]: ", "web1 sshd[1]: ", "web1 sshd[1]:x",
                     "bastion CRON[5]: ", "bastion fail2ban.actions[812]: NOTICE  ", "bastion sshd[12] : ", "h p[1]: ",
                     "h p:", "h [1]: ", "bastion sshd[]: ", "bastion s[hd[12]: ", "bastion sshd:[12]: "]
        var lines: [String] = []
        for h in heads { lines.append("Nov 15 05:06:41 " + h + "Failed password for root from 10.0.0.1 port 22 ssh2") }
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        let anchor = TestSupport.micros(2026, 11, 22, 12, 0, 0) / 1_000_000
        func fields(_ r: SyslogRecord?) -> String {
            guard let r else { return "nil" }
            return "\(r.time) \(r.hostRange) \(r.programRange) \(r.messageRange) \(r.pid)"
        }
        func parse(_ p: HeaderParser, _ line: String) -> String {
            var s = line
            return s.withUTF8 { fields(p.parse(UnsafeRawBufferPointer($0), lineNumber: 1)) }
        }
        let kept = HeaderParser(years: YearResolver(anchorUTC: anchor))
        var checked = 0
        for _ in 0..<200 {
            for i in lines.indices.reversed() {
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
                lines.swapAt(i, Int(rng % UInt64(i + 1)))
            }
            for line in lines {
                XCTAssertEqual(parse(kept, line), parse(HeaderParser(years: YearResolver(anchorUTC: anchor)), line), line)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 200 * heads.count)
    }
}
