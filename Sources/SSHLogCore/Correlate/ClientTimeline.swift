#if canImport(Glibc)
import Glibc
#endif

/// Everything known about one client address: its connections in order (a bounded number in
/// full detail, the rest folded into counts), its bans and firewall drops.
///
/// Memory per client is bounded (see `Correlator.Options`), so a flood of millions of attempts
/// from thousands of addresses costs memory in proportion to the addresses, not the lines.
public final class ClientTimeline {
    // Stored properties are laid out in declaration order: the ones finishing a connection
    // touches come first, side by side, so that a client not seen for a while costs a few cache
    // misses, not one per field.

    /// The address as sshd printed it (or `unknown` for connections that never named one).
    public let address: String
    public internal(set) var first: Int64 = .max
    public internal(set) var last: Int64 = .min
    /// Finished connections (all of them, kept in detail or not).
    public internal(set) var connectionCount = 0
    public internal(set) var acceptedCount = 0
    /// Sessions still open when the data ended.
    public internal(set) var openAtEnd = 0
    public internal(set) var failureCount = 0
    /// Distinct user names tried (at most `maxUsers`; `moreUsers` counts the rest).
    public internal(set) var users: [String] = []
    var important: [Connection] = []
    var recent = ConnectionSlots()
    var recentNext = 0
    /// Connections of this client not yet finished.
    var open = ConnectionSlots()
    var hasExtraUsers = false
    /// `users.count`, held here: testing a name that is not in `users` reads no array.
    var userCount: UInt8 = 0
    /// `stableHash` of each name in `users` (truncated), tested before the names themselves.
    var userHashes = InlineArray<32, UInt16>(repeating: 0)
    /// Finished connections by cause, and the latest time each cause was seen (for ordering),
    /// indexed by `CauseID.rank`. Held inside the object (not in arrays of their own), a count
    /// next to its time: finishing a connection touches one slot.
    var causeSlots = InlineArray<24, (count: Int, last: Int64)>(repeating: (0, .min))
    /// The first connection kept of each cause (indexed by `CauseID.rank`).
    var examples = InlineArray<24, Connection?>(repeating: nil)
    var extraUserBits = InlineArray<16, UInt64>(repeating: 0)
    /// One entry per `CauseID` (checked by the tests).
    static let causeSlotCount = 24

    /// Finished connections by cause (indexed by `CauseID.rank`).
    public var causeCounts: [Int] { (0..<ClientTimeline.causeSlotCount).map { causeSlots[$0].count } }
    /// Latest time each cause was seen (indexed by `CauseID.rank`), for ordering.
    public var causeLast: [Int64] { (0..<ClientTimeline.causeSlotCount).map { causeSlots[$0].last } }
    /// Distinct user names beyond `users`, estimated by linear counting over a 1024-bit map
    /// (within a few percent up to several thousand names; 128 bytes per client at most).
    public var moreUsers: Int {
        guard hasExtraUsers else { return 0 }
        var zeros = 0
        for i in 0..<extraUserBits.count { zeros += 64 - extraUserBits[i].nonzeroBitCount }
        let m = Double(ClientTimeline.extraUserMapBits)
        if zeros == 0 { return Int(m * log(m)) }
        return Int((m * log(m / Double(zeros))).rounded())
    }
    /// Users that logged in successfully from this address.
    public internal(set) var acceptedUsers: [String] = []
    /// Connections kept in full detail, in time order: logins and operational drops (the latest
    /// `importantPerClient`), the first connection of each other cause, and the latest few others.
    public var connections: [Connection] {
        var out = important
        out.reserveCapacity(important.count + recent.count + 4)
        for i in 0..<examples.count { if let c = examples[i] { out.append(c) } }
        for c in recent where !out.contains(where: { $0 === c }) { out.append(c) }
        out.sort { $0.start < $1.start }
        return out
    }
    /// Finished connections not kept in detail (folded into the counts only).
    public var foldedConnections: Int { max(0, connectionCount - connections.count) }
    public internal(set) var bans: [BanWindow] = []
    public internal(set) var droppedBans = 0
    public internal(set) var firewall = FirewallDrops()
    /// `srclimit_penalise` lines (OpenSSH 9.8+ PerSourcePenalties) naming this address.
    public internal(set) var penaltyEvents: [TaggedEvent] = []
    /// `Found` / `Attack from` lines not yet followed by a ban.
    var leadUp: [TaggedEvent] = []

    static let maxUsers = 32
    static let extraUserMapBits = 1_024
    static let maxBans = 32

    init(address: String) {
        self.address = address
    }

    /// True when somebody logged in from this address in the data: its drops matter most.
    public var isLegitimate: Bool { acceptedCount > 0 }

    public func count(of cause: CauseID) -> Int { causeSlots[cause.rank].count }

    /// Finished connections that were drops (every cause but `clean-disconnect`).
    public var dropCount: Int {
        var n = 0
        for c in CauseID.allCases where c.isDrop { n += causeSlots[c.rank].count }
        return n
    }

    /// Distinct causes seen, most relevant first: the cause of the latest drop (other than
    /// `unknown`, if any other exists), then the others in taxonomy order. A ban counts as a cause (attempts during it never reached sshd).
    public var causes: [CauseID] {
        var present: [(CauseID, Int64)] = []
        forEachCause { present.append(($0, $1)) }
        guard !present.isEmpty else { return [] }
        // The latest drop's cause first (clean disconnects never lead while a drop exists).
        // `unknown` leads only when nothing better is known.
        var drops = present.filter { $0.0.isDrop && $0.0 != .unknown }
        if drops.isEmpty { drops = present.filter { $0.0.isDrop } }
        let lead = (drops.isEmpty ? present : drops).max { a, b in
            a.1 != b.1 ? a.1 < b.1 : a.0.rank > b.0.rank
        }!.0
        var out = [lead]
        for (c, _) in present.sorted(by: { $0.0.rank < $1.0.rank }) where c != lead { out.append(c) }
        return out
    }

    /// Calls `body` with each cause seen (in taxonomy order) and the latest time it was seen: the
    /// causes of finished connections, then a ban and firewall drops when no connection had
    /// those causes (attempts during a ban, or dropped by the firewall, never reached sshd).
    @inline(__always)
    func forEachCause(_ body: (CauseID, Int64) -> Void) {
        for c in CauseID.allCases where causeSlots[c.rank].count > 0 { body(c, causeSlots[c.rank].last) }
        if !bans.isEmpty && causeSlots[CauseID.banned.rank].count == 0 { body(.banned, bans.last!.start) }
        if firewall.count > 0 && causeSlots[CauseID.firewall.rank].count == 0 { body(.firewall, firewall.last) }
    }

    func touch(_ t: Int64) {
        if t < first { first = t }
        if t > last { last = t }
    }

    /// FNV-1a over the name's UTF-8, then a final mix: the same estimate in every run (Swift's
    /// `Hasher` is seeded per process, which made `moreUsers` vary between runs).
    static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func fnv(_ bytes: UnsafeBufferPointer<UInt8>) {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        if s.utf8.withContiguousStorageIfAvailable(fnv) == nil { Array(s.utf8).withUnsafeBufferPointer(fnv) }
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53; h ^= h >> 33
        return h
    }

    /// Notes a user name tried. The names kept are found through their hashes first (a few
    /// bytes inside the object) and compared only on a hash match.
    func noteUser(_ u: String) {
        let h = ClientTimeline.stableHash(u)
        let h16 = UInt16(truncatingIfNeeded: h)
        let n = Int(userCount)
        var i = 0
        while i < n {
            if userHashes[i] == h16 && users[i] == u { return }
            i += 1
        }
        if n < ClientTimeline.maxUsers {
            userHashes[n] = h16
            users.append(u)
            userCount += 1
        } else {
            hasExtraUsers = true
            let bit = Int(h % UInt64(ClientTimeline.extraUserMapBits))
            extraUserBits[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    /// Adds a finished connection: counts it, and keeps it in detail if it is among the
    /// connections worth showing (see `Correlator.Options.detailPerClient`).
    func add(finished c: Connection, detailLimit: Int, importantLimit: Int) {
        if let d = c.diagnosis {
            causeSlots[d.cause.rank].count += 1
            if c.end > causeSlots[d.cause.rank].last { causeSlots[d.cause.rank].last = c.end }
        }
        if c.accepted {
            acceptedCount += 1
            if let u = c.user, !acceptedUsers.contains(u), acceptedUsers.count < ClientTimeline.maxUsers {
                acceptedUsers.append(u)
            }
        }
        connectionCount += 1
        if c.stillOpen { openAtEnd += 1 }
        failureCount += c.failures
        c.userList.forEach { noteUser($0) }
        touch(c.start)
        touch(c.end)
        if detailLimit >= Int.max / 4 {
            important.append(c)  // timeline: everything, in full
        } else {
            insertDetailed(c, detailLimit: detailLimit, importantLimit: importantLimit)
        }
    }

    func addOpen(_ c: Connection) {
        c.openSlot = open.count
        open.append(c)
    }

    /// Swap-removes `c` from `open` in O(1).
    func removeOpen(_ c: Connection) {
        let i = c.openSlot
        guard i >= 0, i < open.count, open[i] === c else { return }
        let last = open.removeLast()
        if last !== c {
            open[i] = last
            last.openSlot = i
        }
        c.openSlot = -1
    }

    /// Whether a connection is kept among the important ones: a login, or a drop the server or
    /// the network caused to a client that has logged in (a legitimate user). Other clients'
    /// drops, operational or not, are kept as examples of their cause plus the latest few.
    func isImportant(_ c: Connection) -> Bool {
        if c.accepted { return true }
        if isLegitimate, let d = c.diagnosis, d.cause.isOperational { return true }
        return false
    }

    /// O(1) amortised: important connections in a bounded list (oldest dropped), others as the
    /// first example of their cause plus a short list of the latest, with their evidence trimmed.
    private func insertDetailed(_ c: Connection, detailLimit: Int, importantLimit: Int) {
        if isImportant(c) {
            if c.diagnosis?.cause == .cleanDisconnect || c.stillOpen { c.trimEvidence(head: 6, tail: 4) }
            important.append(c)
            if important.count > importantLimit { important.removeFirst() }
            return
        }
        c.trimEvidence(head: 3, tail: 3)
        let r = c.diagnosis?.cause.rank ?? CauseID.unknown.rank
        if examples[r] == nil {
            examples[r] = c
            return
        }
        // A ring: overwrite the oldest in place once full.
        if recent.count < detailLimit {
            recent.append(c)
        } else if detailLimit > 0 {
            recent[recentNext] = c
            recentNext = (recentNext + 1) % detailLimit
        }
    }

    func addBan(_ b: BanWindow) {
        if bans.count >= ClientTimeline.maxBans {
            bans.removeFirst()
            droppedBans += 1
        }
        bans.append(b)
        touch(b.start)
    }

    func addPenalty(_ e: TaggedEvent) {
        if penaltyEvents.count >= 4 { penaltyEvents.removeFirst() }
        penaltyEvents.append(e.owned())
        touch(e.time)
    }

    func addFirewall(_ e: TaggedEvent, limit: Bool) {
        if firewall.count == 0 { firewall.first = e.time }
        firewall.count += 1
        firewall.last = e.time
        if limit { firewall.rateLimited = true }
        if firewall.examples.count < FirewallDrops.maxExamples { firewall.examples.append(e.owned()) } else {
            firewall.examples[FirewallDrops.maxExamples - 1] = e.owned()
        }
        touch(e.time)
    }
}
