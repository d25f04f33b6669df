import ArgumentParser
import SSHLogCore

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "The full chronological account of one client, one user or the window, connection by connection.",
        discussion: """
        For post-mortems: every connection with every one of its tagged lines (and its kind), \
        bans, firewall drops and listener events, in time order, each connection with its cause. \
        Defaults to the last hour, like explain.

        Examples:
          sshlog timeline --client 203.0.113.9 --since yesterday
          sshlog timeline --user deploy --format markdown
          sshlog timeline --since '2026-11-22 09:00' --until '2026-11-22 09:30' --format json
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

    func run() throws {
        let diagnostics = Diagnostics()
        let run = try input.makeRun(diagnostics: diagnostics, defaultSince: ExplainCommand.defaultSince)
        let clientKey = client.map(ExplainRun.normaliseClient)
        var options = Correlator.Options()
        options.sshd = sshdConfig.settings(for: run, pathsGiven: !input.paths.isEmpty, diagnostics: diagnostics)
        options.client = clientKey
        options.user = user
        options.keepEverything = true
        let library = try patterns.library()
        let result = ExplainRun.correlate(run, library: library, options: options)
        var explainer = Explainer(
            window: ExplainRun.windowText(run, sinceGiven: input.since != nil, defaultSince: ExplainCommand.defaultSince),
            since: run.window.since, until: run.window.until, inputs: run.inputsDescription,
            client: clientKey, user: user, limit: nil, connectionsPerClient: nil)
        explainer.sshd = options.sshd
        let timeline = TimelineReport(explainer.report(result))
        let out = OutputWriter()
        switch format {
        case .text: out.write(TextRenderer(style: .forStandardOutput()).render(timeline))
        case .json: out.write(JSONRenderer.render(timeline))
        case .markdown: out.write(MarkdownRenderer.render(timeline))
        }
        out.flush()
        try finish(run, diagnostics)
    }
}
