#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What `sshlog patterns list` shows about one pattern.
public struct PatternInfo: Sendable {
    public struct Example: Sendable {
        public var message: String
        /// `file:line` of the example.
        public var location: String
        public var expected: [(String, String)]?
    }
    public var id: String
    public var kind: EventKind
    public var description: String
    public var programs: [String]
    /// Template texts as written (macros not expanded); fallback templates start with `fallback: `.
    public var templates: [String]
    /// `file:line` of the `pattern` line.
    public var location: String
    public var examples: [Example]
}

/// A successful match: which pattern, its kind and the extracted fields.
public struct PatternMatch: Sendable {
    public var patternIndex: Int
    public var patternID: String
    public var kind: EventKind
    public var fields: EventFields
}

/// The compiled pattern library: tags log records in one pass over each message.
///
/// Front end, applied before the radix tree (so that patterns need not spell it out):
/// trailing blanks are dropped; `message repeated <n> times: [ <msg>]` is unwrapped (field
/// `repeated`); a leading `[ID <n> <facility.level>] ` (Solaris) or kernel `[ <uptime>] ` is skipped;
/// a leading level word of the program's files (`levels`) becomes field `level` (`error`, `fatal`,
/// `NOTICE`); a trailing ` [<phase>]` of the program's files (`phases`) becomes field `phase`.
public final class PatternLibrary: @unchecked Sendable {
    let trie: CompiledTrie
    let tables: FrozenTables
    /// Per pattern: the fields its `set` lines give, its id and kind (copied into each match).
    let baseFields: [EventFields]
    let ids: [String]
    /// `ids` as numbers in `InternedNames` (what events hold).
    let idNames: [Int32]
    let kinds: [EventKind]
    let hasConstants: [Bool]
    /// Per entry of `tables.programs`: its name as a String (what a record's matching program
    /// name decodes to, for the exact names).
    let programNames: [String]
    /// What the pattern files say beyond what matching needs (descriptions, templates,
    /// examples): read from the text when first asked for, for a library loaded from its image.
    let meta: LibraryMeta
    var specs: [PatternSpec] { meta.value.specs }
    /// Problems that do not stop loading (patterns without examples).
    public var warnings: [SSHLogError] { meta.value.warnings }
    public var patterns: [PatternInfo] { meta.value.patterns }
    /// True when this library was read from the image compiled at build time (not compiled
    /// from text when sshlog started).
    public let fromImage: Bool

    // MARK: - Building

    /// The built-in library (compiled once from the embedded text of `patterns/*.patterns`).
    public static func builtin() -> PatternLibrary { builtinLibrary }

    private static let builtinLibrary: PatternLibrary = {
        if let lib = fromBuiltinImage() { return lib }
        do {
            return try compile(BuiltinPatterns.files)
        } catch {
            // The test suite compiles the built-in files and runs every example, so this is a build defect.
            fatalError("sshlog: built-in pattern library does not compile: \(error)")
        }
    }()

    /// The built-in library read from the image compiled at build time (`BuiltinImage`), or nil
    /// when that image is missing, damaged or was made from other pattern text than the text
    /// embedded now (then the text is compiled). Its examples were checked when the image was
    /// made (`LibraryImageTests`); its descriptions and examples are read from the embedded text
    /// only when asked for (`sshlog patterns`).
    static func fromBuiltinImage() -> PatternLibrary? {
        guard BuiltinImage.textHash == LibraryImage.textHash(BuiltinPatterns.files),
              let bytes = LibraryImage.unbase64(BuiltinImage.base64),
              let parts = LibraryImage.decode(bytes) else { return nil }
        let meta = LibraryMeta {
            var parser = PatternFileParser()
            do { try parser.parse(BuiltinPatterns.files) } catch { return ([], []) }
            return (parser.specs, parser.warnings)
        }
        return PatternLibrary(parts: parts, meta: meta, fromImage: true)
    }

    /// The image of the built-in library compiled from its text now, and the hash of that text:
    /// what `BuiltinImage.swift` must hold.
    static func builtinImageNow() throws -> (bytes: [UInt8], textHash: UInt64) {
        (LibraryImage.encode(try compiled(BuiltinPatterns.files).parts), LibraryImage.textHash(BuiltinPatterns.files))
    }

    /// Compiles pattern files, then checks every example against its own pattern.
    /// - Parameter files: (name used in messages, text) pairs.
    /// - Throws: `SSHLogError(.badPattern, "file:line", what, hint:)` for the first problem.
    public static func compile(_ files: [(name: String, text: String)]) throws -> PatternLibrary {
        try compiled(files).library
    }

    /// `compile`, with what matching needs as it went into the library (what an image holds).
    static func compiled(_ files: [(name: String, text: String)]) throws -> (library: PatternLibrary, parts: LibraryImage.Parts) {
        var parser = PatternFileParser()
        try parser.parse(files)
        let parts = try compileParts(parser.specs)
        let lib = PatternLibrary(parts: parts, meta: LibraryMeta(specs: parser.specs, warnings: parser.warnings), fromImage: false)
        try lib.verifyExamples()
        return (lib, parts)
    }

    /// The built-in files plus every `*.patterns` file in `dirs` (sorted by name within a
    /// directory). A missing `/etc/sshlog/patterns.d` is skipped silently; any other missing
    /// directory is an error.
    public static func withExtraDirectories(_ dirs: [String]) throws -> PatternLibrary {
        var files = BuiltinPatterns.files
        var extra = false
        for dir in dirs {
            guard let names = try listPatternFiles(dir) else { continue }
            for n in names {
                let path = dir.hasSuffix("/") ? dir + n : dir + "/" + n
                files.append((path, try readTextFile(path)))
                extra = true
            }
        }
        return extra ? try compile(files) : builtin()
    }

    /// The text of the built-in pattern files (`patterns/*.patterns` at build time).
    public static var builtinFiles: [(name: String, text: String)] { BuiltinPatterns.files }

    /// The `*.patterns` files of a directory, sorted by name, as (path, text).
    /// - Throws: `SSHLogError` when the directory or a file cannot be read.
    public static func patternFiles(in dir: String) throws -> [(name: String, text: String)] {
        let names = try listPatternFiles(dir) ?? []
        return try names.map { n in
            let path = dir.hasSuffix("/") ? dir + n : dir + "/" + n
            return (path, try readTextFile(path))
        }
    }

    /// `*.patterns` names in `dir`, sorted; nil when `dir` is the optional system directory and absent.
    static func listPatternFiles(_ dir: String) throws -> [String]? {
        guard let d = opendir(dir) else {
            let err = errno
            if err == ENOENT && (dir == "/etc/sshlog/patterns.d" || dir == "/etc/sshlog/patterns.d/") { return nil }
            if err == ENOTDIR {
                throw SSHLogError(.badPattern, dir, "not a directory", hint: "--patterns takes a directory of *.patterns files")
            }
            throw SSHLogError.fromErrno(err, path: dir)
        }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasSuffix(".patterns"), !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    static func readTextFile(_ path: String) throws -> String {
        let (text, cut) = try SmallTextFile.read(path, limit: 16 << 20)
        if cut {
            throw SSHLogError(.badPattern, path, "pattern file larger than 16 MiB", hint: "is this really a pattern file?")
        }
        return text
    }

    /// Compiles patterns into what matching needs: one radix tree per program group.
    static func compileParts(_ specs: [PatternSpec]) throws -> LibraryImage.Parts {
        // Program name → the patterns that cover it; programs with the same set share a group.
        var programOrder: [String] = []
        var byProgram: [String: [Int]] = [:]
        for (i, s) in specs.enumerated() {
            for prog in s.programs {
                if byProgram[prog] == nil { programOrder.append(prog) }
                byProgram[prog, default: []].append(i)
            }
        }
        var builder = TrieBuilder()
        var groupKeys: [[Int]: Int] = [:]
        var groupRoots: [(Int, Int, [[UInt8]], [[UInt8]])] = []
        var programGroup: [(String, Int)] = []
        for prog in programOrder {
            let members = byProgram[prog]!
            if let g = groupKeys[members] { programGroup.append((prog, g)); continue }
            let primary = builder.newRoot(), fallback = builder.newRoot()
            var levels: [[UInt8]] = [], phases: [[UInt8]] = []
            for i in members {
                let s = specs[i]
                for l in s.levels where !levels.contains(Array(l.utf8)) { levels.append(Array(l.utf8)) }
                for ph in s.phases where !phases.contains(Array(ph.utf8)) { phases.append(Array(ph.utf8)) }
                for t in s.templates {
                    for e in t.expansions {
                        try builder.insert(e, root: t.fallback ? fallback : primary, pattern: i,
                                           place: "\(s.file):\(t.line)", patternName: { specs[$0].id })
                    }
                }
            }
            groupKeys[members] = groupRoots.count
            programGroup.append((prog, groupRoots.count))
            groupRoots.append((primary, fallback, levels, phases))
        }
        let (trie, roots) = builder.flatten()
        return LibraryImage.Parts(
            trie: trie,
            groups: groupRoots.map { (primary: roots[$0.0], fallback: roots[$0.1], levels: $0.2, phases: $0.3) },
            programs: programGroup.map { (prog, g) in (name: Array(prog.replacingStar.utf8), group: g, prefix: prog.hasSuffix("*")) },
            ids: specs.map(\.id), kinds: specs.map(\.kind), constants: specs.map(\.constants))
    }

    /// The library from its compiled parts; `meta` gives the specs (read when first asked for).
    init(parts: LibraryImage.Parts, meta: LibraryMeta, fromImage: Bool) {
        self.meta = meta
        self.fromImage = fromImage
        let trie = parts.trie
        self.trie = trie
        self.tables = FrozenTables(trie: trie, groups: parts.groups, programs: parts.programs)
        self.programNames = parts.programs.map { String(decoding: $0.name, as: UTF8.self) }
        self.baseFields = parts.constants.map { cs in
            var f = EventFields()
            for (k, v) in cs { f.setConstant(k, v) }
            return f
        }
        self.hasConstants = parts.constants.map { !$0.isEmpty }
        self.ids = parts.ids
        self.idNames = parts.ids.map { InternedNames.id($0) }
        self.kinds = parts.kinds
    }

    /// Runs every example through the matcher: it must match its own pattern and give exactly
    /// the expected fields (`set` constants are implied).
    func verifyExamples() throws {
        for (i, s) in specs.enumerated() {
            for ex in s.examples {
                let place = "\(s.file):\(ex.line)"
                let prog = Array(s.programs[0].replacingStar.utf8)
                let got: PatternMatch? = prog.withUnsafeBytes { pb in
                    Array(ex.message.utf8).withUnsafeBytes { mb in match(program: pb, message: mb) }
                }
                guard let got else {
                    throw SSHLogError(.badPattern, place, "example of '\(s.id)' matches no pattern",
                                      hint: "compare it with the templates using: sshlog patterns test --program \(s.programs[0].replacingStar) '\(ex.message)'")
                }
                guard got.patternIndex == i else {
                    throw SSHLogError(.badPattern, place, "example of '\(s.id)' is matched by pattern '\(got.patternID)' instead",
                                      hint: "make the templates more specific, or move the example to '\(got.patternID)'")
                }
                guard let expect = ex.expect else {
                    throw SSHLogError(.badPattern, place, "example of '\(s.id)' has no 'expect' line",
                                      hint: "add: expect " + got.fields.pairs.map { "\($0.0)=\(Self.quoted($0.1))" }.joined(separator: " "))
                }
                var want = EventFields()
                for (k, v) in s.constants { want.set(k, v) }
                for (k, v) in expect { want.set(k, v) }
                if want != got.fields {
                    let g = got.fields.pairs.map { "\($0.0)=\(Self.quoted($0.1))" }.joined(separator: " ")
                    let w = want.pairs.map { "\($0.0)=\(Self.quoted($0.1))" }.joined(separator: " ")
                    throw SSHLogError(.badPattern, place, "example of '\(s.id)' gives other fields than expected: got [\(g)], expected [\(w)]",
                                      hint: "fix the template or the 'expect' line")
                }
            }
        }
    }

    static func quoted(_ v: String) -> String {
        if !v.isEmpty, !v.contains(" "), !v.contains("\"") { return v }
        return "\"" + v.replacingBackslashQuotes + "\""
    }

    // MARK: - Matching

    /// True when some pattern is for this program (what `tag` decides first).
    @inline(__always)
    func covers(program: UnsafeRawBufferPointer) -> Bool {
        guard program.count > 0 else { return false }
        return tables.program(for: program.baseAddress!.assumingMemoryBound(to: UInt8.self), program.count) >= 0
    }

    /// True when the program is in the sshd family (sshd, sshd-session, sshd-auth).
    public func isSSHDFamily(_ program: UnsafeRawBufferPointer) -> Bool {
        let n = program.count
        guard n == 4 || n == 9 || n == 12, let p = program.baseAddress else { return false }
        let sshd: StaticString = "sshd", auth: StaticString = "sshd-auth", session: StaticString = "sshd-session"
        let name = n == 4 ? sshd : (n == 9 ? auth : session)
        return memcmp(p, name.utf8Start, n) == 0
    }

    /// Tags one record; nil for programs no pattern covers (decided on the program bytes first)
    /// and for unmatched messages. For a stream of records, a `Tagger` does the same faster.
    public func tag(_ record: SyslogRecord, location: () -> SourceLocation) -> TaggedEvent? {
        withUnsafeTemporaryAllocation(of: Capture.self, capacity: PatternFileParser.maxFields + 8) { caps in
            var out: [TaggedEvent] = []
            let found = tag(record, captures: caps, into: &out, host: { record.hostString }, place: {
                let l = location()
                return EventPlace(source: InternedNames.id(l.source), line: l.line, cursor: l.cursor)
            })
            return found ? out[0] : nil
        }
    }

    /// Tags one record with the given capture stack and appends its event to `events`; false when
    /// nothing matched. `host` gives the host name's String, `place` where the record came from.
    func tag(_ record: SyslogRecord, captures caps: UnsafeMutableBufferPointer<Capture>, into events: inout [TaggedEvent],
             host: () -> String, place: () -> EventPlace) -> Bool {
        events.append(TaggedEvent.unused)
        if tag(record, captures: caps, slot: &events[events.count - 1], host: host, place: place) { return true }
        events.removeLast()
        return false
    }

    /// Tags one record with the given capture stack, writing its event over `slot` (an event no
    /// longer needed, such as a batch keeps for reuse) field by field: no event is built aside,
    /// copied in and freed. Every stored property of the event is assigned. False, with `slot`
    /// as it was, when nothing matched. `host` gives the host name's String, `place` where the
    /// record came from.
    ///
    /// Where the event's message bytes live: a copy of its own (default); the record's own bytes
    /// (`borrow`: they stay put while the event is read); or a copy in `arena` (borrowed from it).
    /// The message is kept once, as the fields' storage, which is also the event's message.
    @inline(__always)
    func tag(_ record: SyslogRecord, captures caps: UnsafeMutableBufferPointer<Capture>, slot e: inout TaggedEvent,
             host: () -> String, place: () -> EventPlace, borrow: Bool = false, arena: ByteArena? = nil) -> Bool {
        let message = record.message
        guard let pr = prepare(record.program, message) else { return false }
        var base = message.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard let run = search(pr, base, caps) else { return false }
        let pattern = Int(run.accepted)
        if let arena {
            base = UnsafePointer(arena.copy(base, message.count).assumingMemoryBound(to: UInt8.self))
        }
        if hasConstants[pattern] { e.fields = baseFields[pattern] } else { e.fields.clear() }
        fillMatch(&e.fields, pr, base, message.count, caps, depth: run.depth, keepText: true, borrowText: borrow || arena != nil)
        // An exactly matched program name is the library's String of it (no decoding).
        e.program = tables.programs[pr.program].prefix ? record.programString : programNames[pr.program]
        let at = place()
        e.time = record.time
        e.host = host()
        e.pid = record.pid
        e.kind = kinds[pattern]
        e.patternName = idNames[pattern]
        e.ownMessage = nil
        e.sourceName = at.source
        e.line = at.line
        e.cursor = at.cursor
        e.spoofed = false
        return true
    }

    /// The message after the front end: where the templates apply, and the prefix/suffix fields.
    struct Prepared {
        var group: FrozenTables.Group
        /// The entry of `tables.programs` the program name matched.
        var program: Int
        var start: Int
        var end: Int
        var level: Range<Int>?
        var phase: Range<Int>?
        var repeated: Range<Int>?
    }

    /// Finds the program's group and applies the front end (see the type's documentation).
    @inline(__always)
    func prepare(_ program: UnsafeRawBufferPointer, _ message: UnsafeRawBufferPointer) -> Prepared? {
        let t = tables
        guard program.count > 0, message.count > 0 else { return nil }
        let entry = t.program(for: program.baseAddress!.assumingMemoryBound(to: UInt8.self), program.count)
        guard entry >= 0 else { return nil }
        let group = t.groups[Int(t.programs[entry].group)]
        let base = message.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var start = 0
        var end = message.count
        while end > 0, base[end - 1] == 0x20 || base[end - 1] == 0x09 || base[end - 1] == 0x0D || base[end - 1] == 0x0A { end -= 1 }
        var repeated: Range<Int>? = nil
        // The first byte decides whether the (rare) wrappers can be there at all: no call otherwise.
        if end > start, base[start] == UInt8(ascii: "m"), let (inner, n) = Self.unwrapRepeated(base, start, end) {
            start = inner.lowerBound; end = inner.upperBound; repeated = n
        }
        if end > start, base[start] == UInt8(ascii: "[") || base[start] == UInt8(ascii: "k") {
            start = Self.skipBracketPrefix(base, start, end)
        }
        var level: Range<Int>? = nil
        var k = Int(group.levels.lowerBound)
        while k < Int(group.levels.upperBound) {
            let lw = t.strings[k]
            let n = Int(lw.count)
            k += 1
            if end - start > n, base[start + n] == 0x20, base[start] == t.bytes[Int(lw.start)],
               memcmp(base + start, t.bytes + Int(lw.start), n) == 0 {
                let named = t.bytes[Int(lw.start) + n - 1] == UInt8(ascii: ":") ? n - 1 : n
                level = start..<(start + named)
                start += n
                while start < end, base[start] == 0x20 { start += 1 }
                break
            }
        }
        var phase: Range<Int>? = nil
        if end - start > 3, base[end - 1] == UInt8(ascii: "]") {
            k = Int(group.phases.lowerBound)
            while k < Int(group.phases.upperBound) {
                let ph = t.strings[k]
                let n = Int(ph.count)
                k += 1
                let open = end - n - 2
                if open - 1 >= start, base[open - 1] == 0x20, base[open] == UInt8(ascii: "["),
                   memcmp(base + open + 1, t.bytes + Int(ph.start), n) == 0 {
                    phase = (open + 1)..<(end - 1)
                    end = open - 1
                    break
                }
            }
        }
        return Prepared(group: group, program: entry, start: start, end: end, level: level, phase: phase, repeated: repeated)
    }

    /// Runs the trees of the prepared message (regular templates, then fallback ones); on success
    /// `run.accepted` is the pattern and the captures are in `caps`.
    @inline(__always)
    func search(_ pr: Prepared, _ base: UnsafePointer<UInt8>, _ caps: UnsafeMutableBufferPointer<Capture>) -> MatchRun? {
        let t = tables
        // Captures hold Int32 positions (lines are cut far below this).
        guard pr.end - pr.start <= Int(Int32.max) else { return nil }
        var run = MatchRun(trie: t.nodes, lits: t.lits, labels: t.labels, dispatch: t.dispatch, fields: t.fields,
                           firstSets: t.firstSets, p: base + pr.start, end: pr.end - pr.start, captures: caps.baseAddress!,
                           captureCapacity: caps.count, budget: MatchRun.stepBudget, classes: t.classes)
        var root = pr.group.primary
        for tier in 0..<2 {
            if tier == 1 {
                root = pr.group.fallback
                run.depth = 0
                run.budget = MatchRun.stepBudget
            }
            let node = t.nodes[Int(root)]
            if node.litCount == 0 && node.fieldCount == 0 { continue }
            if run.run(root, 0) { return run }
        }
        return nil
    }

    /// Whether some pattern matches, without building fields: for `events --unmatched`.
    /// Allocates nothing.
    public func matches(program: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        guard let pr = prepare(program, message) else { return false }
        let base = message.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return withUnsafeTemporaryAllocation(of: Capture.self, capacity: PatternFileParser.maxFields + 8) { caps in
            search(pr, base, caps) != nil
        }
    }

    /// Matches a message of a program. Allocates nothing when nothing matches.
    public func match(program: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> PatternMatch? {
        guard let pr = prepare(program, message) else { return nil }
        let base = message.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var result: PatternMatch? = nil
        withUnsafeTemporaryAllocation(of: Capture.self, capacity: PatternFileParser.maxFields + 8) { caps in
            guard let run = search(pr, base, caps) else { return }
            let pattern = Int(run.accepted)
            result = PatternMatch(patternIndex: pattern, patternID: ids[pattern], kind: kinds[pattern],
                                  fields: hasConstants[pattern] ? baseFields[pattern] : EventFields())
            fillMatch(&result!.fields, pr, base, message.count, caps, depth: run.depth, keepText: false)
        }
        return result
    }

    /// Sets the fields of a match found by `search` (its `set` constants are already in `fields`).
    /// Text fields become ranges into `fields.bytes`: the `count` bytes of the message at `base`,
    /// kept when there are text fields or `keepText` asks for it, as a copy or (`borrowText`)
    /// as a view of `base` itself.
    @inline(__always)
    func fillMatch(_ fields: inout EventFields, _ pr: Prepared, _ base: UnsafePointer<UInt8>, _ count: Int,
                   _ caps: UnsafeMutableBufferPointer<Capture>, depth: Int, keepText: Bool, borrowText: Bool = false) {
        let slots = tables.slots
        var wantsText = pr.level != nil || pr.phase != nil
        var k = 0
        while !wantsText && k < depth {
            let c = caps[k]
            if c.name >= 0, c.start >= 0, slots[Int(c.name)].textSlot != nil { wantsText = true }
            k += 1
        }
        if wantsText || keepText {
            fields.bytes = borrowText ? EventBytes(borrowing: base, count: count)
                                      : EventBytes(copying: UnsafeBufferPointer(start: base, count: count))
        }
        fill(&fields, base: base, offset: pr.start, caps: caps, depth: depth, spans: wantsText)
        if let level = pr.level { fields.set(slot: .level, name: "level", base: base, level.lowerBound, level.count, spans: wantsText) }
        if let phase = pr.phase { fields.set(slot: .phase, name: "phase", base: base, phase.lowerBound, phase.count, spans: wantsText) }
        if let repeated = pr.repeated {
            fields.extra["repeated"] = String(decoding: UnsafeBufferPointer(start: base + repeated.lowerBound, count: repeated.count), as: UTF8.self)
        }
    }

    /// Sets the captured fields of a match (capture ranges are relative to `base + offset`).
    @inline(__always)
    private func fill(_ fields: inout EventFields, base: UnsafePointer<UInt8>, offset: Int,
                      caps: UnsafeMutableBufferPointer<Capture>, depth: Int, spans: Bool) {
        let t = tables
        for k in 0..<depth {
            let c = caps[k]
            guard c.name >= 0 else { continue }
            let slot = t.slots[Int(c.name)]
            if c.start < 0 {
                let invalid = t.constantInvalid[Int(c.end)]
                if invalid >= 0 { fields.invalid = invalid == 1; continue }
                if let ts = slot.textSlot {
                    fields.assignConstant(ts, id: t.constantNames[Int(c.end)])
                } else {
                    fields.set(trie.names[Int(c.name)], trie.constants[Int(c.end)])
                }
                continue
            }
            var r = (offset + Int(c.start))..<(offset + Int(c.end))
            if slot == .client || slot == .laddr { r = FieldScan.normalizedAddress(base, r.lowerBound, r.upperBound) }
            fields.set(slot: slot, name: self.trie.names[Int(c.name)], base: base, r.lowerBound, r.count, spans: spans)
        }
    }

    /// `message repeated <n> times: [ <msg>]` → the inner message range and the range of n.
    static func unwrapRepeated(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Range<Int>, Range<Int>)? {
        let head: StaticString = "message repeated "
        let n = head.utf8CodeUnitCount
        guard end - start > n + 12, p[start] == UInt8(ascii: "m"), memcmp(p + start, head.utf8Start, n) == 0 else { return nil }
        var i = start + n
        let digits = FieldScan.digits(p, i, end)
        guard digits > 0 else { return nil }
        let count = i..<(i + digits)
        i += digits
        let mid: StaticString = " times: [ "
        let m = mid.utf8CodeUnitCount
        guard end - i > m, memcmp(p + i, mid.utf8Start, m) == 0, p[end - 1] == UInt8(ascii: "]") else { return nil }
        var innerEnd = end - 1
        while innerEnd > i + m, p[innerEnd - 1] == 0x20 { innerEnd -= 1 }
        return ((i + m)..<innerEnd, count)
    }

    /// Skips `[ID <n> <word>] ` and kernel `[ <digits.digits>] ` prefixes, the latter also as
    /// `kernel:[ <uptime>]: ` / `kernel: [ <uptime>] ` (sshd lines relayed that way).
    static func skipBracketPrefix(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var start = start
        let kernel: StaticString = "kernel:"
        if end - start > 12, p[start] == UInt8(ascii: "k"), memcmp(p + start, kernel.utf8Start, 7) == 0 {
            var i = start + 7
            if p[i] == 0x20 { i += 1 }
            guard p[i] == UInt8(ascii: "[") else { return start }
            let after = skipBracketPrefix(p, i, end)
            if after != i { return after }
            // `[ <uptime>]:` followed by a blank.
            var j = i + 1
            while j < end, p[j] == 0x20 || p[j] == UInt8(ascii: ".") || FieldScan.isDigit(p[j]) { j += 1 }
            guard j + 2 < end, p[j] == UInt8(ascii: "]"), p[j + 1] == UInt8(ascii: ":"), p[j + 2] == 0x20 else { return start }
            start = j + 3
            while start < end, p[start] == 0x20 { start += 1 }
            return start
        }
        guard end - start > 4, p[start] == UInt8(ascii: "[") else { return start }
        var i = start + 1
        if p[i] == UInt8(ascii: "I"), p[i + 1] == UInt8(ascii: "D"), p[i + 2] == 0x20 {
            i += 3
            while i < end, p[i] != UInt8(ascii: "]") { i += 1 }
        } else {
            var digits = 0
            while i < end, p[i] == 0x20 || p[i] == UInt8(ascii: ".") || FieldScan.isDigit(p[i]) {
                if FieldScan.isDigit(p[i]) { digits += 1 }
                i += 1
            }
            guard digits > 0 else { return start }
        }
        guard i + 1 < end, p[i] == UInt8(ascii: "]"), p[i + 1] == 0x20 else { return start }
        i += 2
        while i < end, p[i] == 0x20 { i += 1 }
        return i
    }
}

extension String {
    var replacingStar: String { hasSuffix("*") ? String(dropLast()) : self }
    var replacingBackslashQuotes: String {
        var s = ""
        for c in self {
            if c == "\\" || c == "\"" { s.append("\\") }
            s.append(c)
        }
        return s
    }
}

/// A library's specs, warnings and `PatternInfo`s, made once when first asked for (by any
/// thread).
final class LibraryMeta: @unchecked Sendable {
    struct Value {
        var specs: [PatternSpec]
        var warnings: [SSHLogError]
        var patterns: [PatternInfo]
    }

    private var mutex = pthread_mutex_t()
    private var made: Value?
    private let load: () -> (specs: [PatternSpec], warnings: [SSHLogError])

    init(_ load: @escaping () -> (specs: [PatternSpec], warnings: [SSHLogError])) {
        self.load = load
        pthread_mutex_init(&mutex, nil)
    }

    convenience init(specs: [PatternSpec], warnings: [SSHLogError]) {
        self.init { (specs, warnings) }
    }

    deinit { pthread_mutex_destroy(&mutex) }

    var value: Value {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if let made { return made }
        let (specs, warnings) = load()
        let v = Value(specs: specs, warnings: warnings, patterns: specs.map { s in
            PatternInfo(id: s.id, kind: s.kind, description: s.description, programs: s.programs,
                        templates: s.templates.map { $0.fallback ? "fallback: " + $0.text : $0.text },
                        location: "\(s.file):\(s.line)",
                        examples: s.examples.map { .init(message: $0.message, location: "\(s.file):\($0.line)", expected: $0.expect) })
        })
        made = v
        return v
    }
}
