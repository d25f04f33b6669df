#if canImport(Glibc)
import Glibc
#endif

/// Shell-style path patterns, for quoted globs on the command line and sshd_config `Include`s.
public enum Glob {
    /// Paths matching `pattern` (`glob(3)`), sorted; empty when none match.
    public static func paths(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
    }
}
