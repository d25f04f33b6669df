import ArgumentParser
import SSHLogCore

// Placeholder until its issue lands; replaced by the owner of this file.
struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timeline", abstract: "(being built)")
    func run() throws { throw ValidationError("'timeline' is not built yet") }
}
