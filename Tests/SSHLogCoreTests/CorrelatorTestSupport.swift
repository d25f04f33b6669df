import XCTest
@testable import SSHLogCore

/// Builds tagged events the way the pattern library hands them over, from real log lines (the
/// catalog's §12/§14 observations on Debian 12's 9.2p1 and upstream 10.5p1). Used only until a
/// test can run the pattern library itself; the fields are what the patterns extract.
enum Tagged {
    /// 2026-11-22 10:00:00 UTC.
    static let base: Int64 = 1_795_341_600_000_000

    /// `line` is `MM:SS program[pid]: message` (minutes and seconds after the base time).
    static func ev(_ line: String, _ kind: EventKind, _ fields: [String: String] = [:],
                   host: String = "srv", file: String = "auth.log", lineNo: Int = 0) -> TaggedEvent {
        let sp = line.firstIndex(of: " ")!
        let clock = line[..<sp].split(separator: ":").map { Int64($0)! }
        let time = base + (clock[0] * 60 + clock[1]) * 1_000_000
        let rest = line[line.index(after: sp)...]
        let colon = rest.range(of: ": ")!
        let tag = rest[..<colon.lowerBound]
        let message = String(rest[colon.upperBound...])
        var program = String(tag)
        var pid: Int32 = -1
        if let lb = tag.firstIndex(of: "[") {
            program = String(tag[..<lb])
            pid = Int32(tag[tag.index(after: lb)..<tag.index(before: tag.endIndex)])!
        }
        var f = EventFields()
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { f.set(k, v) }
        return TaggedEvent(time: time, host: host, program: program, pid: pid, kind: kind, patternID: "test." + kind.rawValue,
                           fields: f, message: message, location: SourceLocation(source: file, line: lineNo))
    }

    static func correlate(_ events: [TaggedEvent], options: Correlator.Options = Correlator.Options()) -> CorrelationResult {
        let c = Correlator(options: options)
        for e in events { c.add(e) }
        return c.finish()
    }

    static func client(_ r: CorrelationResult, _ address: String) -> ClientTimeline? {
        r.clients.first { $0.address == address }
    }
}
