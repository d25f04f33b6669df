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

    @OptionGroup var input: InputOptions
    @OptionGroup var sshdConfig: SSHDConfigOptions
    @OptionGroup var patterns: LibraryOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }
    @Option(help: "Output format: text, json (schema in docs/json-schema.md) or markdown.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Only this client address.", valueName: "address"))
    var client: String?

    @Option(help: ArgumentHelp("Only connections that tried this user name.", valueName: "name"))
    var user: String?

    @Option(help: ArgumentHelp("Clients shown in full (0 = all).", valueName: "n"))
    var limit: Int = 20

    static let defaultSince = "1h"

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
    }

    func run() throws {
        let diagnostics = Diagnostics()
        let run = try input.makeRun(diagnostics: diagnostics, defaultSince: ExplainCommand.defaultSince)
        let clientKey = client.map(ExplainRun.normaliseClient)
        var options = Correlator.Options()
        options.sshd = sshdConfig.settings(for: run, pathsGiven: !input.paths.isEmpty, diagnostics: diagnostics)
        options.client = clientKey
        options.user = user
        let library = try patterns.library()
        let result = ExplainRun.correlate(run, library: library, options: options)
        var explainer = Explainer(
            window: ExplainRun.windowText(run, sinceGiven: input.since != nil, defaultSince: ExplainCommand.defaultSince),
            since: run.window.since, until: run.window.until, inputs: run.inputsDescription,
            client: clientKey, user: user, limit: limit == 0 ? nil : limit)
        explainer.sshd = options.sshd
        let report = explainer.report(result)
        let out = OutputWriter()
        switch format {
        case .text: out.write(TextRenderer(style: .forStandardOutput()).render(report))
        case .json: out.write(JSONRenderer.render(report))
        case .markdown: out.write(MarkdownRenderer.render(report))
        }
        out.flush()
        try finish(run, diagnostics)
    }
}
