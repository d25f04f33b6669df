#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Fields a pattern extracts. The well-known names have their own slots (no dictionary per line);
/// an admin's own field names go to `extra`.
///
/// Field names in pattern files: `client` (address or host name of the SSH client), `port`,
/// `laddr`, `lport`, `user`, `invalid` (the user does not exist), `method`, `code` (SSH2_MSG_DISCONNECT
/// reason code), `reason` (free text: disconnect text, refusal reason, error string), `jail`,
/// `count`, `seconds`, `pid` (another process: the post-auth child, the session process),
/// `session` (logind session id), `what`/`offer` (kex mismatch), `keytype`, `fingerprint`,
/// `signal`, `level` (`error`/`fatal`, from the message prefix), `phase` (`preauth`, `postauth`,
/// `net`, from the bracketed suffix).
///
/// Storage: the text fields of a match are byte ranges into `bytes`, the message bytes (which
/// are also the event's message: see `EventBytes` for owned and borrowed bytes), and become
/// Strings only when read (decoded as
/// `String(decoding:as:)` would decode the field's bytes, so invalid UTF-8 reads as U+FFFD). Values
/// assigned through the properties (or `set(_:_:)`) are kept as Strings, with `extra`, in a
/// side object that a match without them does not have: copying a match's fields costs one
/// reference count (the bytes), not one per field. Either way the properties read the same.
public struct EventFields: Sendable, Equatable {
    /// The bytes the ranges in `spans` point into (the message of the match), or empty.
    var bytes = EventBytes()
    /// Per text slot (`TextSlot`): `start << 16 | (count + 1)`, 0 when unset, `Self.owned` when the
    /// value is in `rare.owned`.
    var spans: SIMD16<UInt32> = .zero
    /// Owned text values and `extra`, or nil when there are none.
    var rare: RareFields?
    public var invalid: Bool = false
    /// The numeric fields, packed (a match's fields are copied and moved whole, so size counts):
    /// `numbers` holds port, lport, code, count, signal; `present` has bit `NumberSlot` set for
    /// each set one, bit 5 for `seconds` and bit 6 for `pid`.
    var numbers: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)
    var secondsValue: Double = 0
    var pidValue: Int32 = 0
    var present: UInt8 = 0

    enum NumberSlot: Int { case port, lport, code, count, signal }

    @inline(__always)
    func number(_ k: NumberSlot) -> Int? {
        guard present & (1 << UInt8(k.rawValue)) != 0 else { return nil }
        switch k {
        case .port: return numbers.0
        case .lport: return numbers.1
        case .code: return numbers.2
        case .count: return numbers.3
        case .signal: return numbers.4
        }
    }

    @inline(__always)
    mutating func setNumber(_ k: NumberSlot, _ v: Int?) {
        let bit: UInt8 = 1 << UInt8(k.rawValue)
        guard let v else { present &= ~bit; return }
        present |= bit
        switch k {
        case .port: numbers.0 = v
        case .lport: numbers.1 = v
        case .code: numbers.2 = v
        case .count: numbers.3 = v
        case .signal: numbers.4 = v
        }
    }

    public var port: Int? { get { number(.port) } set { setNumber(.port, newValue) } }
    public var lport: Int? { get { number(.lport) } set { setNumber(.lport, newValue) } }
    public var code: Int? { get { number(.code) } set { setNumber(.code, newValue) } }
    public var count: Int? { get { number(.count) } set { setNumber(.count, newValue) } }
    public var signal: Int? { get { number(.signal) } set { setNumber(.signal, newValue) } }
    public var seconds: Double? {
        get { present & 32 != 0 ? secondsValue : nil }
        set { if let v = newValue { secondsValue = v; present |= 32 } else { present &= ~32 } }
    }
    public var pid: Int32? {
        get { present & 64 != 0 ? pidValue : nil }
        set { if let v = newValue { pidValue = v; present |= 64 } else { present &= ~64 } }
    }

    /// Fields with names outside the well-known ones (an admin's own patterns), and numbers that
    /// did not parse, by name.
    public var extra: [String: String] {
        get { rare?.extra ?? [:] }
        set {
            if newValue.isEmpty && rare == nil { return }
            uniqueRare().extra = newValue
        }
    }

    /// Whether `extra` holds anything, without making the empty dictionary (the correlator asks
    /// for every line; nearly none has any).
    var hasExtra: Bool {
        guard let r = rare else { return false }
        return !r.extra.isEmpty
    }

    var ownedValues: [UInt8: String] { rare?.owned ?? [:] }

    /// `rare`, made or copied so that this value alone holds it (copy on write).
    @inline(__always)
    mutating func uniqueRare() -> RareFields {
        if let r = rare {
            if isKnownUniquelyReferenced(&rare!) { return r }
            let c = RareFields(owned: r.owned, extra: r.extra)
            rare = c
            return c
        }
        let c = RareFields(owned: [:], extra: [:])
        rare = c
        return c
    }

    public init() {}

    /// Makes these fields read as `EventFields()`, in place: the slot of a reused event is
    /// emptied without a new value built, copied in and the old one destroyed. The numbers stay
    /// as they were, unread (`present` says none is set).
    @inline(__always)
    mutating func clear() {
        bytes = EventBytes()
        spans = .zero
        if rare != nil { rare = nil }
        invalid = false
        present = 0
    }

    /// The text slots, indexes into `spans`.
    enum TextSlot: Int {
        case client, laddr, user, method, reason, jail, session, what, offer, keytype, fingerprint, level, phase
    }

    static let owned: UInt32 = .max

    public var client: String? { get { value(.client) } set { assign(.client, newValue) } }
    public var laddr: String? { get { value(.laddr) } set { assign(.laddr, newValue) } }
    public var user: String? { get { value(.user) } set { assign(.user, newValue) } }
    public var method: String? { get { value(.method) } set { assign(.method, newValue) } }
    public var reason: String? { get { value(.reason) } set { assign(.reason, newValue) } }
    public var jail: String? { get { value(.jail) } set { assign(.jail, newValue) } }
    public var session: String? { get { value(.session) } set { assign(.session, newValue) } }
    public var what: String? { get { value(.what) } set { assign(.what, newValue) } }
    public var offer: String? { get { value(.offer) } set { assign(.offer, newValue) } }
    public var keytype: String? { get { value(.keytype) } set { assign(.keytype, newValue) } }
    public var fingerprint: String? { get { value(.fingerprint) } set { assign(.fingerprint, newValue) } }
    public var level: String? { get { value(.level) } set { assign(.level, newValue) } }
    public var phase: String? { get { value(.phase) } set { assign(.phase, newValue) } }

    /// The value of a text slot: decoded from `text` on each read (Strings of up to 15 bytes
    /// allocate nothing).
    @inline(__always)
    func value(_ slot: TextSlot) -> String? {
        let s = spans[slot.rawValue]
        if s == 0 { return nil }
        if s == Self.owned { return rare?.owned[UInt8(slot.rawValue)] }
        if s >> 16 == 0xFFFF { return InternedNames.name(Int32(s & 0xFFFF)) }
        let start = Int(s >> 16), n = Int(s & 0xFFFF) - 1
        return String(decoding: UnsafeBufferPointer(start: bytes.base! + start, count: n), as: UTF8.self)
    }

    /// Whether a text slot reads as `s`: compared on the bytes when the value is a range of the
    /// message (no String made). Bytes equal to a String's are valid UTF-8, so decoding them
    /// would give `s` too.
    @inline(__always)
    func text(_ slot: TextSlot, equals s: String) -> Bool {
        let sp = spans[slot.rawValue]
        guard sp != 0, sp != Self.owned, sp >> 16 != 0xFFFF, let base = bytes.base else { return value(slot) == s }
        let start = Int(sp >> 16), n = Int(sp & 0xFFFF) - 1
        var s = s
        return s.withUTF8 { u in u.count == n && (n == 0 || memcmp(u.baseAddress!, base + start, n) == 0) }
    }

    @inline(__always)
    mutating func assign(_ slot: TextSlot, _ v: String?) {
        if let v {
            uniqueRare().owned[UInt8(slot.rawValue)] = v
            spans[slot.rawValue] = Self.owned
        } else {
            if spans[slot.rawValue] == Self.owned { uniqueRare().owned[UInt8(slot.rawValue)] = nil }
            spans[slot.rawValue] = 0
        }
    }

    /// Whether a `spans` entry names an interned constant (`0xFFFF << 16 | id`) rather than a range
    /// (ranges start below 0xFFFF) or an owned value.
    @inline(__always)
    static func isConstant(_ s: UInt32) -> Bool { s != owned && s >> 16 == 0xFFFF }

    /// Sets a text slot to a pattern's constant value (`set` lines, `<name=value>`), held by its
    /// number in `InternedNames`; values past 0xFFFE such numbers are kept as owned Strings.
    @inline(__always)
    mutating func assignConstant(_ slot: TextSlot, id: Int32) {
        guard id >= 0 && id < 0xFFFF else { assign(slot, InternedNames.name(id)); return }
        if spans[slot.rawValue] == Self.owned { uniqueRare().owned[UInt8(slot.rawValue)] = nil }
        spans[slot.rawValue] = 0xFFFF_0000 | UInt32(id)
    }

    /// `set(name, value)` for a pattern's constants: text fields hold the value by number.
    mutating func setConstant(_ name: String, _ value: String) {
        if let t = FieldSlot(name: name).textSlot {
            assignConstant(t, id: InternedNames.id(value))
        } else {
            set(name, value)
        }
    }

    /// Sets a text slot to bytes `start..<start+n` of `bytes`, which must hold the matched message.
    @inline(__always)
    mutating func assignSpan(_ slot: TextSlot, _ start: Int, _ n: Int, bytes: UnsafePointer<UInt8>) {
        if start < 0xFFFF && n < 0xFFFE {
            if spans[slot.rawValue] == Self.owned { uniqueRare().owned[UInt8(slot.rawValue)] = nil }
            spans[slot.rawValue] = UInt32(start) << 16 | UInt32(n + 1)
        } else {
            assign(slot, String(decoding: UnsafeBufferPointer(start: bytes + start, count: n), as: UTF8.self))
        }
    }

    public static func == (a: EventFields, b: EventFields) -> Bool {
        guard a.port == b.port, a.lport == b.lport, a.invalid == b.invalid, a.code == b.code, a.count == b.count,
              a.seconds == b.seconds, a.pid == b.pid, a.signal == b.signal, a.extra == b.extra else { return false }
        var k = 0
        while let slot = TextSlot(rawValue: k) {
            if a.value(slot) != b.value(slot) { return false }
            k += 1
        }
        return true
    }

    /// Sets a field by its pattern-file name. Unknown names go to `extra`; numbers that do not
    /// parse are kept in `extra` under their name.
    public mutating func set(_ name: String, _ value: String) {
        switch name {
        case "client": client = value
        case "port": if let v = Int(value) { port = v } else { extra[name] = value }
        case "laddr": laddr = value
        case "lport": if let v = Int(value) { lport = v } else { extra[name] = value }
        case "user": user = value
        case "invalid": invalid = (value == "yes" || value == "true" || value == "1")
        case "method": method = value
        case "code": if let v = Int(value) { code = v } else { extra[name] = value }
        case "reason": reason = value
        case "jail": jail = value
        case "count": if let v = Int(value) { count = v } else { extra[name] = value }
        case "seconds": if let v = Double(value) { seconds = v } else { extra[name] = value }
        case "pid": if let v = Int32(value) { pid = v } else { extra[name] = value }
        case "session": session = value
        case "what": what = value
        case "offer": offer = value
        case "keytype": keytype = value
        case "fingerprint": fingerprint = value
        case "signal": if let v = Int(value) { signal = v } else { extra[name] = value }
        case "level": level = value
        case "phase": phase = value
        default: extra[name] = value
        }
    }

    /// All set fields as (name, value) pairs in a stable order, for printing and JSON.
    public var pairs: [(String, String)] {
        var out: [(String, String)] = []
        func add(_ n: String, _ v: String?) { if let v { out.append((n, v)) } }
        add("client", client); add("port", port.map(String.init)); add("laddr", laddr)
        add("lport", lport.map(String.init)); add("user", user)
        if invalid { out.append(("invalid", "yes")) }
        add("method", method); add("code", code.map(String.init)); add("reason", reason)
        add("jail", jail); add("count", count.map(String.init))
        add("seconds", seconds.map { String($0) }); add("pid", pid.map(String.init))
        add("session", session); add("what", what); add("offer", offer); add("keytype", keytype)
        add("fingerprint", fingerprint); add("signal", signal.map(String.init))
        add("level", level); add("phase", phase)
        for k in extra.keys.sorted() { out.append((k, extra[k]!)) }
        return out
    }
}

/// The rarely used parts of `EventFields`, kept out of line (see its storage note).
final class RareFields: @unchecked Sendable {
    var owned: [UInt8: String]
    var extra: [String: String]

    init(owned: [UInt8: String], extra: [String: String]) {
        self.owned = owned
        self.extra = extra
    }
}

/// A record the pattern library recognised: the hand-over from the patterns stage to the
/// correlator.
///
/// An event from the tagging pipeline (`IngestRun.forEachTagged`, `forEachRecord`) is *borrowed*:
/// its message bytes are those of the pipeline's batch, valid only during the call that hands it
/// over. Whoever keeps one keeps `owned()`, a copy with its own bytes. Events from
/// `PatternLibrary.tag`, `Tagger.tag` and the initializer are owned.
///
/// Events are made on tagging threads and read, copied and freed on others: the pattern id and
/// the source file name, which all events share, are held as numbers (`InternedNames`), so that
/// no two threads bump one reference count. The properties read as Strings all the same.
public struct TaggedEvent: Sendable {
    /// Microseconds since the Unix epoch, UTC.
    public var time: Int64
    public var host: String
    public var program: String
    public var pid: Int32
    public var kind: EventKind
    /// `patternID`'s number in `InternedNames`.
    var patternName: Int32
    /// The id of the pattern that matched (e.g. `sshd.auth.failed-password`).
    public var patternID: String {
        get { InternedNames.name(patternName) }
        set { patternName = InternedNames.id(newValue) }
    }
    public var fields: EventFields
    /// The message as logged, byte for byte (not yet sanitised: renderers escape it for their
    /// format), as a new array. For a match, the same bytes as the fields' storage; `withMessage`
    /// reads them without a copy.
    public var messageBytes: [UInt8] {
        get { ownMessage ?? fields.bytes.array }
        set { ownMessage = newValue }
    }

    /// Calls `body` with the message bytes (valid only during the call).
    @inline(__always)
    public func withMessage<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let own = ownMessage { return own.withUnsafeBufferPointer(body) }
        return body(fields.bytes.buffer)
    }

    /// The length of the message in bytes.
    public var messageCount: Int { ownMessage?.count ?? fields.bytes.count }

    /// True for an event handed over by the tagging pipeline, whose bytes are the batch's.
    public var isBorrowed: Bool { ownMessage == nil && fields.bytes.isBorrowed }

    /// The event with bytes of its own (itself when it has them): what to keep of a borrowed
    /// event beyond the call that handed it over.
    public func owned() -> TaggedEvent {
        guard isBorrowed else { return self }
        var e = self
        e.fields.bytes = fields.bytes.owned()
        return e
    }
    /// The message when it is not the fields' bytes (set by hand).
    var ownMessage: [UInt8]?
    /// The message as a String (invalid UTF-8 decoded as U+FFFD), made on each read.
    public var message: String {
        get { withMessage { String(decoding: $0, as: UTF8.self) } }
        set { messageBytes = Array(newValue.utf8) }
    }
    /// `location`, kept as the number of its source name, its line and its journal cursor.
    var sourceName: Int32
    var line: Int
    var cursor: String?
    public var location: SourceLocation {
        get { SourceLocation(source: InternedNames.name(sourceName), line: line, cursor: cursor) }
        set {
            sourceName = InternedNames.id(newValue.source)
            line = newValue.line
            cursor = newValue.cursor
        }
    }
    /// Set by the journal source when the entry's trusted fields contradict its identifier.
    public var spoofed: Bool = false

    public init(time: Int64, host: String, program: String, pid: Int32, kind: EventKind, patternID: String,
                fields: EventFields, message: String, location: SourceLocation, spoofed: Bool = false) {
        self.time = time
        self.host = host
        self.program = program
        self.pid = pid
        self.kind = kind
        self.patternName = InternedNames.id(patternID)
        self.fields = fields
        self.ownMessage = Array(message.utf8)
        self.sourceName = InternedNames.id(location.source)
        self.line = location.line
        self.cursor = location.cursor
        self.spoofed = spoofed
    }

    /// A slot for an event to be written over (`PatternLibrary.tag(_:captures:slot:…)`).
    static let unused = TaggedEvent(time: 0, host: "", program: "", pid: -1, kind: .connOpen, patternName: -1,
                                    matchFields: EventFields(), sourceName: -1, line: 0, cursor: nil)

    /// A match's event: `fields.bytes` holds the message bytes (kept as they are, invalid UTF-8
    /// included) and is its message.
    @inline(__always)
    init(time: Int64, host: String, program: String, pid: Int32, kind: EventKind, patternName: Int32,
         matchFields fields: EventFields, sourceName: Int32, line: Int, cursor: String?) {
        self.time = time
        self.host = host
        self.program = program
        self.pid = pid
        self.kind = kind
        self.patternName = patternName
        self.fields = fields
        self.ownMessage = nil
        self.sourceName = sourceName
        self.line = line
        self.cursor = cursor
    }
}

/// The message bytes of a match: owned (a heap copy that copies of the value share, freed with
/// the last) or borrowed (a view into bytes someone else keeps alive: a tagging batch). Borrowed
/// bytes cost no allocation and no reference count, which is what lets events cross from the
/// tagging thread to the correlating one cheaply; `owned()` makes a copy to keep.
struct EventBytes: @unchecked Sendable {
    private(set) var base: UnsafePointer<UInt8>?
    private(set) var count: Int
    /// Keeps `base` alive when owned; nil when borrowed or empty.
    private var storage: ByteStorage?

    init() {
        base = nil
        count = 0
        storage = nil
    }

    /// Owned: a copy of `b`.
    init(copying b: UnsafeBufferPointer<UInt8>) {
        if b.count > 0, let src = b.baseAddress {
            let (s, p) = ByteStorage.make(copying: src, count: b.count)
            base = p
            count = b.count
            storage = s
        } else {
            base = nil
            count = 0
            storage = nil
        }
    }

    /// Borrowed: `count` bytes at `base`, which the caller keeps alive and unchanged for as long
    /// as this value (or a copy) is read.
    init(borrowing base: UnsafePointer<UInt8>, count: Int) {
        self.base = count > 0 ? base : nil
        self.count = count
        storage = nil
    }

    var isBorrowed: Bool { storage == nil && count > 0 }

    @inline(__always)
    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    var array: [UInt8] { Array(buffer) }

    /// These bytes with storage of their own.
    func owned() -> EventBytes { isBorrowed ? EventBytes(copying: buffer) : self }
}

/// Heap bytes that never move, in one allocation with their object (the bytes are tail-allocated;
/// an array's buffer is not promised to stay put for a pointer kept outside a closure). The
/// header is the byte count.
final class ByteStorage: ManagedBuffer<Int, UInt8>, @unchecked Sendable {
    /// A new storage holding a copy of `count` bytes at `src`, and where its bytes are.
    static func make(copying src: UnsafePointer<UInt8>, count: Int) -> (ByteStorage, UnsafePointer<UInt8>) {
        let s = unsafeDowncast(ByteStorage.create(minimumCapacity: count) { _ in count }, to: ByteStorage.self)
        let p = s.withUnsafeMutablePointerToElements { $0 }
        p.initialize(from: src, count: count)
        return (s, UnsafePointer(p))
    }
}
