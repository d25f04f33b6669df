import ArgumentParser
import SSHLogCore

struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sources", abstract: "(being built)")
    func run() throws { throw ValidationError("'sources' is not built yet") }
}
