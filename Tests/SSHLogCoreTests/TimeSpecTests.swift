import XCTest
@testable import SSHLogCore

/// Every `--since` form the issue lists, against a fixed "now".
final class TimeSpecTests: XCTestCase {
    override func setUp() { TestSupport.setTZ("UTC") }
    let now = TestSupport.micros(2026, 11, 22, 10, 30, 15, utc: true)

    func t(_ s: String) throws -> Int64 { try TimeSpec.parse(s, now: now) }

    func testRelative() throws {
        XCTAssertEqual(try t("1h"), now - 3_600_000_000)
        XCTAssertEqual(try t("-1h"), now - 3_600_000_000)
        XCTAssertEqual(try t("30m"), now - 1_800_000_000)
        XCTAssertEqual(try t("2d"), now - 2 * 86_400_000_000)
        XCTAssertEqual(try t("1h30m"), now - 5_400_000_000)
        XCTAssertEqual(try t("+1h"), now + 3_600_000_000)
        XCTAssertEqual(try t("2 days ago"), now - 2 * 86_400_000_000)
    }

    func testWords() throws {
        XCTAssertEqual(try t("now"), now)
        XCTAssertEqual(try t("today"), TestSupport.micros(2026, 11, 22, 0, 0, 0, utc: true))
        XCTAssertEqual(try t("yesterday"), TestSupport.micros(2026, 11, 21, 0, 0, 0, utc: true))
    }

    func testAbsolute() throws {
        XCTAssertEqual(try t("2026-11-22"), TestSupport.micros(2026, 11, 22, 0, 0, 0, utc: true))
        XCTAssertEqual(try t("2026-11-22 10:00"), TestSupport.micros(2026, 11, 22, 10, 0, 0, utc: true))
        XCTAssertEqual(try t("2026-11-22 10:00:05"), TestSupport.micros(2026, 11, 22, 10, 0, 5, utc: true))
        XCTAssertEqual(try t("2026-11-22T10:00:00Z"), TestSupport.micros(2026, 11, 22, 10, 0, 0, utc: true))
        XCTAssertEqual(try t("2026-11-22T10:00:00+01:00"), TestSupport.micros(2026, 11, 22, 9, 0, 0, utc: true))
        XCTAssertEqual(try t("10:00"), TestSupport.micros(2026, 11, 22, 10, 0, 0, utc: true))
        XCTAssertEqual(try t("@1763800000"), 1_763_800_000_000_000)
    }

    func testLocalZoneApplies() throws {
        TestSupport.setTZ("Europe/Berlin")
        defer { TestSupport.setTZ("UTC") }
        XCTAssertEqual(try t("2026-11-22 10:00"), TestSupport.micros(2026, 11, 22, 9, 0, 0, utc: true))
    }

    func testNonsenseSaysWhatIsAccepted() {
        XCTAssertThrowsError(try t("last tuesday")) { e in
            let d = "\(e)"
            XCTAssertTrue(d.contains("cannot read the time 'last tuesday'"), d)
            XCTAssertTrue(d.contains("yesterday"), d)
        }
        XCTAssertThrowsError(try t("1x"))
    }
}
