import XCTest
@testable import SSHLogCore

final class SanitizerTests: XCTestCase {
    func testEscapeSequencesBecomeVisible() {
        // A user name carrying a terminal escape (clear screen) and a title-setting OSC.
        let hostile = "root\u{1b}[2J\u{1b}]0;pwned\u{07}"
        let safe = Sanitizer.terminal(hostile)
        XCTAssertFalse(safe.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f })
        XCTAssertEqual(safe, "root\\x1b[2J\\x1b]0;pwned\\x07")
    }

    func testInvalidUTF8BytesDoNotPassThrough() {
        let bytes: [UInt8] = [0x61, 0xff, 0x9b, 0x62]
        let s = bytes.withUnsafeBytes { Sanitizer.terminal(bytes: $0) }
        XCTAssertEqual(s, "a\u{fffd}\u{fffd}b")
    }
}
