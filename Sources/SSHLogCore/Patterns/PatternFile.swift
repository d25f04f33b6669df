/// The parser of the pattern language: `patterns/*.patterns` text → pattern specifications with
/// their templates expanded into token sequences. Described for admins in `patterns/README.md`.
///
/// Line syntax (keyword, one or more blanks, argument; `#` starts a comment line):
///
///     programs sshd sshd-session sshd-auth     file-level: which programs the file's patterns cover
///     levels error: fatal:                     file-level: level words that may lead a message
///     phases preauth postauth net              file-level: `[x]` suffixes kept as field `phase`
///     define id <client:host> port <port:int>  a macro, used in templates as <@id>
///     pattern sshd.auth.failed                 starts a pattern
///     kind auth.failed                         an EventKind raw value
///     description ...                          one line for `sshlog patterns list`
///     template ...                             literal text with <name:type> fields, [? a | b ?] options
///     fallback ...                             a template tried only when no regular template matches
///     set invalid=yes                          a constant field
///     example ...                              a real message (after `program[pid]: `)
///     expect name=value name="a value" ...     the fields the example must give
enum PatternToken: Equatable {
    case literal([UInt8])
    /// `name` nil for `<_:type>` (matched, not kept).
    case field(name: String?, type: FieldType)
    /// `<name=value>`: sets a field when the match goes through this point.
    case constant(name: String, value: String)
}

struct PatternExample {
    var message: String
    var line: Int
    /// nil when no `expect` line followed.
    var expect: [(String, String)]?
}

struct PatternTemplate {
    var text: String
    var line: Int
    var fallback: Bool
    var expansions: [[PatternToken]]
}

struct PatternSpec {
    var id: String
    var kind: EventKind
    var description: String
    var programs: [String]
    var file: String
    var line: Int
    var templates: [PatternTemplate]
    var constants: [(String, String)]
    var examples: [PatternExample]
    var levels: [String]
    var phases: [String]
}

/// Reads pattern files. Errors are `SSHLogError(.badPattern, "file:line", what, hint:)`.
struct PatternFileParser {
    /// Most expansions one template may produce through its `[? ?]` options.
    static let maxExpansions = 512
    /// Most fields on one path through a template.
    static let maxFields = 40

    private(set) var specs: [PatternSpec] = []
    private(set) var warnings: [SSHLogError] = []
    private var defines: [String: (text: String, place: String)] = [:]
    /// The macros' texts, made once all are read (each template is expanded with them).
    private var defineTexts: [String: String] = [:]

    /// Parses all files: macros first (they are global, in any file), then patterns.
    mutating func parse(_ files: [(name: String, text: String)]) throws {
        for f in files {
            for (n, raw) in Self.lines(f.text) {
                let (kw, arg) = Self.split(raw)
                guard kw == "define" else { continue }
                let place = "\(f.name):\(n)"
                let (name, body) = Self.split(arg)
                guard Self.isIdentifier(name), !body.isEmpty else {
                    throw SSHLogError(.badPattern, place, "bad define: expected 'define NAME TEMPLATE-TEXT'",
                                      hint: "e.g. define connid <client:host> port <port:int>; use it as <@connid>")
                }
                if let old = defines[name], old.text != body {
                    throw SSHLogError(.badPattern, place, "macro '\(name)' is already defined differently at \(old.place)",
                                      hint: "rename one of them")
                }
                defines[name] = (body, place)
            }
        }
        defineTexts = defines.mapValues(\.text)
        var ids: [String: String] = [:]
        for f in files {
            try parseFile(name: f.name, text: f.text, ids: &ids)
        }
    }

    /// The numbered lines of a file, trimmed of blanks, without empty lines and `#` comments.
    /// Works on bytes: a `\n` ends a line unless it follows `\r` (`\r\n` is one Character, and
    /// the Character split this replaces did not end lines there); lines with non-ASCII bytes are
    /// trimmed as Characters (a blank may carry combining marks).
    static func lines(_ text: String) -> [(Int, String)] {
        var copy = text
        return copy.withUTF8 { b in
            var out: [(Int, String)] = []
            var n = 0
            var start = 0
            var i = 0
            var high: UInt8 = 0
            let count = b.count
            while i <= count {
                if i < count && (b[i] != UInt8(ascii: "\n") || (i > 0 && b[i - 1] == UInt8(ascii: "\r"))) {
                    high |= b[i]
                    i += 1
                    continue
                }
                n += 1
                if high >= 0x80 {
                    let s = trimmed(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
                    if !s.isEmpty, !s.hasPrefix("#") { out.append((n, s)) }
                } else {
                    var lo = start, hi = i
                    while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 || b[hi - 1] == 0x0D { hi -= 1 }
                    while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
                    if hi > lo, b[lo] != UInt8(ascii: "#") {
                        out.append((n, String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)))
                    }
                }
                high = 0
                i += 1
                start = i
            }
            return out
        }
    }

    static func trimmed(_ line: String) -> String {
        var s = line
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s.removeLast() }
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        return s
    }

    /// The Character-based splitting `lines` must agree with (kept for the tests).
    static func characterLines(_ text: String) -> [(Int, String)] {
        var out: [(Int, String)] = []
        var n = 0
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let s = trimmed(String(l))
            if s.isEmpty || s.hasPrefix("#") { continue }
            out.append((n, s))
        }
        return out
    }

    /// Splits "keyword rest" at the first run of blanks.
    static func split(_ s: String) -> (String, String) {
        // On the UTF-8 bytes: a blank is one byte, and no multi-byte sequence contains one.
        let u = s.utf8
        guard let i = u.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) else { return (s, "") }
        var j = i
        while j < u.endIndex, u[j] == 0x20 || u[j] == 0x09 { j = u.index(after: j) }
        return (String(s[..<i]), String(s[j...]))
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.utf8.first, f == UInt8(ascii: "_") || (f | 0x20) &- 0x61 < 26 else { return false }
        return s.utf8.allSatisfy { c in
            c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10
        }
    }

    private mutating func parseFile(name file: String, text: String, ids: inout [String: String]) throws {
        var programs: [String] = []
        var levels: [String] = []
        var phases: [String] = []
        var current: PatternSpec?
        var sawKind = false

        func finish() throws {
            guard var spec = current else { return }
            let place = "\(file):\(spec.line)"
            if !sawKind {
                throw SSHLogError(.badPattern, place, "pattern '\(spec.id)' has no 'kind' line",
                                  hint: "add e.g. 'kind auth.failed' (see 'sshlog patterns list' for the kinds)")
            }
            if spec.templates.isEmpty {
                throw SSHLogError(.badPattern, place, "pattern '\(spec.id)' has no 'template' line",
                                  hint: "add e.g. 'template Failed <method:word> for <user:user> from <client:host>'")
            }
            if spec.examples.isEmpty {
                warnings.append(SSHLogError(.badPattern, place, "pattern '\(spec.id)' has no example",
                                            hint: "add an 'example' line with a real message and an 'expect' line"))
            }
            spec.levels = levels
            spec.phases = phases
            specs.append(spec)
            current = nil
        }

        for (n, line) in Self.lines(text) {
            let place = "\(file):\(n)"
            let (kw, arg) = Self.split(line)
            switch kw {
            case "programs", "levels", "phases":
                guard current == nil else {
                    throw SSHLogError(.badPattern, place, "'\(kw)' must come before the first 'pattern' of the file",
                                      hint: "move it to the top of the file; it applies to every pattern in the file")
                }
                let words = arg.split(separator: " ").map(String.init)
                guard !words.isEmpty else {
                    throw SSHLogError(.badPattern, place, "'\(kw)' needs at least one word")
                }
                if kw == "programs" { programs = words } else if kw == "levels" { levels = words } else { phases = words }
            case "define":
                continue
            case "pattern":
                try finish()
                guard Self.isIdentifierPath(arg) else {
                    throw SSHLogError(.badPattern, place, "bad pattern id '\(arg)'",
                                      hint: "use dotted lower-case words, e.g. sshd.auth.failed-password")
                }
                if let old = ids[arg] {
                    throw SSHLogError(.badPattern, place, "pattern id '\(arg)' is already used at \(old)",
                                      hint: "pattern ids must be unique across all pattern files")
                }
                guard !programs.isEmpty else {
                    throw SSHLogError(.badPattern, place, "pattern '\(arg)' comes before any 'programs' line",
                                      hint: "start the file with e.g. 'programs sshd sshd-session sshd-auth'")
                }
                ids[arg] = place
                current = PatternSpec(id: arg, kind: .connOpen, description: "", programs: programs, file: file, line: n,
                                      templates: [], constants: [], examples: [], levels: [], phases: [])
                sawKind = false
            case "kind", "description", "template", "fallback", "set", "example", "expect":
                guard current != nil else {
                    throw SSHLogError(.badPattern, place, "'\(kw)' outside a pattern",
                                      hint: "start a pattern with 'pattern <id>' first")
                }
                try parseAttribute(kw, arg, place: place, line: n, into: &current!, sawKind: &sawKind)
            default:
                throw SSHLogError(.badPattern, place, "unknown keyword '\(kw)'",
                                  hint: "known: programs levels phases define pattern kind description template fallback set example expect")
            }
        }
        try finish()
    }

    static func isIdentifierPath(_ s: String) -> Bool {
        !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isIdentifier(String($0)) }
    }

    private mutating func parseAttribute(_ kw: String, _ arg: String, place: String, line: Int,
                                         into spec: inout PatternSpec, sawKind: inout Bool) throws {
        switch kw {
        case "kind":
            guard let k = EventKind(rawValue: arg) else {
                let known = EventKind.allCases.map(\.rawValue).joined(separator: " ")
                throw SSHLogError(.badPattern, place, "unknown kind '\(arg)'", hint: "known kinds: \(known)")
            }
            spec.kind = k
            sawKind = true
        case "description":
            spec.description = arg
        case "template", "fallback":
            guard !arg.isEmpty else { throw SSHLogError(.badPattern, place, "empty \(kw)") }
            let expanded = try TemplateParser.expand(arg, defines: defineTexts, place: place)
            for e in expanded { try Self.validate(e, place: place) }
            spec.templates.append(PatternTemplate(text: arg, line: line, fallback: kw == "fallback", expansions: expanded))
        case "set":
            let pairs = try Self.parsePairs(arg, place: place)
            guard !pairs.isEmpty else {
                throw SSHLogError(.badPattern, place, "'set' needs name=value", hint: "e.g. set invalid=yes")
            }
            spec.constants += pairs
        case "example":
            guard !arg.isEmpty else { throw SSHLogError(.badPattern, place, "empty example") }
            spec.examples.append(PatternExample(message: arg, line: line, expect: nil))
        case "expect":
            guard !spec.examples.isEmpty, spec.examples[spec.examples.count - 1].expect == nil else {
                throw SSHLogError(.badPattern, place, "'expect' must follow an 'example' line",
                                  hint: "write the example first, then one 'expect' line with its fields")
            }
            spec.examples[spec.examples.count - 1].expect = try Self.parsePairs(arg, place: place)
        default:
            break
        }
    }

    /// Checks what the matcher relies on: `rest` only at the end, `user`/`text` followed by literal text.
    static func validate(_ tokens: [PatternToken], place: String) throws {
        var fields = 0
        for (i, t) in tokens.enumerated() {
            guard case .field(let name, let type) = t else { continue }
            fields += 1
            // Spelled out only for a message (this runs for every field of every template at start).
            var shown: String { "<\(name ?? "_"):\(type.rawValue)>" }
            let next = tokens[(i + 1)...].first { if case .constant = $0 { return false }; return true }
            if type == .rest, next != nil {
                throw SSHLogError(.badPattern, place, "\(shown) must be the last thing in the template",
                                  hint: "use <name:text> for free text followed by more of the template")
            }
            if type == .user || type == .text, let next, case .field = next {
                throw SSHLogError(.badPattern, place, "\(shown) must be followed by literal text, not another field",
                                  hint: "the matcher places \(type.rawValue) fields by the literal text after them")
            }
        }
        if fields > maxFields {
            throw SSHLogError(.badPattern, place, "too many fields (\(fields), at most \(maxFields))")
        }
    }

    /// `a=b c="d e"` → pairs. Values may be double-quoted with `\"` and `\\` escapes.
    static func parsePairs(_ s: String, place: String) throws -> [(String, String)] {
        var out: [(String, String)] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: " ") { i += 1; continue }
            var j = i
            while j < b.count, b[j] != UInt8(ascii: "="), b[j] != UInt8(ascii: " ") { j += 1 }
            let name = String(decoding: b[i..<j], as: UTF8.self)
            guard j < b.count, b[j] == UInt8(ascii: "="), isIdentifier(name) else {
                throw SSHLogError(.badPattern, place, "expected name=value at '\(String(decoding: b[i...], as: UTF8.self))'",
                                  hint: "write fields as name=value, quote values with spaces: reason=\"Bye Bye\"")
            }
            j += 1
            var value: [UInt8] = []
            if j < b.count, b[j] == UInt8(ascii: "\"") {
                j += 1
                var closed = false
                while j < b.count {
                    if b[j] == UInt8(ascii: "\\"), j + 1 < b.count { value.append(b[j + 1]); j += 2; continue }
                    if b[j] == UInt8(ascii: "\"") { closed = true; j += 1; break }
                    value.append(b[j]); j += 1
                }
                guard closed else {
                    throw SSHLogError(.badPattern, place, "unterminated quoted value for '\(name)'",
                                      hint: "close the value with \"")
                }
            } else {
                while j < b.count, b[j] != UInt8(ascii: " ") { value.append(b[j]); j += 1 }
            }
            out.append((name, String(decoding: value, as: UTF8.self)))
            i = j
        }
        return out
    }
}

/// Parses one template into its alternatives (each `[? a | b ?]` group doubles or more).
enum TemplateParser {
    static func expand(_ text: String, defines: [String: String], place: String) throws -> [[PatternToken]] {
        let source = try substitute(text, defines: defines, place: place, depth: 0)
        var p = Cursor(bytes: Array(source.utf8), place: place)
        let seqs = try p.sequence(inGroup: false)
        if p.i < p.bytes.count {
            throw p.error("unexpected '?]' without a matching '[?'", hint: "write a literal ?] as \\?]")
        }
        return seqs.map(merge)
    }

    /// Replaces `<@name>` by the macro text.
    static func substitute(_ text: String, defines: [String: String], place: String, depth: Int) throws -> String {
        guard text.utf8.contains(UInt8(ascii: "@")) else { return text }
        guard depth < 8 else {
            throw SSHLogError(.badPattern, place, "macros nest too deeply (a macro uses itself?)")
        }
        let b = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            guard b[i] == UInt8(ascii: "<"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "@") else {
                out.append(b[i]); i += 1; continue
            }
            guard let close = b[i...].firstIndex(of: UInt8(ascii: ">")) else {
                throw SSHLogError(.badPattern, place, "unterminated macro use '<@'", hint: "write <@name>")
            }
            let name = String(decoding: b[(i + 2)..<close], as: UTF8.self)
            guard let body = defines[name] else {
                let known = defines.keys.sorted().joined(separator: " ")
                throw SSHLogError(.badPattern, place, "unknown macro '<@\(name)>'",
                                  hint: known.isEmpty ? "define it with 'define \(name) ...'" : "defined macros: \(known)")
            }
            out += Array(try substitute(body, defines: defines, place: place, depth: depth + 1).utf8)
            i = close + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func merge(_ tokens: [PatternToken]) -> [PatternToken] {
        var out: [PatternToken] = []
        for t in tokens {
            if case .literal(let b) = t, case .literal(let a)? = out.last {
                out[out.count - 1] = .literal(a + b)
            } else if case .literal(let b) = t, b.isEmpty {
                continue
            } else {
                out.append(t)
            }
        }
        return out
    }

    struct Cursor {
        var bytes: [UInt8]
        var place: String
        var i = 0

        func error(_ what: String, hint: String = "") -> SSHLogError {
            SSHLogError(.badPattern, place, "\(what) (template column \(i + 1))", hint: hint)
        }

        /// Whether the template continues with `s` at the cursor (compared in place: this runs
        /// for every byte of every template at start-up).
        func at(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            for k in 0..<n where bytes[i + k] != s.utf8Start[k] { return false }
            return true
        }

        /// A sequence up to the end, or (in a group) up to `|` or `?]`.
        mutating func sequence(inGroup: Bool) throws -> [[PatternToken]] {
            var alts: [[PatternToken]] = [[]]
            var lit: [UInt8] = []
            func flush() {
                if !lit.isEmpty { for k in alts.indices { alts[k].append(.literal(lit)) }; lit = [] }
            }
            while i < bytes.count {
                if at("?]") || (inGroup && bytes[i] == UInt8(ascii: "|")) { break }
                if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    lit.append(bytes[i + 1]); i += 2; continue
                }
                if at("[?") {
                    flush()
                    i += 2
                    var options: [[PatternToken]] = [[]]
                    while true {
                        options += try sequence(inGroup: true)
                        if i < bytes.count, bytes[i] == UInt8(ascii: "|") { i += 1; continue }
                        guard at("?]") else { throw error("'[?' without a closing '?]'", hint: "close the optional part with ?]") }
                        i += 2
                        break
                    }
                    var next: [[PatternToken]] = []
                    for a in alts { for o in options { next.append(a + o) } }
                    guard next.count <= PatternFileParser.maxExpansions else {
                        throw error("too many combinations of optional parts (more than \(PatternFileParser.maxExpansions))",
                                    hint: "split the template into several 'template' lines")
                    }
                    alts = next
                    continue
                }
                if bytes[i] == UInt8(ascii: "<"), let t = try field() {
                    flush()
                    for k in alts.indices { alts[k].append(t) }
                    continue
                }
                lit.append(bytes[i]); i += 1
            }
            flush()
            return alts
        }

        /// `<name:type>`, `<_:type>` or `<name=value>`; nil (and nothing consumed) when the text
        /// at `<` is not field syntax, so that `<invalid username>` stays literal.
        mutating func field() throws -> PatternToken? {
            guard let close = bytes[i...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            let inner = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
            if let colon = inner.firstIndex(of: ":") {
                let name = String(inner[..<colon]), type = String(inner[inner.index(after: colon)...])
                guard PatternFileParser.isIdentifier(name), !type.isEmpty,
                      type.utf8.allSatisfy({ ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 }) else { return nil }
                guard let t = FieldType(rawValue: type) else {
                    let known = FieldType.allCases.map(\.rawValue).joined(separator: " ")
                    throw error("unknown field type '\(type)' in <\(inner)>", hint: "known types: \(known)")
                }
                i = close + 1
                return .field(name: name == "_" ? nil : name, type: t)
            }
            if let eq = inner.firstIndex(of: "=") {
                let name = String(inner[..<eq]), value = String(inner[inner.index(after: eq)...])
                guard PatternFileParser.isIdentifier(name), !value.contains(" ") else { return nil }
                i = close + 1
                return .constant(name: name, value: value)
            }
            return nil
        }
    }
}
