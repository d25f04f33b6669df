import Foundation
import XCTest
@testable import SSHLogCore

/// Real sshd message texts (loghub's OpenSSH sample; the catalog's Debian 12 observations) used
/// to build files with chosen stamps.
let realMessages = [
    "sshd[24200]: Invalid user webmaster from 173.234.31.186",
    "sshd[24200]: input_userauth_request: invalid user webmaster [preauth]",
    "sshd[24200]: pam_unix(sshd:auth): check pass; user unknown",
    "sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
    "sshd[24200]: Connection closed by 173.234.31.186 [preauth]",
    "sshd[24206]: Failed password for root from 183.62.140.253 port 34462 ssh2",
    "sshd[24206]: Received disconnect from 183.62.140.253: 11: Bye Bye [preauth]",
]

final class LineReaderTests: XCTestCase {
    /// A ByteSource that hands out at most `chunk` bytes per read.
    final class Chunked: ByteSource {
        let data: [UInt8]
        let chunk: Int
        var pos = 0
        var damage: SSHLogError? { nil }
        init(_ d: [UInt8], chunk: Int) { data = d; self.chunk = chunk }
        func read(into b: UnsafeMutableRawBufferPointer) throws -> Int {
            let n = min(chunk, b.count, data.count - pos)
            for i in 0..<n { b[i] = data[pos + i] }
            pos += n
            return n
        }
        func close() {}
    }

    func lines(_ text: [UInt8], chunk: Int, maxLine: Int = 64 * 1024) -> [[UInt8]] {
        let r = LineReader(source: Chunked(text, chunk: chunk), blockSize: max(chunk, 16), maxLine: maxLine)
        var out: [[UInt8]] = []
        while let l = try! r.nextLine() { out.append(Array(l)) }
        return out
    }

    /// The simple oracle: split on \n, drop one trailing \r, no final empty line.
    func reference(_ text: [UInt8]) -> [[UInt8]] {
        var out = text.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        if out.last == [] { out.removeLast() }
        return out.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
    }

    func testChunkSizesAgreeWithTheOracle() {
        var text = Array(realMessages.map { "Dec 10 06:55:46 LabSZ " + $0 }.joined(separator: "\n").utf8)
        text += [0x0A, 0x0A] + Array("Dec 10 06:55:47 LabSZ sshd[1]: CRLF line\r\nno newline at end".utf8)
        text += [0xFF, 0x00, 0xC3] // invalid UTF-8 and NUL pass through as bytes
        for chunk in [1, 7, 4096] {
            XCTAssertEqual(lines(text, chunk: chunk), reference(text), "chunk \(chunk)")
        }
    }

    func testOverlongLineIsCutAndTheNextLineSurvives() {
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: 100_000)
        let text = Array("first\n".utf8) + long + Array("\nlast\n".utf8)
        for chunk in [7, 4096, 65536] {
            let r = LineReader(source: Chunked(text, chunk: chunk), blockSize: 4096, maxLine: 1024)
            var got: [[UInt8]] = []
            while let l = try! r.nextLine() { got.append(Array(l)) }
            XCTAssertEqual(got.count, 3, "chunk \(chunk)")
            XCTAssertEqual(got[1].count, 1024)
            XCTAssertEqual(got[2], Array("last".utf8))
            XCTAssertEqual(r.cutLines, 1)
            XCTAssertEqual(r.firstCutLine, 2)
            XCTAssertEqual(r.lineNumber, 3)
        }
    }
}

final class FileByteSourceTests: XCTestCase {
    /// A reader closes its file when it finishes and again when it is freed; the second close
    /// must not hit the next file opened, which gets the same descriptor number.
    func testClosingTwiceLeavesTheNextFileOpen() throws {
        let dir = TestSupport.tempDir()
        let a = dir.appendingPathComponent("a.log").path, b = dir.appendingPathComponent("b.log").path
        try "first\n".write(toFile: a, atomically: true, encoding: .utf8)
        try "second\n".write(toFile: b, atomically: true, encoding: .utf8)
        let first = try FileByteSource(path: a)
        first.close()
        let second = try FileByteSource(path: b)
        first.close()
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
        defer { buf.deallocate() }
        let n = try second.read(into: buf)
        XCTAssertEqual(String(decoding: UnsafeRawBufferPointer(rebasing: buf[0..<n]), as: UTF8.self), "second\n")
        second.close()
    }
}

final class GzipTests: XCTestCase {
    override func setUp() { TestSupport.setTZ("UTC") }

    func gzip(_ url: URL) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-kf", url.path]
        try! p.run()
        p.waitUntilExit()
    }

    func logText(_ n: Int) -> String {
        (0..<n).map { i in
            let s = i % 60, m = (i / 60) % 60, h = 6 + i / 3600
            return String(format: "Dec 10 %02d:%02d:%02d LabSZ ", h, m, s) + realMessages[i % realMessages.count]
        }.joined(separator: "\n") + "\n"
    }

    func read(_ path: String, _ d: Diagnostics) throws -> [String] {
        let src = try FileRecordSource(file: try InputFile.inspect(path), diagnostics: d)
        var out: [String] = []
        while src.next() { out.append(src.record.lineString) }
        return out
    }

    func testGzipIsReadWithZlibIncludingMultipleMembers() throws {
        let dir = TestSupport.tempDir()
        let a = TestSupport.write(logText(2000), to: dir.appendingPathComponent("a.log"))
        gzip(a)
        var data = try Data(contentsOf: dir.appendingPathComponent("a.log.gz"))
        data += data // two members: gzip -d would print the text twice
        let both = dir.appendingPathComponent("auth.log.2.gz")
        try data.write(to: both)
        let d = Diagnostics(echo: false)
        let lines = try read(both.path, d)
        XCTAssertEqual(lines.count, 4000)
        XCTAssertEqual(lines[0], "Dec 10 06:00:00 LabSZ " + realMessages[0])
        XCTAssertEqual(lines[2000], lines[0])
        XCTAssertTrue(d.messages.isEmpty, "\(d.messages)")
    }

    func testGzipLeftEarlyByUntilStopsItsDecompressorCleanly() throws {
        let dir = TestSupport.tempDir()
        let a = TestSupport.write(logText(30_000), to: dir.appendingPathComponent("auth.log"),
                                  mtime: Date(timeIntervalSince1970: TimeInterval(TestSupport.micros(2025, 12, 11, 0, 0, 0) / 1_000_000)))
        gzip(a)
        let d = Diagnostics(echo: false)
        let file = try InputFile.inspect(dir.appendingPathComponent("auth.log.gz").path)
        for _ in 0..<20 {
            let src = try FileRecordSource(file: file, until: TestSupport.micros(2025, 12, 10, 6, 1, 0), diagnostics: d)
            var n = 0
            while src.next() { n += 1 }
            XCTAssertEqual(n, 61)
        }
        XCTAssertTrue(d.messages.isEmpty, "\(d.messages)")
    }

    func testTruncatedGzipYieldsEveryLineBeforeTheDamageAndWarns() throws {
        let dir = TestSupport.tempDir()
        let a = TestSupport.write(logText(20_000), to: dir.appendingPathComponent("auth.log"))
        gzip(a)
        let gz = dir.appendingPathComponent("auth.log.gz")
        let full = try Data(contentsOf: gz)
        let cut = dir.appendingPathComponent("auth.log.3.gz")
        try full.prefix(full.count / 2).write(to: cut)
        let d = Diagnostics(echo: false)
        let lines = try read(cut.path, d)
        let expected = logText(20_000).split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(lines.count, 1000)
        XCTAssertLessThan(lines.count, 20_000)
        // Every line delivered equals the original (a possibly partial last one aside).
        XCTAssertEqual(Array(lines.dropLast()), Array(expected.prefix(lines.count - 1)))
        let warning = try XCTUnwrap(d.messages.first { $0.code == .truncatedGzip })
        XCTAssertTrue(warning.location.hasPrefix(cut.path + ": byte "), warning.location)
        XCTAssertTrue(warning.hint.contains("gzip -t"))
        XCTAssertEqual(d.damagedInputs, 1)
    }

    func testCorruptGzipNamesTheByteOffset() throws {
        let dir = TestSupport.tempDir()
        let a = TestSupport.write(logText(20_000), to: dir.appendingPathComponent("auth.log"))
        gzip(a)
        var data = try Data(contentsOf: dir.appendingPathComponent("auth.log.gz"))
        let mid = data.count / 2
        for i in mid..<(mid + 64) { data[i] = ~data[i] }
        let bad = dir.appendingPathComponent("auth.log.4.gz")
        try data.write(to: bad)
        let d = Diagnostics(echo: false)
        let lines = try read(bad.path, d)
        XCTAssertGreaterThan(lines.count, 100)
        let err = try XCTUnwrap(d.messages.first { $0.code == .corruptGzip || $0.code == .truncatedGzip }, "\(d.messages)")
        XCTAssertTrue(err.description.contains(bad.path), err.description)
        XCTAssertTrue(err.description.contains("byte"), err.description)
    }
}

final class YearInferenceTests: XCTestCase {
    override func setUp() { TestSupport.setTZ("UTC") }

    func date(_ y: Int, _ m: Int, _ d: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(TestSupport.micros(y, m, d, 12, 0, 0) / 1_000_000))
    }

    func testDecemberToJanuaryInsideOneFile() throws {
        let dir = TestSupport.tempDir()
        let text = """
        Dec 31 23:59:58 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186
        Jan  1 00:00:01 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2

        """
        let f = TestSupport.write(text, to: dir.appendingPathComponent("auth.log"), mtime: date(2027, 1, 3))
        let recs = TestSupport.records(try TestSupport.plan([f.path]))
        XCTAssertEqual(recs.map(\.time), [TestSupport.micros(2026, 12, 31, 23, 59, 58), TestSupport.micros(2027, 1, 1, 0, 0, 1)])
    }

    func testRolloverAcrossARotationSetCopiedWithFreshMtimes() throws {
        // A post-mortem copy: every file got the copy's mtime (March 2027). The set's own order
        // must still put December before January, in the right years.
        let dir = TestSupport.tempDir()
        let copy = date(2027, 3, 10)
        TestSupport.write("Dec 30 10:00:00 LabSZ sshd[1]: Invalid user webmaster from 173.234.31.186\n",
                          to: dir.appendingPathComponent("auth.log.1"), mtime: copy)
        TestSupport.write("Jan  2 10:00:00 LabSZ sshd[2]: Invalid user webmaster from 173.234.31.186\n",
                          to: dir.appendingPathComponent("auth.log"), mtime: copy)
        let run = try TestSupport.plan([dir.path])
        let recs = TestSupport.records(run)
        XCTAssertEqual(recs.map(\.time), [TestSupport.micros(2026, 12, 30, 10, 0, 0), TestSupport.micros(2027, 1, 2, 10, 0, 0)])
        XCTAssertEqual(recs.map(\.location.source), [dir.appendingPathComponent("auth.log.1").path, dir.appendingPathComponent("auth.log").path])
    }
}

final class DiscoveryTests: XCTestCase {
    override func setUp() { TestSupport.setTZ("UTC") }

    func testRotationNamesSortOldestFirst() {
        XCTAssertEqual(Discovery.rotationKey("/var/log/auth.log.2.gz").0, "/var/log/auth.log")
        XCTAssertEqual(Discovery.rotationKey("/var/log/auth.log.2.gz").1, 2)
        XCTAssertEqual(Discovery.rotationKey("/var/log/secure-20261108.gz").0, "/var/log/secure")
        XCTAssertGreaterThan(Discovery.rotationKey("/var/log/secure-20261108.gz").1, Discovery.rotationKey("/var/log/secure-20261115").1)
        XCTAssertEqual(Discovery.rotationKey("/var/log/auth.log").1, 0)
    }

    func testADirectoryIsReadAsRotationSetsMergedInTime() throws {
        let dir = TestSupport.tempDir()
        let now = Date(timeIntervalSince1970: TimeInterval(TestSupport.micros(2026, 11, 22, 12, 0, 0) / 1_000_000))
        TestSupport.write("Nov 15 10:00:00 h sshd[1]: Invalid user webmaster from 173.234.31.186\n", to: dir.appendingPathComponent("auth.log.2"), mtime: now)
        TestSupport.write("Nov 20 10:00:00 h sshd[2]: Failed password for root from 183.62.140.253 port 34462 ssh2\n", to: dir.appendingPathComponent("auth.log.1"), mtime: now)
        TestSupport.write("Nov 22 10:00:00 h sshd[3]: Connection closed by 173.234.31.186 [preauth]\nNov 22 10:00:05 h sshd[3]: Received disconnect from 183.62.140.253: 11: Bye Bye [preauth]\n",
                          to: dir.appendingPathComponent("auth.log"), mtime: now)
        // fail2ban's own format, between the two auth.log lines, and one at the same second (stable: auth set first).
        TestSupport.write("2026-11-22 10:00:02,456 fail2ban.actions        [812]: NOTICE  [sshd] Ban 173.234.31.186\n2026-11-22 10:00:05,000 fail2ban.actions        [812]: NOTICE  [sshd] Ban 183.62.140.253\n",
                          to: dir.appendingPathComponent("fail2ban.log"), mtime: now)
        TestSupport.write("unrelated\n", to: dir.appendingPathComponent("dpkg.log"), mtime: now)
        let recs = TestSupport.records(try TestSupport.plan([dir.path]))
        XCTAssertEqual(recs.map(\.pid), [1, 2, 3, 812, 3, 812])
        XCTAssertEqual(recs[3].message, "[sshd] Ban 173.234.31.186")
        XCTAssertEqual(recs.map(\.time), recs.map(\.time).sorted())
    }

    func testSinceSkipsRotatedFilesWithoutOpeningThem() throws {
        let dir = TestSupport.tempDir()
        let old = Date(timeIntervalSince1970: TimeInterval(TestSupport.micros(2026, 11, 15, 12, 0, 0) / 1_000_000))
        let now = Date(timeIntervalSince1970: TimeInterval(TestSupport.micros(2026, 11, 22, 12, 0, 0) / 1_000_000))
        TestSupport.write("Nov 14 10:00:00 h sshd[1]: Invalid user webmaster from 173.234.31.186\n", to: dir.appendingPathComponent("auth.log.1"), mtime: old)
        TestSupport.write("Nov 22 11:30:00 h sshd[3]: Connection closed by 173.234.31.186 [preauth]\n", to: dir.appendingPathComponent("auth.log"), mtime: now)
        let run = try TestSupport.plan([dir.path], since: "1h", now: TestSupport.micros(2026, 11, 22, 12, 0, 0))
        XCTAssertEqual(run.skippedByWindow.map(\.path), [dir.appendingPathComponent("auth.log.1").path])
        XCTAssertEqual(TestSupport.records(run).map(\.pid), [3])
    }
}

final class SeekTests: XCTestCase {
    override func setUp() { TestSupport.setTZ("UTC") }

    /// 300,000 real-shaped lines over ~3.5 days; --since near the end must read only the tail.
    func testSinceSeeksIntoALargeFile() throws {
        let dir = TestSupport.tempDir()
        let url = dir.appendingPathComponent("auth.log")
        var text = ""
        text.reserveCapacity(30 << 20)
        let start = TestSupport.micros(2026, 11, 19, 0, 0, 0) / 1_000_000
        for i in 0..<300_000 {
            let t = start + Int64(i)
            let days = Int(t / 86400)
            let (_, _, d) = CivilTime.civilFromDays(days)
            let sod = Int(t % 86400)
            text += String(format: "Nov %2d %02d:%02d:%02d LabSZ ", d, sod / 3600, sod / 60 % 60, sod % 60)
            text += realMessages[i % realMessages.count] + "\n"
        }
        TestSupport.write(text, to: url, mtime: Date(timeIntervalSince1970: TimeInterval(start + 300_000)))
        let since = (start + 299_000) * 1_000_000
        let d = Diagnostics(echo: false)
        let file = try InputFile.inspect(url.path)
        let src = try FileRecordSource(file: file, since: since, diagnostics: d)
        var n = 0
        var firstLoc: SourceLocation?
        while src.next() {
            if n == 0 { firstLoc = src.location(); XCTAssertEqual(src.record.time, since) }
            n += 1
        }
        XCTAssertEqual(n, 1000)
        XCTAssertGreaterThan(src.seekOffset, file.size - 400_000, "should start near the end")
        // Line numbers stay true after the seek.
        XCTAssertEqual(firstLoc?.line, 299_001)
    }

    /// The line count before a seek (two halves at once from 16 MiB on) equals a byte count of
    /// `\n`, wherever the prefix ends and the halves split, a line break included.
    func testLinesBeforeASeekAreCountedExactlyInHalves() throws {
        let dir = TestSupport.tempDir()
        let url = dir.appendingPathComponent("auth.log")
        var bytes = [UInt8](repeating: 0x61, count: (17 << 20) + 12_345)
        var rng: UInt64 = 0x2545_F491_4F6C_DD1D
        var i = 0
        while i < bytes.count {
            bytes[i] = 0x0A
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            i += 1 + Int(rng % 200)
        }
        try Data(bytes).write(to: url)
        for upTo in [0, 1, 4095, 16 << 20, (16 << 20) + 1, (17 << 20) + 3, bytes.count, bytes.count + 100] {
            let want = bytes[0..<min(upTo, bytes.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            XCTAssertEqual(TimeSeek.countLines(path: url.path, upTo: Int64(upTo)), want, "up to \(upTo)")
        }
    }
}
