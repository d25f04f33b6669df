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

    @OptionGroup var story: StoryOptions

    func run() throws {
        let diagnostics = Diagnostics()
        let (report, run) = try story.explain(diagnostics: diagnostics, keepEverything: true,
                                              limit: nil, connectionsPerClient: nil)
        let timeline = TimelineReport(report)
        let out = OutputWriter()
        switch story.format {
        case .text: out.write(TextRenderer(style: .forStandardOutput()).render(timeline))
        case .json: out.write(JSONRenderer.render(timeline))
        case .markdown: out.write(MarkdownRenderer.render(timeline))
        }
        out.flush()
        try finish(run, diagnostics)
    }
}
