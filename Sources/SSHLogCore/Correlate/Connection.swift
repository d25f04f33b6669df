#if canImport(Glibc)
import Glibc
#endif

/// How far a connection got before it ended.
public enum Stage: Int, Comparable, Sendable, CaseIterable {
    /// TCP accepted (or refused by the listener before a per-connection process existed).
    case tcp = 0
    /// Banner (identification string) exchange.
    case banner
    /// Key exchange / algorithm negotiation.
    case kex
    /// User authentication.
    case auth
    /// Authenticated: a session ran.
    case session

    public static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .tcp: return "tcp"
        case .banner: return "banner"
        case .kex: return "kex"
        case .auth: return "auth"
        case .session: return "session"
        }
    }
}

/// Who ended a connection, as far as the logs tell.
public enum EndedBy: String, Sendable {
    case client, server, network, unknown
}

/// One authentication method a connection tried and how it went.
public struct MethodResult: Sendable, Equatable {
    public var method: String
    /// `failed`, `accepted`, `partial` or `postponed`.
    public var result: String
    public var count: Int
}

/// A set of event kinds, one bit per `EventKind` case (no hashing per test).
public struct KindSet: Sendable, Equatable {
    var lo: UInt64 = 0
    var hi: UInt64 = 0

    public init() {}

    static let ordinals: [EventKind: Int] = {
        var t: [EventKind: Int] = [:]
        for (i, k) in EventKind.allCases.enumerated() { t[k] = i }
        return t
    }()

    /// A payload-free enum is stored as its declaration index; checked once against `allCases`,
    /// with the dictionary as the fallback, so the per-line test needs no hashing.
    static let bitcastWorks: Bool = {
        guard MemoryLayout<EventKind>.size == 1 else { return false }
        for (i, k) in EventKind.allCases.enumerated() where unsafeBitCast(k, to: UInt8.self) != UInt8(i) { return false }
        return true
    }()

    @inline(__always) static func ordinal(_ k: EventKind) -> Int {
        bitcastWorks ? Int(unsafeBitCast(k, to: UInt8.self)) : ordinals[k]!
    }

    @inline(__always) public mutating func insert(_ k: EventKind) {
        let i = KindSet.ordinal(k)
        if i < 64 { lo |= 1 << UInt64(i) } else { hi |= 1 << UInt64(i - 64) }
    }

    @inline(__always) public func contains(_ k: EventKind) -> Bool {
        let i = KindSet.ordinal(k)
        return i < 64 ? (lo >> UInt64(i)) & 1 == 1 : (hi >> UInt64(i - 64)) & 1 == 1
    }

    public func containsAny(_ ks: [EventKind]) -> Bool {
        for k in ks where contains(k) { return true }
        return false
    }

    /// A set of the given kinds (build once, test with `intersects`).
    public static func of(_ ks: [EventKind]) -> KindSet {
        var s = KindSet()
        for k in ks { s.insert(k) }
        return s
    }

    @inline(__always) public func intersects(_ other: KindSet) -> Bool {
        (lo & other.lo) != 0 || (hi & other.hi) != 0
    }
}

/// One evidence line as kept after tagging: what a report cites (time, where, what, the text),
/// without the parsed fields (a fraction of a `TaggedEvent`'s size).
public struct EvidenceRecord: Sendable {
    public var time: Int64
    public var kind: EventKind
    public var program: String
    public var pid: Int32
    public var message: String
    public var location: SourceLocation

    init(_ e: TaggedEvent) {
        time = e.time
        kind = e.kind
        program = e.program
        pid = e.pid
        message = e.message
        location = e.location
    }

    init(time: Int64, kind: EventKind, program: String, pid: Int32, message: String, location: SourceLocation) {
        self.time = time
        self.kind = kind
        self.program = program
        self.pid = pid
        self.message = message
        self.location = location
    }
}

/// Program and source names of evidence lines, each stored once per correlator run and named by
/// a number in the lines that use it; and the run's spare evidence blocks.
final class EvidenceNames {
    /// Evidence blocks of `EvidenceStore.initialCapacity` bytes given back by connections that
    /// were dropped: the next connections reuse them instead of calling `malloc` and `free` once
    /// each (at most `maxSpare` are held).
    ///
    /// Only while the correlator runs (on one thread, which is the only one dropping its
    /// connections then): `stopReusingBlocks()` ends it, so that the connections handed over in
    /// the result free their blocks themselves, wherever they are released.
    private var spare: [UnsafeMutableRawPointer] = []
    private var reusing = true
    static let maxSpare = 256

    deinit {
        for p in spare { free(p) }
    }

    func takeBlock() -> UnsafeMutableRawPointer? { spare.popLast() }

    func giveBack(_ p: UnsafeMutableRawPointer) {
        if reusing && spare.count < EvidenceNames.maxSpare { spare.append(p) } else { free(p) }
    }

    /// Frees the spare blocks; from now on dropped connections free theirs.
    func stopReusingBlocks() {
        reusing = false
        for p in spare { free(p) }
        spare = []
    }

    private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]
    /// The last few names looked up: a run has a handful (sshd, sshd-session, the file), so the
    /// per-line lookup is a comparison of identical strings, not a hash.
    private var recent: [String] = []
    private var recentIDs: [Int32] = []
    /// The last name asked for in each of two roles (program, source): the usual case is one
    /// comparison of identical strings.
    private var lastProgram = "", lastSource = ""
    private var lastProgramID: Int32 = -1, lastSourceID: Int32 = -1
    private var lastSourceInterned: Int32 = -1

    func programID(_ s: String) -> Int32 {
        if lastProgramID >= 0 && s == lastProgram { return lastProgramID }
        let i = id(s)
        lastProgram = s
        lastProgramID = i
        return i
    }

    /// `sourceID` of a source name given by its number in `InternedNames` (what events hold).
    func sourceID(interned n: Int32) -> Int32 {
        if lastSourceID >= 0 && n == lastSourceInterned { return lastSourceID }
        let i = sourceID(InternedNames.name(n))
        lastSourceInterned = n
        return i
    }

    func sourceID(_ s: String) -> Int32 {
        if lastSourceID >= 0 && s == lastSource { return lastSourceID }
        let i = id(s)
        lastSource = s
        lastSourceID = i
        lastSourceInterned = -1
        return i
    }

    func id(_ s: String) -> Int32 {
        for k in recent.indices where recent[k] == s { return recentIDs[k] }
        let i: Int32
        if let known = ids[s] {
            i = known
        } else {
            i = Int32(names.count)
            names.append(s)
            ids[s] = i
        }
        if recent.count >= 4 {
            recent.removeFirst()
            recentIDs.removeFirst()
        }
        recent.append(s)
        recentIDs.append(i)
        return i
    }

    subscript(i: Int32) -> String { names[Int(i)] }
}

/// A connection's evidence lines, packed into one byte buffer: each line is a fixed-size head
/// (time, kind, pid, line number, numbers for its program and source) followed by its message and
/// journal cursor.
///
/// A finished connection kept for the report then holds one allocation for its evidence instead
/// of one string per line, and one dropped later frees it without touching a string per line
/// (the tagger's own strings die at once, while still in cache). The buffer is managed by hand
/// (`malloc`/`realloc`/`free`): growing it moves no more than `realloc` does, and trimming the
/// spare capacity of a kept connection shrinks the block in place instead of copying it.
///
/// - Complexity: appending is O(length of the line); reading or removing line `i` walks the
///   heads before it (a connection keeps a bounded number of lines, see `Correlator.Options`).
struct EvidenceStore: ~Copyable {
    struct Head {
        var time: Int64
        var line: Int
        var pid: Int32
        var program: Int32
        var source: Int32
        var messageLength: Int32
        /// -1 when the line has no journal cursor.
        var cursorLength: Int32
        var kind: EventKind
    }

    static let headSize = MemoryLayout<Head>.size
    /// The first allocation: a typical short connection's lines fit without growing.
    static let initialCapacity = 1_024

    let names: EvidenceNames
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    /// Bytes in use.
    private var used = 0
    private(set) var count = 0

    init(names: EvidenceNames) {
        self.names = names
    }

    deinit {
        guard let base else { return }
        if capacity == EvidenceStore.initialCapacity { names.giveBack(base) } else { free(base) }
    }

    var isEmpty: Bool { count == 0 }

    private static func textLength(_ h: Head) -> Int { Int(h.messageLength) + Int(max(0, h.cursorLength)) }

    private func head(at offset: Int) -> Head {
        base!.loadUnaligned(fromByteOffset: offset, as: Head.self)
    }

    /// Byte offset of line `i` (or of the end, for `i == count`).
    private func offset(of i: Int) -> Int {
        var o = 0
        for _ in 0..<i { o += EvidenceStore.headSize + EvidenceStore.textLength(head(at: o)) }
        return o
    }

    /// Room for `n` more bytes.
    private mutating func reserve(_ n: Int) {
        if used + n <= capacity { return }
        if base == nil && n <= EvidenceStore.initialCapacity {
            guard let p = names.takeBlock() ?? malloc(EvidenceStore.initialCapacity) else {
                fatalError("sshlog: out of memory (evidence buffer)")
            }
            base = p
            capacity = EvidenceStore.initialCapacity
            return
        }
        let want = max(used + n, capacity * 2, EvidenceStore.initialCapacity)
        guard let p = realloc(base, want) else { fatalError("sshlog: out of memory (evidence buffer of \(want) bytes)") }
        base = p
        capacity = want
    }

    /// Room is made first and the text copied after, from borrowed views of the strings: with no
    /// call in between that the compiler cannot see through, it neither copies nor retains them.
    mutating func append(_ e: TaggedEvent) {
        let program = names.programID(e.program), source = names.sourceID(interned: e.sourceName)
        let (m, c) = EvidenceStore.textCounts(e)
        reserve(EvidenceStore.headSize + m + (c ?? 0))
        var h = Head(time: e.time, line: e.line, pid: e.pid, program: program, source: source,
                     messageLength: Int32(m), cursorLength: c.map { Int32($0) } ?? -1, kind: e.kind)
        let at = base! + used
        at.copyMemory(from: &h, byteCount: EvidenceStore.headSize)
        e.withMessage { b in
            if b.count > 0 { (at + EvidenceStore.headSize).copyMemory(from: b.baseAddress!, byteCount: b.count) }
        }
        if let cursor = e.cursor { EvidenceStore.copyUTF8(cursor, to: at + EvidenceStore.headSize + m) }
        used += EvidenceStore.headSize + m + (c ?? 0)
        count += 1
    }

    /// Lengths of the message and the cursor (a function of its own, so that the compiler reads
    /// the strings again after `reserve` instead of keeping them, retained, across it).
    @inline(never) private static func textCounts(_ e: TaggedEvent) -> (Int, Int?) {
        (e.messageCount, e.cursor.map { $0.utf8.count })
    }

    @inline(__always) private static func copyUTF8(_ s: String, to dst: UnsafeMutableRawPointer) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { b in
            if b.count > 0 { dst.copyMemory(from: b.baseAddress!, byteCount: b.count) }
        }
        if done == nil {
            var i = 0
            for x in s.utf8 { dst.storeBytes(of: x, toByteOffset: i, as: UInt8.self); i += 1 }
        }
    }

    /// Removes the lines in `range`.
    mutating func remove(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let from = offset(of: range.lowerBound)
        var to = from
        for _ in range { to += EvidenceStore.headSize + EvidenceStore.textLength(head(at: to)) }
        (base! + from).copyMemory(from: base! + to, byteCount: used - to)
        used -= to - from
        count -= range.count
    }

    /// Drops spare capacity (for connections kept until the report). A first block (one of the
    /// spare blocks' size) goes back to the spare blocks at once, its lines copied into an
    /// allocation of their size: the next connection writes into memory still in cache, where
    /// otherwise it got a block freed long ago (a connection kept stays for minutes of log, and
    /// the next block it would have freed was cold). Measured on the bench file, that memory
    /// traffic, not instructions, was most of the correlator's time per connection. A bigger
    /// block is shrunk with `realloc` (split in place) when more than half of it is unused.
    mutating func shrink() {
        if capacity == EvidenceStore.initialCapacity, let block = base {
            if used > 0 {
                guard let p = malloc(used) else { return }
                p.copyMemory(from: block, byteCount: used)
                base = p
            } else {
                base = nil
            }
            capacity = used
            names.giveBack(block)
            return
        }
        guard capacity > 2 * used else { return }
        if used == 0 {
            free(base)
            base = nil
            capacity = 0
            return
        }
        if let p = realloc(base, used) {
            base = p
            capacity = used
        }
    }

    private func record(at o: Int) -> EvidenceRecord {
        let h = head(at: o)
        let s = o + EvidenceStore.headSize, m = Int(h.messageLength)
        let text = UnsafeRawBufferPointer(start: base! + s, count: m + Int(max(0, h.cursorLength)))
        let message = String(decoding: text[0..<m], as: UTF8.self)
        let cursor = h.cursorLength < 0 ? nil : String(decoding: text[m...], as: UTF8.self)
        return EvidenceRecord(time: h.time, kind: h.kind, program: names[h.program], pid: h.pid, message: message,
                              location: SourceLocation(source: names[h.source], line: h.line, cursor: cursor))
    }

    subscript(i: Int) -> EvidenceRecord { record(at: offset(of: i)) }

    var records: [EvidenceRecord] {
        var out: [EvidenceRecord] = []
        out.reserveCapacity(count)
        var o = 0
        for _ in 0..<count {
            out.append(record(at: o))
            o += EvidenceStore.headSize + EvidenceStore.textLength(head(at: o))
        }
        return out
    }
}

/// The parts of a connection's ending line the diagnosis reads (held inline: no allocation).
public struct EndingLine: Sendable {
    public struct Fields: Sendable {
        public var code: Int?
        public var signal: Int?
        public var reason: String?
    }

    public var kind: EventKind
    public var time: Int64
    public var message: String
    public var fields: Fields

    init(_ e: TaggedEvent) {
        kind = e.kind
        time = e.time
        message = e.message
        fields = Fields(code: e.fields.code, signal: e.fields.signal, reason: e.fields.reason)
    }

    init(kind: EventKind, time: Int64, message: String, fields: Fields) {
        self.kind = kind
        self.time = time
        self.message = message
        self.fields = fields
    }
}

/// The parts of an ending line other than its text (no references: copied for free).
struct EndingFacts {
    var kind: EventKind
    var time: Int64
    var code: Int?
    var signal: Int?
}

/// One SSH connection (or one connection attempt refused before sshd forked for it), built from
/// the tagged lines of its processes: the per-connection monitor, the post-auth child, PAM inside
/// them, and listener lines that name it.
///
/// A reference type: the pid table, the (client, port) table and the client's list of open
/// connections all point at the same record while it is open.
public final class Connection {
    // The fields that hold references come first, side by side: dropping a connection (its
    // deinit) then reads a few cache lines of it rather than all of them.
    public let host: String
    public internal(set) var client: String?
    public internal(set) var localAddress: String?
    /// Distinct user names tried, in order (at most `maxUsers`).
    public var users: [String] { userList.array }
    var userList = InlineList<String>()
    public var methods: [MethodResult] { methodList.array }
    var methodList = InlineList<MethodResult>()
    /// The client's version string, when a line logged it.
    public internal(set) var clientVersion: String?
    /// The ending line's text, while the connection is open (see `ending`).
    var endingMessage: [UInt8]?
    /// The ending line's `reason` field (disconnect text, error string), kept after finishing.
    public internal(set) var endingReason: String?
    /// Evidence: the first `head` and the last `tail` lines (all of them in timeline mode).
    public var events: [EvidenceRecord] { evidence.records }
    var evidence: EvidenceStore
    /// The first line whose fields a diagnosis quotes (refusal reason, algorithm offer).
    public var decisive: TaggedEvent? { decisiveBox?.event }
    var decisiveBox: EventBox?
    /// The jail of the ban in `bannedAt`.
    public internal(set) var banJail: String?
    /// The client's timeline while the connection is open (cleared when it is finished, so the
    /// timeline's kept connections do not point back at it).
    var owner: ClientTimeline?
    /// The pids it is registered under in the pid table.
    var tablePids = PidList()
    /// The per-connection process (monitor) id, or the listener's for listener-level drops.
    public internal(set) var pid: Int32
    /// The post-auth child, once linked (`User child is on pid`, or by client address and port).
    public internal(set) var childPid: Int32?
    public internal(set) var port: Int?
    public internal(set) var localPort: Int?
    /// Time of the first and the last line seen, µs since the epoch (UTC).
    public internal(set) var start: Int64
    public internal(set) var end: Int64
    /// False when sshd said the user does not exist, true when it treated it as existing, nil
    /// when no line tells.
    public internal(set) var userExists: Bool?
    public internal(set) var stage: Stage = .tcp
    public internal(set) var kinds = KindSet()
    public internal(set) var failures = 0
    public internal(set) var accepted = false
    /// The first line that ends the connection (an ending, a refusal, a drop), while the
    /// connection is open; released when it is finished (its reason stays in `endingReason`).
    public var ending: EndingLine? {
        guard let f = endingFacts, let m = endingMessage else { return nil }
        return EndingLine(kind: f.kind, time: f.time, message: String(decoding: m, as: UTF8.self),
                          fields: EndingLine.Fields(code: f.code, signal: f.signal, reason: endingReason))
    }
    /// The ending line's parts, held as plain fields: the diagnosis reads them without copying
    /// (or retaining) a struct of strings.
    var endingFacts: EndingFacts?
    /// A line ended the connection.
    public internal(set) var hasEnding = false
    public internal(set) var endedBy: EndedBy = .unknown
    /// The PAM session was closed (at INFO on sshd ≤ 9.7 often the only trace of a post-auth end).
    public internal(set) var sessionClosed = false
    /// Lines left out of `events` in the middle.
    public internal(set) var omittedEvents = 0
    /// Set when a fail2ban/sshguard ban for the client started while this connection was open.
    public internal(set) var bannedAt: Int64?
    /// Set when the listener on this host stopped (signal 15) while this connection was open.
    public internal(set) var restartAt: Int64?
    /// MaxStartups throttling was active on the host when the connection started.
    public internal(set) var duringThrottling = false
    /// The diagnosis, set when the connection is finished.
    public internal(set) var diagnosis: Diagnosis?
    /// The connection was still open when the data ended (not a drop).
    public internal(set) var stillOpen = false

    /// Position in its client's `open` list (-1 when not listed), for O(1) removal.
    var openSlot = -1
    /// The pid table's number for `host`, and the connection's position in the table's list of
    /// open connections (-1 when not listed).
    var hostID: Int32
    var tableSlot = -1

    static let maxUsers = 4
    static let maxMethods = 8

    init(host: String, hostID: Int32, pid: Int32, time: Int64, names: EvidenceNames) {
        self.evidence = EvidenceStore(names: names)
        self.host = host
        self.hostID = hostID
        self.pid = pid
        self.start = time
        self.end = time
    }

    /// True once a line ended it (or its PAM session closed).
    public var ended: Bool { hasEnding || sessionClosed }

    /// The user name to show: the accepted one, else the last tried.
    public var user: String? { userList.last }

    /// Adds a line to the evidence, keeping the first `head` and last `tail` lines.
    func record(_ e: TaggedEvent, head: Int, tail: Int) {
        if evidence.count >= head + tail {
            evidence.remove(head..<(head + 1))
            omittedEvents += 1
        }
        evidence.append(e)
    }

    /// Keeps only the first `head` and last `tail` evidence lines.
    func trimEvidence(head: Int, tail: Int) {
        guard evidence.count > head + tail else { return }
        let cut = evidence.count - head - tail
        evidence.remove(head..<(head + cut))
        evidence.shrink()
        omittedEvents += cut
    }

    /// `noteUser` with the fields' user, if any; a line naming the last user again (most do)
    /// makes no String.
    @inline(__always)
    func noteUser(from f: EventFields) {
        if let last = userList.last, f.text(.user, equals: last) { return }
        if let u = f.user { noteUser(u) }
    }

    func noteUser(_ u: String) {
        if userList.last == u { return }
        if userList.contains(u) { return }
        if userList.count < Connection.maxUsers { userList.append(u) }
    }

    func noteMethod(_ method: String, _ result: String) {
        if methodList.update(where: { $0.method == method && $0.result == result }, { $0.count += 1 }) {
            return
        }
        if methodList.count < Connection.maxMethods {
            methodList.append(MethodResult(method: method, result: result, count: 1))
        }
    }

    /// `f` is `e.fields` (read once by the caller).
    func setEnding(_ e: TaggedEvent, _ f: EventFields, by: EndedBy) {
        if !hasEnding {
            hasEnding = true
            endingFacts = EndingFacts(kind: e.kind, time: e.time, code: f.code, signal: f.signal)
            endingMessage = e.messageBytes
            endingReason = f.reason
            endedBy = by
        }
    }

    func setDecisive(_ e: TaggedEvent) {
        if decisiveBox == nil { decisiveBox = EventBox(e) }
    }

    /// Drops what only the diagnosis needed, once the connection is finished.
    func compact() {
        endingFacts = nil
        endingMessage = nil
        evidence.shrink()
    }
}

/// The pids a connection is registered under in the pid table: one or two held inline (the
/// monitor and its post-auth child), more in an array (no allocation for most connections).
struct PidList {
    private var first: Int32 = 0
    private var second: Int32 = 0
    private var inline = 0
    private var more: [Int32] = []

    mutating func append(_ p: Int32) {
        switch inline {
        case 0: first = p; inline = 1
        case 1: second = p; inline = 2
        default: more.append(p)
        }
    }

    var count: Int { inline + more.count }

    /// The `i`th pid registered (repeats included).
    subscript(i: Int) -> Int32 {
        i == 0 ? first : i == 1 ? second : more[i - 2]
    }

    /// Every pid, in the order registered (repeats included).
    var all: [Int32] {
        var out: [Int32] = []
        if inline > 0 { out.append(first) }
        if inline > 1 { out.append(second) }
        return out + more
    }

    func forEach(_ body: (Int32) -> Void) {
        if inline > 0 { body(first) }
        if inline > 1 { body(second) }
        for p in more { body(p) }
    }

    mutating func removeAll(_ p: Int32) {
        let kept = all.filter { $0 != p }
        self = PidList()
        for q in kept { append(q) }
    }
}

/// A short list whose first element is held inline: most connections try one user name and
/// one method, and then own no array (nothing to allocate, nothing to free).
struct InlineList<Element: Equatable> {
    private var head: Element?
    private var rest: [Element] = []

    var count: Int { head == nil ? 0 : 1 + rest.count }
    var isEmpty: Bool { head == nil }
    var last: Element? { rest.last ?? head }

    var array: [Element] {
        guard let head else { return [] }
        return [head] + rest
    }

    func forEach(_ body: (Element) -> Void) {
        guard let head else { return }
        body(head)
        for x in rest { body(x) }
    }

    func contains(_ x: Element) -> Bool {
        guard let head else { return false }
        return head == x || rest.contains(x)
    }

    mutating func append(_ x: Element) {
        if head == nil { head = x } else { rest.append(x) }
    }

    /// Removes every element equal to `x`, keeping the order of the others.
    mutating func removeAll(_ x: Element) {
        guard contains(x) else { return }
        let kept = array.filter { $0 != x }
        self = InlineList()
        for k in kept { append(k) }
    }

    /// Applies `body` to the first element matching `match`; false when none does.
    mutating func update(where match: (Element) -> Bool, _ body: (inout Element) -> Void) -> Bool {
        if head != nil, match(head!) {
            body(&head!)
            return true
        }
        if let i = rest.firstIndex(where: match) {
            body(&rest[i])
            return true
        }
        return false
    }
}

/// A tagged line kept by reference (so that an absent one costs a pointer, not the struct), with
/// bytes of its own.
final class EventBox {
    let event: TaggedEvent
    init(_ e: TaggedEvent) { event = e.owned() }
}
