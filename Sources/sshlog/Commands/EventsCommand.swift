import ArgumentParser
import SSHLogCore

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "(being built)")
    func run() throws { throw ValidationError("'events' is not built yet") }
}
