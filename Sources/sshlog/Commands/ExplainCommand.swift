import ArgumentParser
import SSHLogCore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say which SSH clients were dropped, why, with the log lines that prove it and the fix.",
        discussion: """
        Reads the system's logs (or the files given) for the last hour unless --since says \
        otherwise, groups the lines into connections and clients, and prints a summary, then one \
        story per client, most relevant first: legitimate users (someone logged in from there) \
        who were dropped or banned, then bans, limits and network trouble, then brute-force noise. \
        Each story gives the cause (ids in docs/causes.md), a confidence, the evidence lines with \
        file:line, and the fix. Endings sshd does not log are inferred and marked as such.

        Examples:
          sshlog explain --since 1h
          sshlog explain --client 203.0.113.9
          sshlog explain --user deploy --format markdown > postmortem.md
          sshlog explain --format json /var/log/auth.log /var/log/fail2ban.log | jq '.clients[].causes'
        """)

    @OptionGroup var story: StoryOptions

    @Option(help: ArgumentHelp("Clients shown in full (0 = all).", valueName: "n"))
    var limit: Int = 20

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
    }

    func run() throws {
        let diagnostics = Diagnostics()
        let (report, run) = try story.explain(diagnostics: diagnostics, keepEverything: false,
                                              limit: limit == 0 ? nil : limit, connectionsPerClient: 12)
        let out = OutputWriter()
        switch story.format {
        case .text: out.write(TextRenderer(style: .forStandardOutput()).render(report))
        case .json: out.write(JSONRenderer.render(report))
        case .markdown: out.write(MarkdownRenderer.render(report))
        }
        out.flush()
        try finish(run, diagnostics)
    }
}
