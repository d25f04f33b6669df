import ArgumentParser
import SSHLogCore

@main
struct SSHLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sshlog",
        abstract: "Find out from the server's own logs why SSH connections were dropped.",
        discussion: """
        sshlog reads auth.log / secure (with their rotated and gzip'd files), fail2ban.log and the \
        systemd journal as one time-ordered stream, tags every sshd, PAM, fail2ban, sshguard and \
        firewall line with a compiled pattern library, and correlates the tags into per-client \
        timelines that say why each connection ended.
        """,
        version: SSHLogVersion.string,
        subcommands: [ExplainCommand.self, TimelineCommand.self, EventsCommand.self, SourcesCommand.self,
                      PatternsCommand.self, ReportCommand.self],
        defaultSubcommand: ExplainCommand.self
    )
}
