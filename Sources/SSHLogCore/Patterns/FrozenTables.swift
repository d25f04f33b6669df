#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The compiled library in memory that never moves: the matcher reads it through raw pointers,
/// so a match takes no reference counts and makes no copies.
final class FrozenTables {
    struct ByteString {
        var start: Int32
        var count: Int32
    }

    struct Group {
        var primary: Int32
        var fallback: Int32
        var levels: Range<Int32>
        var phases: Range<Int32>
    }

    struct Program {
        var name: ByteString
        var group: Int32
        /// Written with a trailing `*` in the pattern file: matches names starting with `name`.
        var prefix: Bool
    }

    let nodes: UnsafeMutablePointer<CompiledTrie.Node>
    let lits: UnsafeMutablePointer<CompiledTrie.LitEdge>
    let labels: UnsafeMutablePointer<UInt8>
    let dispatch: UnsafeMutablePointer<Int32>
    let fields: UnsafeMutablePointer<CompiledTrie.FieldEdge>
    let firstSets: UnsafeMutablePointer<UInt64>
    /// `FieldScan.classes`, read once here (a global's lazy initialisation is checked on every
    /// read: once per match, were `MatchRun` to read it).
    let classes = FieldScan.classes
    /// Field slot of each entry of `CompiledTrie.names`.
    let slots: UnsafeMutablePointer<FieldSlot>
    /// Per entry of `CompiledTrie.constants`: 1 or 0 for an `<invalid=…>` constant (what
    /// `EventFields.set` makes of its value), -1 for others (set by name).
    let constantInvalid: UnsafeMutablePointer<Int8>
    /// Per entry of `CompiledTrie.constants`: its number in `InternedNames`.
    let constantNames: UnsafeMutablePointer<Int32>
    /// Program names, level words and phase words.
    let bytes: UnsafeMutablePointer<UInt8>
    let strings: UnsafeMutablePointer<ByteString>
    let groups: UnsafeMutablePointer<Group>
    let programs: UnsafeMutablePointer<Program>
    let programCount: Int
    /// The exact-name entries of `programs` by name length: those of length n (n < `lengthSlots`,
    /// longer ones all in the last slot) are `exactOrder[exactStarts[n]..<exactStarts[n + 1]]`,
    /// so a lookup compares one or two names instead of walking the list.
    let exactStarts: UnsafeMutablePointer<Int32>
    let exactOrder: UnsafeMutablePointer<Int32>
    /// The `name*` entries of `programs`, in their order.
    let prefixOrder: UnsafeMutablePointer<Int32>
    let prefixCount: Int
    static let lengthSlots = 32

    init(trie t: CompiledTrie, groups g: [(primary: Int32, fallback: Int32, levels: [[UInt8]], phases: [[UInt8]])],
         programs p: [(name: [UInt8], group: Int, prefix: Bool)]) {
        nodes = Self.freeze(t.nodes)
        lits = Self.freeze(t.litEdges)
        labels = Self.freeze(t.labels)
        dispatch = Self.freeze(t.dispatch)
        fields = Self.freeze(t.fieldEdges)
        firstSets = Self.freeze(t.firstSets)
        slots = Self.freeze(t.names.map { FieldSlot(name: $0) })
        var ci = [Int8](repeating: -1, count: t.constants.count)
        for e in t.fieldEdges where e.kind == .constant && e.name >= 0 && t.names[Int(e.name)] == "invalid" {
            var probe = EventFields()
            probe.set("invalid", t.constants[Int(e.constant)])
            ci[Int(e.constant)] = probe.invalid ? 1 : 0
        }
        constantInvalid = Self.freeze(ci)
        constantNames = Self.freeze(t.constants.map { InternedNames.id($0) })
        var pool: [UInt8] = [], strs: [ByteString] = []
        func add(_ b: [UInt8]) -> ByteString {
            let s = ByteString(start: Int32(pool.count), count: Int32(b.count))
            pool += b
            return s
        }
        var gs: [Group] = []
        for x in g {
            let l0 = Int32(strs.count)
            for l in x.levels { strs.append(add(l)) }
            let p0 = Int32(strs.count)
            for ph in x.phases { strs.append(add(ph)) }
            gs.append(Group(primary: x.primary, fallback: x.fallback, levels: l0..<p0, phases: p0..<Int32(strs.count)))
        }
        let progs = p.map { Program(name: add($0.name), group: Int32($0.group), prefix: $0.prefix) }
        bytes = Self.freeze(pool)
        strings = Self.freeze(strs)
        groups = Self.freeze(gs)
        programs = Self.freeze(progs)
        programCount = progs.count
        let slot = { (n: Int32) in min(Int(n), Self.lengthSlots - 1) }
        var starts = [Int32](repeating: 0, count: Self.lengthSlots + 1), order: [Int32] = []
        for n in 0..<Self.lengthSlots {
            starts[n] = Int32(order.count)
            order += progs.indices.filter { !progs[$0].prefix && slot(progs[$0].name.count) == n }.map { Int32($0) }
        }
        starts[Self.lengthSlots] = Int32(order.count)
        exactStarts = Self.freeze(starts)
        exactOrder = Self.freeze(order)
        let prefixes = progs.indices.filter { progs[$0].prefix }.map { Int32($0) }
        prefixOrder = Self.freeze(prefixes)
        prefixCount = prefixes.count
    }

    deinit {
        nodes.deallocate(); lits.deallocate(); labels.deallocate(); dispatch.deallocate()
        fields.deallocate(); firstSets.deallocate(); constantInvalid.deallocate(); constantNames.deallocate(); slots.deallocate(); bytes.deallocate()
        strings.deallocate(); groups.deallocate(); programs.deallocate()
        exactStarts.deallocate(); exactOrder.deallocate(); prefixOrder.deallocate()
    }

    static func freeze<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
        a.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: a.count) } }
        return p
    }

    /// The entry of `programs` for a program name, or -1 (exact names first, then `name*` prefixes).
    @inline(__always)
    func program(for p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let slot = min(n, Self.lengthSlots - 1)
        var k = Int(exactStarts[slot])
        let stop = Int(exactStarts[slot + 1])
        while k < stop {
            let e = Int(exactOrder[k])
            let name = programs[e].name
            // Names are unique, so the first equal one is the answer.
            if Int(name.count) == n, n > 0, bytes[Int(name.start)] == p[0], MatchRun.equal(bytes + Int(name.start), p, n) { return e }
            k += 1
        }
        k = 0
        while k < prefixCount {
            let e = Int(prefixOrder[k])
            let name = programs[e].name
            if Int(name.count) <= n, memcmp(bytes + Int(name.start), p, Int(name.count)) == 0 { return e }
            k += 1
        }
        return -1
    }
}

/// The well-known field names, so that a match sets `EventFields` slots without comparing names.
enum FieldSlot: UInt8 {
    case client, port, laddr, lport, user, invalid, method, code, reason, jail, count, seconds, pid, session,
         what, offer, keytype, fingerprint, signal, level, phase, other

    init(name: String) {
        switch name {
        case "client": self = .client
        case "port": self = .port
        case "laddr": self = .laddr
        case "lport": self = .lport
        case "user": self = .user
        case "invalid": self = .invalid
        case "method": self = .method
        case "code": self = .code
        case "reason": self = .reason
        case "jail": self = .jail
        case "count": self = .count
        case "seconds": self = .seconds
        case "pid": self = .pid
        case "session": self = .session
        case "what": self = .what
        case "offer": self = .offer
        case "keytype": self = .keytype
        case "fingerprint": self = .fingerprint
        case "signal": self = .signal
        case "level": self = .level
        case "phase": self = .phase
        default: self = .other
        }
    }
}

extension FieldSlot {
    /// The `EventFields` text slot this field is kept in, or nil (numbers, `invalid`, `seconds`, others).
    var textSlot: EventFields.TextSlot? {
        switch self {
        case .client: return .client
        case .laddr: return .laddr
        case .user: return .user
        case .method: return .method
        case .reason: return .reason
        case .jail: return .jail
        case .session: return .session
        case .what: return .what
        case .offer: return .offer
        case .keytype: return .keytype
        case .fingerprint: return .fingerprint
        case .level: return .level
        case .phase: return .phase
        case .port, .lport, .code, .count, .signal, .pid, .invalid, .seconds, .other: return nil
        }
    }
}

extension EventFields {
    /// Sets a field from message bytes `base[start..<start+n]`. Integers are parsed from the bytes;
    /// anything that does not fit its slot goes through `set(_:_:)`, which keeps it in `extra`.
    /// With `spans`, text slots keep the range (`text` holds the message `base` points to);
    /// otherwise they get a String decoded from the bytes.
    @inline(__always)
    mutating func set(slot: FieldSlot, name: @autoclosure () -> String, base: UnsafePointer<UInt8>, _ start: Int, _ n: Int,
                      spans: Bool) {
        let b = UnsafeBufferPointer(start: base + start, count: n)
        @inline(__always) func int() -> Int? {
            guard b.count > 0, b.count <= 18 else { return nil }
            var v = 0
            for c in b { guard FieldScan.isDigit(c) else { return nil }; v = v * 10 + Int(c &- 0x30) }
            return v
        }
        @inline(__always) func str() -> String { String(decoding: b, as: UTF8.self) }
        if let t = slot.textSlot {
            if spans { assignSpan(t, start, n, bytes: base) } else { assign(t, str()) }
            return
        }
        switch slot {
        case .port: if let v = int() { port = v } else { set(name(), str()) }
        case .lport: if let v = int() { lport = v } else { set(name(), str()) }
        case .code: if let v = int() { code = v } else { set(name(), str()) }
        case .count: if let v = int() { count = v } else { set(name(), str()) }
        case .signal: if let v = int() { signal = v } else { set(name(), str()) }
        case .pid: if let v = int(), v <= Int(Int32.max) { pid = Int32(v) } else { set(name(), str()) }
        default: set(name(), str())
        }
    }
}
