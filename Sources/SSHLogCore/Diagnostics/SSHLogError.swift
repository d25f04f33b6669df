/// An error sshlog can explain to its user: what failed, where, why, and what to do.
///
/// Modelled on a file-system error value: a `code` a program can test, a `message` that names the
/// path, and a `hint` that says what to do next.
public struct SSHLogError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case notFound = "not-found"
        case permissionDenied = "permission-denied"
        case isDirectory = "is-directory"
        case ioError = "io-error"
        case corruptGzip = "corrupt-gzip"
        case truncatedGzip = "truncated-gzip"
        case lineTooLong = "line-too-long"
        case malformedLine = "malformed-line"
        case noLogs = "no-logs"
        case badPattern = "bad-pattern"
        case badTime = "bad-time"
        case journal = "journal"
        case spoofed = "spoofed"
    }

    public var code: Code
    /// Where: a path, "path:line", or "path: byte N".
    public var location: String
    /// What failed and why.
    public var message: String
    /// What the user can do about it; may be empty.
    public var hint: String

    public init(_ code: Code, _ location: String, _ message: String, hint: String = "") {
        self.code = code
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var s = location.isEmpty ? message : "\(location): \(message)"
        if !hint.isEmpty { s += "; \(hint)" }
        return s
    }

    /// Maps an errno from open(2)/read(2) on `path` to an error with advice.
    public static func fromErrno(_ err: Int32, path: String) -> SSHLogError {
        switch err {
        case ENOENT:
            return SSHLogError(.notFound, path, "no such file", hint: "check the path, or run 'sshlog sources' to see what sshlog finds")
        case EACCES, EPERM:
            return SSHLogError(.permissionDenied, path, "permission denied",
                               hint: "run with sudo or add your user to group adm")
        case EISDIR:
            return SSHLogError(.isDirectory, path, "is a directory")
        default:
            return SSHLogError(.ioError, path, String(cString: strerror(err)))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
