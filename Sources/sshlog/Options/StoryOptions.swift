import ArgumentParser
import SSHLogCore

/// What `explain` and `timeline` both take: inputs, sshd_config, patterns, format and filters,
/// and the pipeline they share (ingest → tag → correlate → explain).
struct StoryOptions: ParsableArguments {
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

    /// The window's start when --since is not given.
    static let defaultSince = "1h"

    /// Reads, tags and correlates the window, then words the report.
    /// - Parameters:
    ///   - keepEverything: keep every line of every connection (timeline).
    ///   - limit: clients shown in full (nil = all); `connectionsPerClient` likewise.
    func explain(diagnostics: Diagnostics, keepEverything: Bool, limit: Int?, connectionsPerClient: Int?)
        throws -> (ExplainReport, IngestRun) {
        let run = try input.makeRun(diagnostics: diagnostics, defaultSince: StoryOptions.defaultSince)
        let clientKey = client.map(ExplainRun.normaliseClient)
        var options = Correlator.Options()
        options.sshd = sshdConfig.settings(for: run, pathsGiven: !input.paths.isEmpty, diagnostics: diagnostics)
        options.client = clientKey
        options.user = user
        options.keepEverything = keepEverything
        let library = try patterns.library()
        let result = ExplainRun.correlate(run, library: library, options: options)
        var explainer = Explainer(
            window: ExplainRun.windowText(run, sinceGiven: input.since != nil, defaultSince: StoryOptions.defaultSince),
            since: run.window.since, until: run.window.until, inputs: run.inputsDescription,
            client: clientKey, user: user, limit: limit, connectionsPerClient: connectionsPerClient)
        explainer.sshd = options.sshd
        let report = explainer.report(result)
        KeptUntilExit.keep(result)  // the command prints the report and exits
        return (report, run)
    }
}
