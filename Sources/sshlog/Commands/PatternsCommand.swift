import ArgumentParser
import SSHLogCore

// Placeholder until its issue lands; replaced by the owner of this file.
struct PatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "patterns", abstract: "(being built)")
    func run() throws { throw ValidationError("'patterns' is not built yet") }
}
