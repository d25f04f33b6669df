import ArgumentParser
import SSHLogCore

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the record stream after ingest and tagging: time, host, program, pid, message, tag and fields.",
        discussion: """
        For debugging and piping. Text: one line per record, time in RFC 3339 local time, log text \
        with control characters escaped, and for recognised lines ⟨kind field=value …⟩. JSON Lines \
        (--format jsonl): one object per record, schema in README.md ("events JSON Lines").

        Examples:
          sshlog events --since 1h --program sshd
          sshlog events --unmatched --program sshd /var/log/auth.log   # lines no pattern knows
          sshlog events --format jsonl /var/log/auth.log.2.gz | jq .
        """)

    @OptionGroup var input: InputOptions
    @OptionGroup var patterns: LibraryOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, jsonl }
    @Option(help: "Output format: text or jsonl.")
    var format: Format = .text

    @Option(name: .customLong("program"), help: ArgumentHelp("Only records of this program (sshd means sshd, sshd-session and sshd-auth; fail2ban means fail2ban.*). Repeatable.", valueName: "name"))
    var programs: [String] = []

    @Flag(help: "Only records no pattern recognises (with --program sshd: the gaps in the library).")
    var unmatched = false

    @Flag(help: "Only records a pattern recognised.")
    var tagged = false

    @Flag(help: "Do not tag (the raw ingest stream; faster).")
    var noTags = false

    func validate() throws {
        if unmatched && tagged { throw ValidationError("--unmatched and --tagged exclude each other") }
        if noTags && (unmatched || tagged) { throw ValidationError("--no-tags cannot be combined with --unmatched or --tagged") }
    }

    func run() throws {
        let diagnostics = Diagnostics()
        let library = noTags ? nil : try patterns.library()
        let run = try input.makeRun(diagnostics: diagnostics)
        let out = OutputWriter()
        let printer = EventsPrinter(format: format == .jsonl ? .jsonl : .text, out: out)
        let filter = ProgramFilter(programs)
        var spoofed = 0
        // Text shows no source positions; after a seek, a true line number costs a count of the
        // lines before the window, so text output asks for none.
        let needLocation = format == .jsonl
        // The flags as constants: read once, not through the command struct per record.
        let onlyUnmatched = unmatched, onlyTagged = tagged
        run.forEachRecordLent(tagging: library, locations: needLocation, accepts: { filter.accepts($0) }) { rec, location, tag in
            if tag?.pointee.spoofed == true { spoofed += 1 }
            if onlyUnmatched && tag != nil { return }
            if onlyTagged && tag == nil { return }
            printer.print(rec, place: location, lent: tag)
        }
        out.flush()
        if spoofed > 0 {
            Diagnostics.writeStderr("sshlog: \(spoofed) record(s) marked SPOOFED: their journal metadata says another program wrote them\n")
        }
        try finish(run, diagnostics)
    }
}
