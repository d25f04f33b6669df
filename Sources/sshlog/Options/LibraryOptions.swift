import ArgumentParser
import SSHLogCore

/// Which pattern library to tag with: the built-in one, plus an admin's own.
struct LibraryOptions: ParsableArguments {
    @Option(name: .customLong("patterns"), help: ArgumentHelp(
        "A directory of extra *.patterns files (repeatable). /etc/sshlog/patterns.d is always read when present.",
        valueName: "dir"))
    var patternDirectories: [String] = []

    /// The compiled library. A bad pattern file is a usage error naming file:line.
    func library() throws -> PatternLibrary {
        do {
            return try PatternLibrary.withExtraDirectories(["/etc/sshlog/patterns.d"] + patternDirectories)
        } catch let e as SSHLogError {
            Diagnostics.writeStderr("sshlog: \(e.description)\n")
            throw ExitCode(ExitStatus.patternError.rawValue)
        }
    }
}
