import ArgumentParser
import SSHLogCore

/// Whether and which systemd journal to read; part of `InputOptions`.
///
/// - No paths and no journal option: the local journal is read when it holds sshd entries for the
///   window; the system's syslog files are read as well (fail2ban.log and older history live only
///   there), and lines rsyslog copied from the journal into them are counted once.
/// - `--journal`: read the local journal even when the probe finds no sshd entries (and beside
///   named paths). `--no-journal`: never.
/// - `--journal-dir DIR`, `--journal-file FILE`: read that journal (another machine's, a
///   journal-remote collection); with no paths, the local system's logs are then not read.
struct JournalOptions: ParsableArguments {
    @Flag(name: .customLong("journal"), inversion: .prefixedNo, help: ArgumentHelp(
        "Read this machine's systemd journal (--journal), or never (--no-journal).",
        discussion: "Default: read it when no paths are given and it holds sshd entries for the window."))
    var useLocal: Bool?

    @Option(name: .customLong("journal-dir"), help: ArgumentHelp(
        "Read the journal files in this directory and its subdirectories, like 'journalctl -D' (e.g. a copied /var/log/journal or a systemd-journal-remote collection of several hosts).",
        valueName: "dir"))
    var directory: String?

    @Option(name: .customLong("journal-file"), help: ArgumentHelp(
        "Read this journal file, like 'journalctl --file'. Repeatable; a quoted glob is expanded.",
        valueName: "file"))
    var files: [String] = []

    /// True when a journal was named explicitly.
    var namesJournal: Bool { directory != nil || !files.isEmpty }

    func validate() throws {
        if useLocal == false && namesJournal {
            throw ValidationError("--no-journal contradicts --journal-dir/--journal-file; drop one of them")
        }
    }

    /// Before planning: with only a named journal, the local system's logs are not read; when the
    /// local journal holds sshd entries, the bundled samples are not a fallback.
    func adjust(_ request: inout InputRequest) {
        guard request.paths.isEmpty else { return }
        if namesJournal && useLocal != true {
            request.readSystemLogs = false
            request.fallbackDirectory = nil
        } else if useLocal == true || (useLocal == nil && request.fallbackDirectory != nil
                                       && JournalProbe.check(.local, since: nil, until: nil).holdsSSHD) {
            request.fallbackDirectory = nil
        }
    }

    /// After planning: adds the journal streams to `run` (window already resolved) and records
    /// why, for `sshlog sources`. Problems go to the run's diagnostics; the run goes on.
    func attach(to run: IngestRun, pathsGiven: Bool) {
        var inputs: [JournalSource.Input] = []
        if let directory { inputs.append(.directory(directory)) }
        if !files.isEmpty { inputs.append(.files(expand(files))) }
        if useLocal == true {
            inputs.append(.local)
            run.journalNotes.append("--journal: reading this machine's journal")
        } else if useLocal == false {
            run.journalNotes.append("--no-journal: not reading the journal")
        } else if !pathsGiven && !namesJournal {
            let probe = JournalProbe.check(.local, since: run.since, until: run.until)
            if probe.holdsSSHD {
                inputs.append(.local)
                run.journalNotes.append(probe.reason + (run.sets.isEmpty ? "" : "; the syslog files are read too, and lines rsyslog copied from the journal are counted once"))
            } else {
                run.journalNotes.append(probe.reason + (run.sets.isEmpty ? "" : "; reading the syslog files"))
                if run.sets.isEmpty, let problem = probe.problem, problem.code == .permissionDenied {
                    run.diagnostics.report(problem, .skipped)
                }
            }
        }
        for input in inputs {
            do {
                let source = try JournalSource(input, since: run.since, until: run.until, diagnostics: run.diagnostics)
                run.extraSources.append(source)
                var what = "reading \(input == .local ? "this machine's journal" : source.name)"
                if case .local = input {} else {
                    what += " (\(source.files.count) journal file\(source.files.count == 1 ? "" : "s"))"
                }
                if let span = source.span {
                    what += ", entries \(TimeFormat.local(span.first)) → \(TimeFormat.local(span.last, zone: true))"
                }
                run.journalNotes.append(what)
            } catch let e as SSHLogError {
                run.diagnostics.report(e, .skipped)
                run.journalNotes.append("cannot read: \(e.description)")
            } catch {
                run.diagnostics.report(SSHLogError(.journal, "journal", "\(error)"), .skipped)
            }
        }
        if run.extraSources.contains(where: { $0 is JournalSource }) && !run.sets.isEmpty {
            run.dedupJournal = true
        }
    }

    /// `--journal-file` values with globs expanded (a glob matching nothing stays as given, so that
    /// the error names it).
    func expand(_ args: [String]) -> [String] {
        args.flatMap { arg -> [String] in
            guard arg.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return [arg] }
            let found = Glob.paths(arg)
            return found.isEmpty ? [arg] : found
        }
    }
}
