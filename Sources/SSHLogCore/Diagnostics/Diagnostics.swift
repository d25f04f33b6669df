#if canImport(Glibc)
import Glibc
#endif

/// Collects warnings and errors met during a run, prints each once to stderr as it happens, and
/// counts them so that the command can choose its exit code and print a summary.
///
/// Library code takes a `Diagnostics` instead of printing; tests pass one with `echo: false` and
/// read `messages`.
public final class Diagnostics: @unchecked Sendable {
    public private(set) var messages: [SSHLogError] = []
    /// Inputs that could not be read at all.
    public private(set) var skippedInputs = 0
    /// Inputs read only in part (truncated gzip, cut lines, corrupt journal).
    public private(set) var damagedInputs = 0
    /// Per-stage counters (e.g. "syslog.malformed", "ingest.long-lines"), shown in summaries.
    public private(set) var counters: [String: Int] = [:]
    let echo: Bool
    let program: String
    /// Cap on how many messages of one code are printed; the rest are counted.
    let maxPerCode = 20
    var printedPerCode: [SSHLogError.Code: Int] = [:]

    public init(echo: Bool = true, program: String = "sshlog") {
        self.echo = echo
        self.program = program
    }

    public enum Severity { case warning, skipped, damaged }

    /// Records a problem. `skipped`: an input was not read at all; `damaged`: read in part.
    public func report(_ error: SSHLogError, _ severity: Severity = .warning) {
        messages.append(error)
        switch severity {
        case .skipped: skippedInputs += 1
        case .damaged: damagedInputs += 1
        case .warning: break
        }
        guard echo else { return }
        let n = (printedPerCode[error.code] ?? 0) + 1
        printedPerCode[error.code] = n
        if n <= maxPerCode {
            Diagnostics.writeStderr("\(program): \(Sanitizer.terminal(error.description))\n")
        } else if n == maxPerCode + 1 {
            Diagnostics.writeStderr("\(program): further '\(error.code.rawValue)' messages are counted, not shown\n")
        }
    }

    public func count(_ counter: String, _ n: Int = 1) {
        counters[counter, default: 0] += n
    }

    public var hadProblems: Bool { skippedInputs > 0 || damagedInputs > 0 }

    public static func writeStderr(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            _ = fwrite(buf.baseAddress, 1, buf.count, stderr)
        }
    }
}
