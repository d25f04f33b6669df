/// Drops records that appear twice because rsyslog forwards the journal into auth.log (the
/// Debian/Ubuntu default) and both were read.
///
/// Put it into the merge: feed every record in merged time order with its origin; drop the record
/// when `isDuplicate` says so.
///
/// Two records are the same event when they come from different origins (one journal, one
/// file), have the same program, pid and message, and their times differ by at most `tolerance`
/// (default 1 s). rsyslog stamps a line when it receives it, a few hundred µs after journald, and
/// the traditional syslog format keeps only whole seconds, so the times never agree exactly and
/// can straddle a second boundary: a tolerance, not truncation to the second. The host is not
/// compared (rsyslog may write the FQDN where the journal has the short name). Matching is one to
/// one, so a message genuinely repeated within the tolerance keeps each of its copies.
///
/// rsyslog escapes control characters as `#ooo` (octal); the journal keeps them raw. The key of a
/// file record is computed with those escapes undone, so that both hash alike.
///
/// - Complexity: O(1) amortised per record; memory is bounded by the records of the last
///   `2 × tolerance` (at most `capacity` kept).
public struct JournalDedup {
    public enum Origin: UInt8, Sendable { case journal, file }

    struct Pending {
        var key: UInt64
        var time: Int64
        var origin: Origin
        var alive: Bool
    }

    public let tolerance: Int64
    public let capacity: Int
    /// Records dropped as duplicates so far.
    public private(set) var dropped = 0

    /// Pending records in arrival (time) order; `head` is the oldest still kept.
    var queue: [Pending] = []
    var head = 0
    /// For each key, the queue indexes of its pending records.
    var byKey: [UInt64: [Int]] = [:]

    /// - Parameters:
    ///   - tolerance: the largest time difference, in µs, between the two copies of one event.
    ///   - capacity: the most records remembered; older ones are forgotten first.
    public init(tolerance: Int64 = 1_000_000, capacity: Int = 65_536) {
        self.tolerance = tolerance
        self.capacity = capacity
    }

    /// Whether `record` repeats a record already seen from the other origin. A record that does is
    /// consumed together with its twin; one that does not is remembered for a later twin.
    public mutating func isDuplicate(_ record: SyslogRecord, from origin: Origin) -> Bool {
        forget(before: record.time - 2 * tolerance)
        let key = JournalDedup.key(record, unescape: origin == .file)
        if let indexes = byKey[key] {
            for (n, i) in indexes.enumerated() {
                let p = queue[i]
                if p.alive, p.origin != origin, abs(p.time - record.time) <= tolerance {
                    queue[i].alive = false
                    var rest = indexes
                    rest.remove(at: n)
                    byKey[key] = rest.isEmpty ? nil : rest
                    dropped += 1
                    return true
                }
            }
        }
        if queue.count - head >= capacity { forgetOldest() }
        queue.append(Pending(key: key, time: record.time, origin: origin, alive: true))
        byKey[key, default: []].append(queue.count - 1)
        return false
    }

    mutating func forget(before time: Int64) {
        while head < queue.count, queue[head].time < time { forgetOldest() }
        if head > 4096, head * 2 > queue.count { compact() }
    }

    mutating func forgetOldest() {
        let p = queue[head]
        if p.alive, var indexes = byKey[p.key] {
            if let n = indexes.firstIndex(of: head) { indexes.remove(at: n) }
            byKey[p.key] = indexes.isEmpty ? nil : indexes
        }
        queue[head].alive = false
        head += 1
    }

    /// Drops the forgotten prefix of the queue and renumbers the index.
    mutating func compact() {
        queue.removeFirst(head)
        head = 0
        byKey.removeAll(keepingCapacity: true)
        for (i, p) in queue.enumerated() where p.alive { byKey[p.key, default: []].append(i) }
    }

    /// FNV-1a over program, pid and message. A file's `#ooo` escape of a control character
    /// (rsyslog's) is hashed as the character itself, so that it matches the journal's raw byte;
    /// a raw control character (a file not written by rsyslog) matches as well.
    static func key(_ r: SyslogRecord, unescape: Bool) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ b: UInt8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        for b in r.program { mix(b) }
        mix(0)
        var pid = UInt32(bitPattern: r.pid)
        for _ in 0..<4 { mix(UInt8(truncatingIfNeeded: pid)); pid >>= 8 }
        let m = r.message
        var i = 0
        while i < m.count {
            let b = m[i]
            if unescape && b == UInt8(ascii: "#"),
               let v = octal(m, i + 1), v < 0x20 || v == 0x7f {
                mix(v)
                i += 4
                continue
            }
            mix(b)
            i += 1
        }
        return h
    }

    /// The value of three octal digits at `at`, or nil.
    @inline(__always)
    static func octal(_ m: UnsafeRawBufferPointer, _ at: Int) -> UInt8? {
        guard at + 3 <= m.count else { return nil }
        var v = 0
        for k in 0..<3 {
            let d = m[at + k]
            guard d >= 0x30 && d <= 0x37 else { return nil }
            v = v * 8 + Int(d - 0x30)
        }
        return v < 256 ? UInt8(v) : nil
    }
}
