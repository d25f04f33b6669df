/// sshlog's exit codes, documented in README.md ("Exit codes").
public enum ExitStatus: Int32 {
    /// The run completed and every input was read.
    case ok = 0
    /// `report` only: something needs attention (see the report's first section).
    case attention = 1
    /// The run completed, but some input was skipped or read only in part (see stderr).
    case partial = 2
    /// Nothing could be read: no input, or every input failed.
    case noInput = 3
    /// `patterns check`: a pattern file has an error or an example does not match.
    case patternError = 4
    /// Bad command-line arguments (argument-parser's validation code).
    case usage = 64
}
