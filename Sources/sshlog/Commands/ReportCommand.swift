import ArgumentParser
import SSHLogCore
#if canImport(Glibc)
import Glibc
#endif

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The daily report for admins: what needs attention, who was dropped and why, the noise, the totals.",
        discussion: """
        By default over yesterday (local midnight to midnight). Reads every log available up to \
        the period's end: older lines give the history (first login from an address, accounts \
        that use keys) and the previous period of the same length gives the comparisons.

        Exit status: 0 nothing needs attention; 1 something needs attention (mail it); 2 some \
        input was skipped or read only in part (and nothing needs attention); 3 nothing to read; \
        64 bad arguments. Examples for cron and systemd timers are in contrib/.

        Examples:
          sshlog report                                  # yesterday, plain text for mail
          sshlog report --date 2026-11-21 --format html --output report.html
          sshlog report --since '2026-11-21 08:00' --until '2026-11-21 18:00' --format json
          sshlog report --quiet-if-clean | mail -E -s "SSH report" root
        """)

    @OptionGroup var input: InputOptions
    @OptionGroup var patterns: LibraryOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, json, html }
    @Option(help: "Output format: text (mail, 80 columns), markdown, json (docs/report-schema.md) or html (self-contained).")
    var format: Format = .text

    @Option(help: ArgumentHelp("The local day to report on (instead of yesterday).", valueName: "yyyy-mm-dd"))
    var date: String?

    @Option(name: .customLong("output"), help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Print nothing and exit 0 when nothing needs attention (for cron: no mail on quiet days).")
    var quietIfClean = false

    @Option(help: ArgumentHelp("Failed authentications from an address before a login that make it a possible brute-force success.", valueName: "n"))
    var bruteForceThreshold = 5

    func validate() throws {
        if date != nil && (input.since != nil || input.until != nil) {
            throw ValidationError("--date and --since/--until exclude each other")
        }
        if let d = date, ReportCommand.civil(d) == nil {
            throw ValidationError("cannot read the date '\(d)': use YYYY-MM-DD, e.g. 2026-11-21")
        }
        if bruteForceThreshold < 1 { throw ValidationError("--brute-force-threshold must be at least 1") }
    }

    /// (year, month, day) of `YYYY-MM-DD`.
    static func civil(_ s: String) -> (Int, Int, Int)? {
        let parts = s.split(separator: "-")
        guard s.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        return (y, m, d)
    }

    static func dateString(_ y: Int, _ m: Int, _ d: Int) -> String {
        func p(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))"
    }

    func run() throws {
        let diagnostics = Diagnostics()
        let library = try patterns.library()
        // The read starts as early as the logs go (history) and ends with the period.
        var read = input
        read.since = nil
        let startSpec: String
        if let d = date, let (y, m, dd) = ReportCommand.civil(d) {
            let next = CivilTime.civilFromDays(CivilTime.daysFromCivil(y, m, dd) + 1)
            startSpec = d
            read.until = ReportCommand.dateString(next.year, next.month, next.day)
        } else if let s = input.since {
            startSpec = s
            read.until = input.until ?? "now"
        } else {
            startSpec = "yesterday"
            read.until = input.until ?? "today"
        }
        let run = try read.makeRun(diagnostics: diagnostics)
        if run.isEmpty { try finish(run, diagnostics) }
        let start: Int64
        do { start = try TimeSpec.parse(startSpec, now: run.now) } catch let e as SSHLogError {
            throw ValidationError(e.description)
        }
        let end = run.until ?? run.now
        guard end > start else {
            throw ValidationError("the report's period is empty: it starts \(TimeFormat.local(start, zone: true)) and ends \(TimeFormat.local(end, zone: true))")
        }
        var options = ReportBuilder.Options()
        options.bruteForceThreshold = bruteForceThreshold
        let report = ReportBuilder.build(run, library: library, period: DailyReport.Period(start: start, end: end), options: options)

        let clean = report.isClean
        if !(quietIfClean && clean) {
            let text: String
            switch format {
            case .text: text = ReportTextRenderer.render(report)
            case .markdown: text = ReportMarkdownRenderer.render(report)
            case .json: text = ReportJSONRenderer.render(report)
            case .html: text = ReportHTMLRenderer.render(report)
            }
            if let path = output {
                try writeFile(path, text)
            } else {
                let out = OutputWriter()
                out.write(text)
                out.flush()
            }
        }
        if !clean {
            if diagnostics.hadProblems { Diagnostics.writeStderr("sshlog: some input was not read completely (see above)\n") }
            throw ExitCode(ExitStatus.attention.rawValue)
        }
        try finish(run, diagnostics)
    }

    func writeFile(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno))); check the directory exists and is writable")
        }
        let out = OutputWriter(fd: fd)
        out.write(text)
        out.flush()
        close(fd)
    }
}
