import ArgumentParser
import SSHLogCore

struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List the files sshlog would read, in reading order, with their time spans.",
        discussion: """
        Examples:
          sshlog sources
          sshlog sources --since yesterday /srv/postmortem/var/log
        """)

    @OptionGroup var input: InputOptions

    func run() throws {
        let diagnostics = Diagnostics()
        let run = try input.makeRun(diagnostics: diagnostics)
        var out = ""
        out += "window: \(run.windowDescription)\n"
        if run.usedFallback {
            out += "no system logs found; using \(run.fallbackDirectory ?? "samples")\n"
        }
        for set in run.sets {
            out += "\nset \(Sanitizer.terminal(set.last!.setName)) (oldest first):\n"
            for f in set {
                out += "  " + describe(f) + "\n"
            }
        }
        for f in run.skippedByWindow {
            out += "\nskipped (outside the window, not opened): \(describe(f))"
        }
        if !run.skippedByWindow.isEmpty { out += "\n" }
        for s in run.extraSources { out += "\nstream: \(Sanitizer.terminal(s.name))\n" }
        for n in run.journalNotes { out += "journal: \(Sanitizer.terminal(n))\n" }
        if run.isEmpty {
            for n in run.notes { out += "  \(n)\n" }
        }
        print(out, terminator: "")
        try finish(run, diagnostics)
    }

    func describe(_ f: InputFile) -> String {
        var s = Sanitizer.terminal(f.path)
        s += f.compression == .gzip ? "  [gzip]" : ""
        if !f.isStdin { s += "  \(humanSize(f.size))" }
        let a = f.firstTime.map { TimeFormat.local($0) } ?? "?"
        let b = f.lastTime.map { TimeFormat.local($0) } ?? (f.isStdin ? "?" : "≤ \(TimeFormat.local(f.mtime * 1_000_000)) (mtime)")
        s += "  \(a) → \(b)"
        return s
    }

    func humanSize(_ n: Int64) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return "\(n / 1024) KiB" }
        if n < 1 << 30 { return "\(n >> 20) MiB" }
        return "\(n >> 30) GiB"
    }
}
