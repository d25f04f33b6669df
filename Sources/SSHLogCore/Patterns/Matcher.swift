#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One-pass matching of a message against a compiled radix tree.
///
/// The walk goes left to right over the message bytes. At each node it first follows the literal
/// edge chosen by the next byte, then tries the field edges in the order the pattern files give
/// them. Token fields (`int`, `ip`, `host`, ...) take their longest form (`word`, `host` and `num`
/// may give bytes back when what follows does not fit). Span fields are placed by what follows:
/// `user` tries the rightmost position where the next literal can start first, so a user name
/// cannot move the client address (`... user X from A port P from B port Q ssh2` gives B); `text`
/// tries the leftmost first; `rest` takes everything.
///
/// - Complexity: O(n) steps for the templates of the built-in library (n = message length);
///   backtracking is bounded by `stepBudget`, after which the message counts as unmatched.
struct Capture {
    /// Index into `CompiledTrie.names`, or -1.
    var name: Int32
    /// Byte range in the message; for constants `start` is -1 and `end` indexes `constants`.
    var start: Int32
    var end: Int32
}

struct MatchRun {
    let trie: UnsafePointer<CompiledTrie.Node>
    let lits: UnsafePointer<CompiledTrie.LitEdge>
    let labels: UnsafePointer<UInt8>
    let dispatch: UnsafePointer<Int32>
    let fields: UnsafePointer<CompiledTrie.FieldEdge>
    let firstSets: UnsafePointer<UInt64>
    let p: UnsafePointer<UInt8>
    let end: Int
    let captures: UnsafeMutablePointer<Capture>
    let captureCapacity: Int
    var depth = 0
    var budget: Int
    var accepted: Int32 = -1
    /// `FieldScan.classes` (`FrozenTables.classes`).
    let classes: UnsafePointer<UInt8>

    static let stepBudget = 20_000

    /// True when some match of the whole message from `startNode` at `startPos` exists; then `accepted` is
    /// the pattern index and `captures[0..<depth]` the fields along the path. On false, `depth` is
    /// as on entry.
    mutating func run(_ startNode: Int32, _ startPos: Int) -> Bool {
        var nodeIndex = startNode, pos = startPos
        // The last way on from a node needs no call: nothing is tried after it, so its result is
        // this call's. It is followed in this loop (one budget step per node, as a call would
        // take), and what it pushed is dropped here when it fails.
        let entryDepth = depth
        step: while true {
            budget &-= 1
            if budget <= 0 { depth = entryDepth; return false }
            let node = trie[Int(nodeIndex)]
            if node.only >= 0 {
                // One literal edge and nothing else (most nodes after a field): no lookup.
                let edge = lits[Int(node.litStart)]
                let n = Int(edge.labelCount)
                if pos + n <= end, p[pos] == edge.first, Self.equal(labels + Int(edge.labelStart), p + pos, n) {
                    nodeIndex = edge.child
                    pos += n
                    continue step
                }
                depth = entryDepth
                return false
            }
            if pos == end, node.accept >= 0 {
                accepted = node.accept
                return true
            }
            // Literal edge.
            if pos < end, node.litCount > 0 {
                let c = p[pos]
                var e = -1
                if node.dispatch >= 0 {
                    e = Int(dispatch[Int(node.dispatch) + Int(c)])
                } else {
                    var k = Int(node.litStart)
                    let stop = k + Int(node.litCount)
                    while k < stop { if lits[k].first == c { e = k; break }; k += 1 }
                }
                if e >= 0 {
                    let edge = lits[e]
                    let n = Int(edge.labelCount)
                    if pos + n <= end {
                        if Self.equal(labels + Int(edge.labelStart), p + pos, n) {
                            if node.fieldCount == 0 {
                                nodeIndex = edge.child
                                pos += n
                                continue step
                            }
                            if run(edge.child, pos + n) { return true }
                        }
                        if budget <= 0 { depth = entryDepth; return false }
                    }
                }
            }
            // Field edges.
            var f = Int(node.fieldStart)
            let fstop = f + Int(node.fieldCount)
            while f < fstop {
                let edge = fields[f]
                f += 1
                let last = f == fstop
                switch edge.kind {
                case .constant:
                    if push(edge.name, -1, Int(edge.constant)) {
                        if last { nodeIndex = edge.child; continue step }
                        if run(edge.child, pos) { return true }
                        depth -= 1
                    }
                case .token:
                    let n = scan(edge.type, pos)
                    if n == 0 { continue }
                    if !edge.givesBack {
                        // The longest token only (the shorter ones could not be followed).
                        if push(edge.name, pos, pos + n) {
                            if last { nodeIndex = edge.child; pos += n; continue step }
                            if run(edge.child, pos + n) { return true }
                            depth -= 1
                        }
                        if budget <= 0 { depth = entryDepth; return false }
                        continue
                    }
                    var len = n
                    while len > 0 {
                        if len == n || canStart(edge.child, pos + len) {
                            if push(edge.name, pos, pos + len) {
                                if run(edge.child, pos + len) { return true }
                                depth -= 1
                            }
                            if budget <= 0 { depth = entryDepth; return false }
                        }
                        len -= 1
                    }
                case .span:
                    switch edge.type {
                    case .rest:
                        if push(edge.name, pos, end) {
                            if last { nodeIndex = edge.child; pos = end; continue step }
                            if run(edge.child, end) { return true }
                            depth -= 1
                        }
                    case .user:
                        let child = trie[Int(edge.child)]
                        if child.only >= 0 {
                            // Only where that byte is (never at the end: the child does not accept).
                            let b = UInt8(truncatingIfNeeded: child.only)
                            let le = lits[Int(child.litStart)]
                            let l = labels + Int(le.labelStart), n = Int(le.labelCount)
                            var q = lastIndex(of: b, from: end - 1, downTo: pos)
                            while q >= pos {
                                // A placement the probe rules out costs the steps its call would take.
                                let ruledOut = edge.probe >= 0 ? probeSteps(edge.probe, q, l, n) : 0
                                if ruledOut > 0 {
                                    budget -= ruledOut
                                    if budget <= 0 { depth = entryDepth; return false }
                                } else if let r = trySpan(edge, pos, q, l, n) {
                                    if !r { depth = entryDepth }
                                    return r
                                }
                                q = lastIndex(of: b, from: q - 1, downTo: pos)
                            }
                            continue
                        }
                        var q = end
                        while q >= pos {
                            if canStart(edge.child, q), push(edge.name, pos, q) {
                                if run(edge.child, q) { return true }
                                depth -= 1
                                if budget <= 0 { depth = entryDepth; return false }
                            }
                            q -= 1
                        }
                    default:
                        let child = trie[Int(edge.child)]
                        if child.only >= 0 {
                            let le = lits[Int(child.litStart)]
                            let l = labels + Int(le.labelStart), n = Int(le.labelCount)
                            let b = UInt8(truncatingIfNeeded: child.only)
                            var q = firstIndex(of: b, from: pos)
                            while q < end {
                                if let r = trySpan(edge, pos, q, l, n) { if !r { depth = entryDepth }; return r }
                                q = firstIndex(of: b, from: q + 1)
                            }
                            continue
                        }
                        var q = pos
                        while q <= end {
                            if canStart(edge.child, q), push(edge.name, pos, q) {
                                if run(edge.child, q) { return true }
                                depth -= 1
                                if budget <= 0 { depth = entryDepth; return false }
                            }
                            q += 1
                        }
                    }
                }
            }
            depth = entryDepth
            return false
        }
    }

    /// Length of the longest token of `type` at `pos` (0 when there is none): `FieldType.scan`,
    /// with the common types read through the byte-class table.
    @inline(__always)
    func scan(_ type: FieldType, _ pos: Int) -> Int {
        let bit: UInt8
        switch type {
        case .host: bit = FieldScan.hostClass
        case .int: bit = FieldScan.digitClass
        case .word: bit = FieldScan.wordClass
        default: return Self.scanOther(type, p, pos, end)
        }
        var i = pos
        // Four bytes a round while they fit (one test each, one bound check a round).
        while i &+ 4 <= end {
            let q = p + i
            if classes[Int(q[0])] & bit == 0 { return i &- pos }
            if classes[Int(q[1])] & bit == 0 { return i &+ 1 &- pos }
            if classes[Int(q[2])] & bit == 0 { return i &+ 2 &- pos }
            if classes[Int(q[3])] & bit == 0 { return i &+ 3 &- pos }
            i &+= 4
        }
        while i < end, classes[Int(p[i])] & bit != 0 { i += 1 }
        return i - pos
    }

    /// `FieldType.scan` for the rarer token types, kept out of `run` (inlined, their loops cost
    /// `run` setup work at every node with field edges).
    @inline(never)
    static func scanOther(_ type: FieldType, _ p: UnsafePointer<UInt8>, _ pos: Int, _ end: Int) -> Int {
        type.scan(p, pos, end)
    }

    /// The smallest `i` in `from..<end` with `p[i] == b`, or `end`. Eight bytes at a time, as
    /// `lastIndex` (the next literal after a `text` span is mostly a few bytes on, where a
    /// memchr call costs more than the search).
    @inline(__always)
    func firstIndex(of b: UInt8, from: Int) -> Int {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern = UInt64(b) &* ones
        while i &+ 8 <= end {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) ^ pattern
            // High bit set in each byte of w that is zero; the lowest such byte comes first.
            let zero = ~(((w & low7) &+ low7) | w) & ~low7
            if zero != 0 { return i &+ zero.trailingZeroBitCount / 8 }
            i &+= 8
        }
        while i < end, p[i] != b { i &+= 1 }
        return i
    }

    /// The largest `i` in `lo...from` with `p[i] == b`, or a value below `lo`. Eight bytes at a
    /// time (an exact per-byte equality test, so the highest hit is the last occurrence).
    @inline(__always)
    func lastIndex(of b: UInt8, from: Int, downTo lo: Int) -> Int {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern = UInt64(b) &* ones
        while i - 7 >= lo {
            let w = UnsafeRawPointer(p + i - 7).loadUnaligned(as: UInt64.self) ^ pattern
            // High bit set in each byte of w that is zero.
            let zero = ~(((w & low7) &+ low7) | w) & ~low7
            if zero != 0 { return i - 7 + (63 - zero.leadingZeroBitCount) / 8 }
            i -= 8
        }
        while i >= lo, p[i] != b { i -= 1 }
        return i
    }

    /// Tries a span of `edge` from `pos` to `q`, where the child's one literal edge (label `l`, `n`
    /// bytes) starts with the byte at `q`. A label that does not match there is rejected without
    /// the call, charging the step the call would have taken, so results and budget use are those
    /// of the call. Returns the result to give back, or nil to go on with the next position.
    @inline(__always)
    mutating func trySpan(_ edge: CompiledTrie.FieldEdge, _ pos: Int, _ q: Int, _ l: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        if depth < captureCapacity, !(q + n <= end && Self.equal(l, p + q, n)) {
            budget -= 1
            return budget <= 0 ? false : nil
        }
        if push(edge.name, pos, q) {
            if run(edge.child, q) { return true }
            depth -= 1
            if budget <= 0 { return false }
        }
        return nil
    }

    /// For a `user` span placement at `q` (the child's one label `l`, `n` bytes) on an edge with a
    /// `probe` (`CompiledTrie.FieldEdge.probe`: the label, a token, one literal): the steps the
    /// call would take to fail, or 0 when it might not fail (then the call decides). Label not
    /// there: 1 (the child). No token after it, or no room for its capture: 2 (the child, then
    /// the token's node). A token not followed by the literal: 3.
    func probeSteps(_ probe: Int32, _ q: Int, _ l: UnsafePointer<UInt8>, _ n: Int) -> Int {
        guard depth < captureCapacity else { return 0 }
        if !(q + n <= end && Self.equal(l, p + q, n)) { return 1 }
        let token = fields[Int(probe)]
        let at = q + n
        let m = scan(token.type, at)
        if m == 0 || depth + 1 >= captureCapacity { return 2 }
        let next = lits[Int(trie[Int(token.child)].litStart)]
        let s = at + m, k = Int(next.labelCount), label = labels + Int(next.labelStart)
        return s + k <= end && label[0] == p[s] && Self.equal(label, p + s, k) ? 0 : 3
    }

    /// Whether `n` bytes at `a` and `b` are equal; the first byte is known to be. Words of 8 (the
    /// last one overlapping) or 4 bytes, never reading outside either range.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        if n >= 8 {
            var k = 0
            while k + 8 < n {
                if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != y.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
                k += 8
            }
            return x.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 {
            return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
                && x.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        var k = 1
        while k < n { if a[k] != b[k] { return false }; k += 1 }
        return true
    }

    /// Whether a match from `node` could begin at `pos` (a cheap filter for placing spans).
    @inline(__always)
    func canStart(_ nodeIndex: Int32, _ pos: Int) -> Bool {
        let node = trie[Int(nodeIndex)]
        if node.hasFields { return true }
        if pos == end { return node.accept >= 0 }
        let c = p[pos]
        return firstSets[Int(node.firstSet) + Int(c >> 6)] & (1 << UInt64(c & 63)) != 0
    }

    /// Pushes a capture; false when the stack is full. Positions fit in Int32 (`search` takes no
    /// longer message), so they are stored without a check.
    @inline(__always)
    mutating func push(_ name: Int32, _ start: Int, _ end: Int) -> Bool {
        guard depth < captureCapacity else { return false }
        captures[depth] = Capture(name: name, start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end))
        depth += 1
        return true
    }
}
