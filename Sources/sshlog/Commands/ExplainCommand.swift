import ArgumentParser
import SSHLogCore

// Placeholder until its issue lands; replaced by the owner of this file.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "(being built)")
    func run() throws { throw ValidationError("'explain' is not built yet") }
}
