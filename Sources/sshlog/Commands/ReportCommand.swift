import ArgumentParser
import SSHLogCore

// Placeholder until its issue lands; replaced by the owner of this file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "(being built)")
    func run() throws { throw ValidationError("'report' is not built yet") }
}
