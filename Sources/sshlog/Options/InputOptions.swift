import ArgumentParser
import SSHLogCore

/// What to read and which time window: shared by every subcommand that reads logs.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Log files, directories (e.g. a copied /var/log), globs, or - for standard input.",
        discussion: "Default: the system's logs (/var/log/auth.log or /var/log/secure with their rotations, /var/log/fail2ban.log, /var/log/ufw.log).",
        valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Start of the time window: 1h, 30m, 2d, -1h, yesterday, today, now, 2026-11-22, '2026-11-22 10:00', 2026-11-22T10:00:00Z, 10:00.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("End of the time window (same forms as --since).", valueName: "time"))
    var until: String?

    @Option(name: .customLong("fallback"), help: ArgumentHelp(
        "When no paths are given and the system has no logs, read this directory instead (the bundled samples); relative times then count back from its last record.",
        valueName: "dir"))
    var fallback: String?

    @Option(name: .customLong("system-log-dir"), help: .hidden)
    var systemLogDirectory: String = "/var/log"

    @OptionGroup(title: "Journal")
    var journal: JournalOptions

    /// Plans the read: finds inputs, resolves the window.
    /// - Parameter defaultSince: the window's start when --since is not given (nil = everything).
    func makeRun(diagnostics: Diagnostics, defaultSince: String? = nil) throws -> IngestRun {
        var req = InputRequest()
        req.paths = paths
        req.since = since
        req.until = until
        req.defaultSince = defaultSince
        req.fallbackDirectory = fallback
        req.systemDirectory = systemLogDirectory
        journal.adjust(&req)
        do {
            let run = try IngestRun.plan(req, diagnostics: diagnostics)
            journal.attach(to: run, pathsGiven: !paths.isEmpty)
            return run
        } catch let e as SSHLogError where e.code == .badTime {
            throw ValidationError(e.description)
        }
    }
}

/// Ends a command: the exit status says whether every input was read.
func finish(_ run: IngestRun?, _ diagnostics: Diagnostics) throws {
    if let run, run.isEmpty {
        Diagnostics.writeStderr("sshlog: nothing to read: \(noInputHint(run))\n")
        throw ExitCode(ExitStatus.noInput.rawValue)
    }
    if diagnostics.hadProblems {
        throw ExitCode(ExitStatus.partial.rawValue)
    }
}

func noInputHint(_ run: IngestRun) -> String {
    let isSSHLog: (InputFile) -> Bool = { $0.setName.hasSuffix("auth.log") || $0.setName.hasSuffix("secure") || $0.isStdin }
    // Files the user named are what they want read, whatever their names.
    let sawSSHLog = run.pathsGiven || run.sets.joined().contains(where: isSSHLog) || run.skippedByWindow.contains(where: isSSHLog)
    if run.skippedByWindow.count > 0 && sawSSHLog {
        var s = "every file lies outside the time window (\(run.windowDescription))"
        // When the lines start and end tells how far to widen it.
        let firsts = run.skippedByWindow.compactMap(\.firstTime), lasts = run.skippedByWindow.compactMap(\.lastTime)
        if let first = firsts.min(), let last = lasts.max() {
            s += "; the files hold lines from \(TimeFormat.local(first, zone: true)) to \(TimeFormat.local(last, zone: true))"
        } else if let last = lasts.max() {
            s += "; the newest line is from \(TimeFormat.local(last, zone: true))"
        }
        return s + "; widen --since/--until"
    }
    if !sawSSHLog && run.fallbackDirectory == nil {
        return "no SSH logs on this machine (no auth.log or secure, and no journal with sshd entries). Name log files (e.g. 'sshlog explain /path/to/auth.log'), or try the bundled samples: 'sshlog explain --fallback samples'"
    }
    return "no SSH logs found. Name log files (e.g. 'sshlog explain /path/to/auth.log'), run with sudo if /var/log is not readable, or try 'sshlog sources' to see what was looked for"
}
