import ArgumentParser
import SSHLogCore

/// `sshlog patterns list | check DIR | test LINE`: the admin's tools for the pattern library.
struct PatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "List, check and try the patterns that tag log lines.",
        discussion: """
        The built-in library is compiled into sshlog from patterns/*.patterns; your own files in \
        /etc/sshlog/patterns.d/ or a --patterns DIR are compiled by the same compiler. The \
        language is described in patterns/README.md.
        """,
        subcommands: [List.self, Check.self, Test.self]
    )

    struct Extra: ParsableArguments {
        @Option(name: .customLong("patterns"), help: ArgumentHelp("Also load the *.patterns files of this directory (repeatable).", valueName: "dir"))
        var directories: [String] = []

        func library() throws -> PatternLibrary {
            try PatternLibrary.withExtraDirectories(["/etc/sshlog/patterns.d"] + directories)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each pattern: id, kind, programs and templates.")
        @OptionGroup var extra: Extra
        @Option(help: "Only patterns of this kind (e.g. auth.failed).") var kind: String?

        func run() throws {
            let lib = try loadOrExit { try extra.library() }
            for p in lib.patterns where kind == nil || p.kind.rawValue == kind {
                print(Sanitizer.terminal("\(p.id)  [\(p.kind.rawValue)]  \(p.programs.joined(separator: ","))  \(p.location)"))
                if !p.description.isEmpty { print("    " + Sanitizer.terminal(p.description)) }
                for t in p.templates { print("    " + Sanitizer.terminal(t)) }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile the *.patterns files of DIR with the built-in library and run every example.",
            discussion: """
            A file of DIR with the name of a built-in file (e.g. sshd-auth.patterns) replaces that \
            file, so 'sshlog patterns check patterns/' checks an edited copy of the library. Exit \
            status 4 when a file has an error or an example does not give its expected fields.
            """)
        @Argument(help: "Directory of *.patterns files.") var dir: String

        func run() throws {
            let lib = try loadOrExit {
                let mine = try PatternLibrary.patternFiles(in: dir)
                guard !mine.isEmpty else {
                    throw SSHLogError(.badPattern, dir, "no *.patterns files in this directory",
                                      hint: "pattern files must end in .patterns")
                }
                let replaced = Set(mine.map { $0.name.split(separator: "/").last.map(String.init) ?? $0.name })
                return try PatternLibrary.compile(PatternLibrary.builtinFiles.filter { !replaced.contains($0.name) } + mine)
            }
            for w in lib.warnings { Diagnostics.writeStderr("sshlog: warning: \(Sanitizer.terminal(w.description))\n") }
            let mine = lib.patterns.filter { $0.location.hasPrefix(dir) }
            let examples = mine.reduce(0) { $0 + $1.examples.count }
            print(Sanitizer.terminal("\(dir): \(mine.count) patterns, \(examples) examples: all match (library: \(lib.patterns.count) patterns)"))
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which pattern matches a log line, and the fields it extracts.",
            discussion: "LINE may be a whole syslog line (`May  1 12:00:00 host sshd[12]: ...`) or just the message.")
        @OptionGroup var extra: Extra
        @Option(help: "The program, when LINE is just a message.") var program = "sshd"
        @Argument(help: "A log line or a message.") var line: String

        func run() throws {
            let lib = try loadOrExit { try extra.library() }
            let split = LogLineSplitter(line, defaultProgram: program)
            let prog = Array(split.program.utf8), msg = Array(split.message.utf8)
            let m = prog.withUnsafeBytes { p in msg.withUnsafeBytes { lib.match(program: p, message: $0) } }
            print("program: \(Sanitizer.terminal(split.program))")
            print("message: \(Sanitizer.terminal(split.message))")
            guard let m else {
                let known = lib.patterns.contains { $0.programs.contains(split.program) || $0.programs.contains { $0.hasSuffix("*") && split.program.hasPrefix(String($0.dropLast())) } }
                print(known ? "no pattern matched" : "no pattern matched: no pattern file covers program '\(Sanitizer.terminal(split.program))' (see 'sshlog patterns list')")
                throw ExitCode(1)
            }
            let info = lib.patterns[m.patternIndex]
            print("pattern: \(m.patternID) (\(info.location))")
            print("kind:    \(m.kind.rawValue)")
            for (k, v) in m.fields.pairs { print("  \(k) = \(Sanitizer.terminal(v))") }
        }
    }
}

/// Loads a library; a pattern error is printed with its file:line and the command exits 4.
func loadOrExit(_ load: () throws -> PatternLibrary) throws -> PatternLibrary {
    do {
        return try load()
    } catch let e as SSHLogError {
        Diagnostics.writeStderr("sshlog: \(Sanitizer.terminal(e.description))\n")
        throw ExitCode(e.code == .badPattern ? ExitStatus.patternError.rawValue : ExitStatus.noInput.rawValue)
    }
}
