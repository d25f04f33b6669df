import SSHLogCore

/// Helpers shared by the pattern tests.
extension PatternLibrary {
    /// Matches a message of `program` (String convenience for tests).
    func match(_ program: String, _ message: String) -> PatternMatch? {
        let p = Array(program.utf8), m = Array(message.utf8)
        return p.withUnsafeBytes { pb in m.withUnsafeBytes { match(program: pb, message: $0) } }
    }

    /// Splits a whole log line leniently and matches it.
    func matchLine(_ line: String, defaultProgram: String = "sshd") -> (LogLineSplitter, PatternMatch?) {
        let s = LogLineSplitter(line, defaultProgram: defaultProgram)
        return (s, match(s.program, s.message))
    }
}

/// The fields of a match as `name=value` pairs in a dictionary, for compact assertions.
func fieldMap(_ m: PatternMatch?) -> [String: String] {
    var d: [String: String] = [:]
    for (k, v) in m?.fields.pairs ?? [] { d[k] = v }
    return d
}
