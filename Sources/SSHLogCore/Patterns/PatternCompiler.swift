/// Compiles pattern specifications into radix trees: one per program group and tier (regular
/// templates, then `fallback` ones), sharing one flat node array.
///
/// A node has literal edges (at most one per first byte, as in any radix tree, found through a
/// 256-entry table when there are several) and field edges (typed fields and constants). Templates that
/// share a prefix share the path, so matching cost depends on the message, not on how many
/// patterns the library holds.
struct CompiledTrie {
    struct Node {
        var litStart: Int32 = 0
        var litCount: Int32 = 0
        /// Offset into `dispatch` (256 entries) or -1: a node with one literal edge compares it.
        var dispatch: Int32 = -1
        var fieldStart: Int32 = 0
        var fieldCount: Int32 = 0
        /// Pattern index accepted when the message ends here, or -1.
        var accept: Int32 = -1
        /// Offset into `firstSets` (4 words): bytes that can start a literal edge of this node.
        var firstSet: Int32 = 0
        /// True when a field edge leaves this node (then any byte may follow a span before it).
        var hasFields: Bool = false
        /// The one byte a match from this node can start with (no fields, one literal edge, not
        /// accepting), or -1: spans before it jump between occurrences of that byte.
        var only: Int16 = -1
    }

    struct LitEdge {
        var labelStart: Int32
        var labelCount: Int32
        var first: UInt8
        var child: Int32
    }

    enum FieldKind: UInt8 { case token, span, constant }

    struct FieldEdge {
        var type: FieldType
        var kind: FieldKind
        /// Index into `names`, or -1 for `<_:type>`.
        var name: Int32
        /// For constants: index into `constants`.
        var constant: Int32
        var child: Int32
        /// For tokens that may give bytes back (`backtracksShorter`): whether a shorter token can
        /// be followed by a match from `child`, i.e. the child has field edges or a literal edge
        /// starting with a byte the token may hold. When false the matcher tries the longest
        /// token only (the shorter ones would all fail `canStart`).
        var givesBack: Bool = false
        /// For `user` spans followed by a one-byte literal, then a lone token field, then one
        /// literal (`<user:user> <client:host> port`): that token field edge, or -1. The
        /// matcher then rejects a placement whose token or second literal does not fit without
        /// the call (see `MatchRun.trySpan`).
        var probe: Int32 = -1
    }

    var nodes: [Node] = []
    var litEdges: [LitEdge] = []
    var labels: [UInt8] = []
    var dispatch: [Int32] = []
    var fieldEdges: [FieldEdge] = []
    var firstSets: [UInt64] = []
    var names: [String] = []
    var constants: [String] = []
}

/// Builds a `CompiledTrie` from token sequences.
struct TrieBuilder {
    final class BNode {
        var lits: [(label: [UInt8], child: BNode)] = []
        var fields: [(type: FieldType, name: String?, constant: String?, child: BNode)] = []
        var accept: Int = -1
        var acceptPlace = ""
    }

    var roots: [BNode] = []

    mutating func newRoot() -> Int {
        roots.append(BNode())
        return roots.count - 1
    }

    /// Adds one template expansion leading to `pattern`.
    /// - Throws: when another pattern already ends on exactly the same template.
    func insert(_ tokens: [PatternToken], root: Int, pattern: Int, place: String, patternName: (Int) -> String) throws {
        var node = roots[root]
        for t in tokens {
            switch t {
            case .literal(let lit):
                node = insertLiteral(lit[...], at: node)
            case .field(let name, let type):
                if let e = node.fields.first(where: { $0.type == type && $0.name == name && $0.constant == nil }) {
                    node = e.child
                } else {
                    let c = BNode()
                    node.fields.append((type, name, nil, c))
                    node = c
                }
            case .constant(let name, let value):
                if let e = node.fields.first(where: { $0.constant == value && $0.name == name }) {
                    node = e.child
                } else {
                    let c = BNode()
                    node.fields.append((.text, name, value, c))
                    node = c
                }
            }
        }
        if node.accept >= 0 && node.accept != pattern {
            throw SSHLogError(.badPattern, place,
                              "this template is the same as one of pattern '\(patternName(node.accept))' (\(node.acceptPlace))",
                              hint: "two patterns of the same program cannot share a template; remove or change one")
        }
        if node.accept < 0 {
            node.accept = pattern
            node.acceptPlace = place
        }
    }

    private func insertLiteral(_ lit: ArraySlice<UInt8>, at start: BNode) -> BNode {
        var node = start
        var rest = lit
        while let f = rest.first {
            guard let k = node.lits.firstIndex(where: { $0.label[0] == f }) else {
                let c = BNode()
                node.lits.append((Array(rest), c))
                return c
            }
            let label = node.lits[k].label
            var n = 0
            while n < label.count, n < rest.count, label[n] == rest[rest.startIndex + n] { n += 1 }
            if n == label.count {
                node = node.lits[k].child
                rest = rest.dropFirst(n)
                continue
            }
            // Split the edge at n.
            let mid = BNode()
            mid.lits.append((Array(label[n...]), node.lits[k].child))
            node.lits[k] = (Array(label[..<n]), mid)
            node = mid
            rest = rest.dropFirst(n)
        }
        return node
    }

    /// Flattens the builder nodes; returns the trie and the flat index of each root.
    func flatten() -> (CompiledTrie, [Int32]) {
        var t = CompiledTrie()
        var index: [ObjectIdentifier: Int32] = [:]
        var order: [BNode] = []
        func visit(_ n: BNode) {
            if index[ObjectIdentifier(n)] != nil { return }
            index[ObjectIdentifier(n)] = Int32(order.count)
            order.append(n)
            for e in n.lits { visit(e.child) }
            for e in n.fields { visit(e.child) }
        }
        for r in roots { visit(r) }
        var nameIndex: [String: Int32] = [:]
        // Sized once: grown step by step, this array left holes in the heap that slowed later mallocs.
        t.dispatch.reserveCapacity(order.filter { $0.lits.count > 1 }.count * 256 + 1)
        for n in order {
            var node = CompiledTrie.Node()
            node.accept = Int32(n.accept)
            let lits = n.lits.sorted { $0.label[0] < $1.label[0] }
            node.litStart = Int32(t.litEdges.count)
            node.litCount = Int32(lits.count)
            var set: [UInt64] = [0, 0, 0, 0]
            for e in lits {
                t.litEdges.append(.init(labelStart: Int32(t.labels.count), labelCount: Int32(e.label.count),
                                        first: e.label[0], child: index[ObjectIdentifier(e.child)]!))
                t.labels += e.label
                set[Int(e.label[0] >> 6)] |= 1 << UInt64(e.label[0] & 63)
            }
            // A table beats scanning even two edges (the matcher reads one entry, no loop).
            if lits.count > 1 {
                node.dispatch = Int32(t.dispatch.count)
                var table = [Int32](repeating: -1, count: 256)
                for (k, e) in lits.enumerated() { table[Int(e.label[0])] = node.litStart + Int32(k) }
                t.dispatch += table
            }
            node.firstSet = Int32(t.firstSets.count)
            t.firstSets += set
            node.fieldStart = Int32(t.fieldEdges.count)
            node.fieldCount = Int32(n.fields.count)
            node.hasFields = !n.fields.isEmpty
            if n.fields.isEmpty, lits.count == 1, n.accept < 0 { node.only = Int16(lits[0].label[0]) }
            for f in n.fields {
                var nameID: Int32 = -1
                if let name = f.name {
                    if let k = nameIndex[name] { nameID = k } else {
                        nameID = Int32(t.names.count); nameIndex[name] = nameID; t.names.append(name)
                    }
                }
                var constID: Int32 = -1
                let kind: CompiledTrie.FieldKind
                if let c = f.constant {
                    constID = Int32(t.constants.count); t.constants.append(c); kind = .constant
                } else {
                    kind = f.type.isSpan ? .span : .token
                }
                var givesBack = false
                if kind == .token, f.type.backtracksShorter {
                    givesBack = !f.child.fields.isEmpty || f.child.lits.contains { f.type.canHold($0.label[0]) }
                }
                t.fieldEdges.append(.init(type: f.type, kind: kind, name: nameID, constant: constID,
                                          child: index[ObjectIdentifier(f.child)]!, givesBack: givesBack))
            }
            t.nodes.append(node)
        }
        // Span probes (on the flat nodes: the token edge's index is known only now). Only for
        // `user` spans (placed from the right, so most tries are wrong) followed by a one-byte
        // label, which barely filters: a longer one (` from `) rejects nearly every wrong
        // placement by itself, and the probe would scan the token twice on the right one.
        for i in t.fieldEdges.indices where t.fieldEdges[i].kind == .span && t.fieldEdges[i].type == .user {
            let c = t.nodes[Int(t.fieldEdges[i].child)]
            guard c.only >= 0, t.litEdges[Int(c.litStart)].labelCount == 1 else { continue }
            let g = t.nodes[Int(t.litEdges[Int(c.litStart)].child)]
            guard g.litCount == 0, g.accept < 0, g.fieldCount == 1 else { continue }
            let token = t.fieldEdges[Int(g.fieldStart)]
            guard token.kind == .token, !token.givesBack, t.nodes[Int(token.child)].only >= 0 else { continue }
            t.fieldEdges[i].probe = g.fieldStart
        }
        // Never empty, so that the matcher can take base addresses without checks.
        t.litEdges.append(.init(labelStart: 0, labelCount: 0, first: 0, child: 0))
        t.labels.append(0)
        t.dispatch.append(-1)
        t.fieldEdges.append(.init(type: .rest, kind: .span, name: -1, constant: -1, child: 0))
        return (t, roots.map { index[ObjectIdentifier($0)]! })
    }
}
