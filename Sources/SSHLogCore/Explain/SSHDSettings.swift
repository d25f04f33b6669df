#if canImport(Glibc)
import Glibc
#endif

/// The sshd settings that change how a drop is read and what fix is advised, from sshd_config.
///
/// sshd is silent about some endings (Debian 12 logs nothing when LoginGraceTime expires), so
/// the diagnosis reasons from time: a connection that went quiet LoginGraceTime after it
/// started is a grace expiry, not a later restart. The server's own values make that exact and
/// let advice quote them ("MaxStartups 3:100:3 means …").
///
/// Read from `--sshd-config FILE` or, when readable, `/etc/ssh/sshd_config` (with its
/// `Include`s). Only the global section counts: lines after the first `Match` apply to some
/// connections only and are ignored. Keywords are case-insensitive; the first value wins, as
/// in sshd. Values not set keep sshd's defaults, and `source` says where they came from.
public struct SSHDSettings: Sendable, Equatable {
    /// µs.
    public var loginGraceTime: Int64 = 120_000_000
    public var clientAliveInterval: Int = 0
    public var clientAliveCountMax: Int = 3
    public var maxStartups: (start: Int, rate: Int, full: Int) = (10, 30, 100)
    public var maxAuthTries: Int = 6
    public var logLevel: String = "INFO"
    public var useDNS: Bool = false
    /// Where the values came from ("sshd defaults", or the file read).
    public var source: String = "sshd defaults"
    /// Keywords actually found in the file (lower-cased), for messages.
    public var explicit: Set<String> = []

    public init() {}

    public static func == (a: SSHDSettings, b: SSHDSettings) -> Bool {
        a.loginGraceTime == b.loginGraceTime && a.clientAliveInterval == b.clientAliveInterval
            && a.clientAliveCountMax == b.clientAliveCountMax && a.maxStartups == b.maxStartups
            && a.maxAuthTries == b.maxAuthTries && a.logLevel == b.logLevel && a.useDNS == b.useDNS
    }

    public static let defaultPath = "/etc/ssh/sshd_config"

    /// Reads `path`. Returns the defaults (and a warning to report) when it cannot be read.
    public static func load(path: String) -> (SSHDSettings, SSHLogError?) {
        var s = SSHDSettings()
        var seen = Set<String>()
        var visited = Set<String>()
        let text: String
        do {
            text = try SmallTextFile.read(path, limit: 4 << 20).text
        } catch let e as SSHLogError {
            let denied = e.code == .permissionDenied
            return (s, SSHLogError(denied ? .permissionDenied : .notFound, path,
                                   denied ? "cannot read sshd_config (permission denied); using sshd's defaults"
                                          : "cannot read sshd_config; using sshd's defaults",
                                   hint: denied ? "run with sudo, or pass a readable copy with --sshd-config" : "pass the server's file with --sshd-config"))
        } catch {
            return (s, SSHLogError(.notFound, path, "cannot read sshd_config; using sshd's defaults", hint: "pass the server's file with --sshd-config"))
        }
        s.source = path
        apply(text, path: path, to: &s, seen: &seen, visited: &visited)
        s.explicit = seen
        return (s, nil)
    }

    /// Parses sshd_config text (exposed for tests).
    public static func parse(_ text: String) -> SSHDSettings {
        var s = SSHDSettings()
        var seen = Set<String>()
        var visited = Set<String>()
        apply(text, path: "", to: &s, seen: &seen, visited: &visited)
        s.explicit = seen
        s.source = "text"
        return s
    }

    /// Returns false once a `Match` line ends the global section.
    @discardableResult
    static func apply(_ text: String, path: String, to s: inout SSHDSettings, seen: inout Set<String>,
                      visited: inout Set<String>) -> Bool {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("#") || line.isEmpty { continue }
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" })
            guard let kw = parts.first?.lowercased(), parts.count >= 2 else { continue }
            let value = String(parts[1])
            if kw == "match" { return false }
            if kw == "include" {
                for pattern in parts.dropFirst() {
                    var p = String(pattern)
                    if !p.hasPrefix("/") { p = "/etc/ssh/" + p }
                    for f in Glob.paths(p) where !visited.contains(f) {
                        visited.insert(f)
                        if let t = try? SmallTextFile.read(f, limit: 4 << 20).text, !apply(t, path: f, to: &s, seen: &seen, visited: &visited) { return false }
                    }
                }
                continue
            }
            if seen.contains(kw) { continue }   // first value wins
            switch kw {
            case "logingracetime": if let v = seconds(value) { s.loginGraceTime = Int64(v) * 1_000_000; seen.insert(kw) }
            case "clientaliveinterval": if let v = seconds(value) { s.clientAliveInterval = v; seen.insert(kw) }
            case "clientalivecountmax": if let v = Int(value) { s.clientAliveCountMax = v; seen.insert(kw) }
            case "maxauthtries": if let v = Int(value) { s.maxAuthTries = v; seen.insert(kw) }
            case "loglevel": s.logLevel = value.uppercased(); seen.insert(kw)
            case "usedns": s.useDNS = value.lowercased() == "yes"; seen.insert(kw)
            case "maxstartups":
                let n = value.split(separator: ":").compactMap { Int($0) }
                if n.count == 3 { s.maxStartups = (n[0], n[1], n[2]); seen.insert(kw) }
                else if n.count == 1 { s.maxStartups = (n[0], 100, n[0]); seen.insert(kw) }
            default: break
            }
        }
        return true
    }

    /// sshd's time format: `120`, `2m`, `1h30m`, `90s`.
    static func seconds(_ v: String) -> Int? {
        if let n = Int(v) { return n }
        var total = 0, num = 0, have = false
        for c in v.lowercased() {
            if let d = c.wholeNumberValue { num = num * 10 + d; have = true; continue }
            guard have else { return nil }
            switch c {
            case "s": total += num
            case "m": total += num * 60
            case "h": total += num * 3600
            case "d": total += num * 86400
            case "w": total += num * 604800
            default: return nil
            }
            num = 0; have = false
        }
        return have ? total + num : total
    }

    /// "MaxStartups 3:100:3" in words.
    public var maxStartupsMeaning: String {
        let (a, r, f) = maxStartups
        return "MaxStartups \(a):\(r):\(f) means: once \(a) connections are waiting to authenticate, refuse \(r)% of new ones, rising to all of them at \(f)"
    }
}
