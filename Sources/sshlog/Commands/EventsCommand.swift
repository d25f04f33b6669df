import ArgumentParser
import SSHLogCore

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print the record stream after ingest: time, host, program, pid, message (and tags).",
        discussion: """
        For debugging and piping. Text: one line per record, time in RFC 3339 local time, log text \
        with control characters escaped. JSON Lines (--format jsonl): one object per record, schema \
        in README.md ("events JSON Lines").

        Examples:
          sshlog events --since 1h --program sshd
          sshlog events --format jsonl /var/log/auth.log.2.gz | jq .
        """)

    @OptionGroup var input: InputOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, jsonl }
    @Option(help: "Output format: text or jsonl.")
    var format: Format = .text

    @Option(name: .customLong("program"), help: ArgumentHelp("Only records of this program (sshd means sshd, sshd-session and sshd-auth; fail2ban means fail2ban.*). Repeatable.", valueName: "name"))
    var programs: [String] = []

    func run() throws {
        let diagnostics = Diagnostics()
        let run = try input.makeRun(diagnostics: diagnostics)
        let out = OutputWriter()
        let printer = EventsPrinter(format: format == .jsonl ? .jsonl : .text, out: out)
        let filter = ProgramFilter(programs)
        run.forEachRecord { rec, src in
            if !filter.accepts(rec.program) { return }
            printer.print(rec, location: src.location())
        }
        out.flush()
        try finish(run, diagnostics)
    }
}
