#if canImport(Glibc)
import Glibc
#endif
import SSHLogCore

/// Generates the benchmark's auth.log: a week of an internet-facing server's sshd log in the
/// traditional format, with brute-force noise from thousands of addresses (IPv4 and IPv6),
/// scanners, MaxStartups drops, legitimate key and password sessions with PAM and logind lines,
/// and some unrelated CRON/sudo lines. Message texts are those OpenSSH 9.2 (Debian 12) writes.
/// Deterministic: the same size gives the same bytes.
struct Workload {
    var rng: UInt64 = 0x9E37_79B9_7F4A_7C15

    mutating func next() -> UInt64 {
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
        return rng
    }

    mutating func pick(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    static let users = ["root", "admin", "test", "user", "oracle", "postgres", "ubuntu", "git", "ftpuser", "guest",
                        "support", "pi", "deploy", "www-data", "mysql", "hadoop", "nagios", "jenkins", "minecraft", "steam"]
    static let legit = ["alice", "bob", "deploy", "carol"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    mutating func address(_ k: Int) -> String {
        // Attackers come from a fixed population of 5000 addresses, one in ten IPv6.
        if k % 10 == 7 { return "2001:db8:\(k % 97):\(k % 13)::\(k % 251 + 1)" }
        return "\(45 + k % 180).\(k * 7 % 256).\(k * 13 % 256).\(k % 254 + 1)"
    }

    /// Writes about `bytes` bytes to `path`, ending at `end` (µs UTC); returns the line count.
    mutating func generate(path: String, bytes: Int64, end: Int64) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 21)
        let approxLines = bytes / 105
        let span: Int64 = 7 * 86_400 * 1_000_000
        let step = span / max(1, approxLines)
        var t = end - span
        var written: Int64 = 0
        var lines = 0
        var pid: Int32 = 10_000
        let zone = LocalZone()
        var stamp = ""
        var stampSec: Int64 = -1

        func header(_ prog: String, _ p: Int32) -> String {
            let sec = t / 1_000_000
            if sec != stampSec {
                stampSec = sec
                let local = sec + Int64(LocalZone.offset(atUTC: sec))
                let days = Int(local / 86400)
                let (_, m, d) = CivilTime.civilFromDays(days)
                let sod = Int(local % 86400)
                func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
                stamp = "\(Workload.months[m - 1]) \(d < 10 ? " " : "")\(d) \(p2(sod / 3600)):\(p2(sod / 60 % 60)):\(p2(sod % 60)) bastion "
            }
            return stamp + prog + "[\(p)]: "
        }
        _ = zone
        while written < bytes {
            var out: [String] = []
            pid = pid >= 4_000_000 ? 10_000 : pid + 1 + Int32(pick(3))
            let port = 1024 + pick(64_000)
            let roll = pick(100)
            if roll < 70 {
                let ip = address(pick(5000))
                let u = Workload.users[pick(Workload.users.count)]
                if pick(3) == 0 {
                    out.append(header("sshd", pid) + "Connection closed by authenticating user \(u) \(ip) port \(port) [preauth]")
                    out.insert(header("sshd", pid) + "Failed password for \(u) from \(ip) port \(port) ssh2", at: 0)
                    out.insert(header("sshd", pid) + "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)  user=\(u)", at: 0)
                } else {
                    out.append(header("sshd", pid) + "Invalid user \(u)x from \(ip) port \(port)")
                    out.append(header("sshd", pid) + "pam_unix(sshd:auth): check pass; user unknown")
                    out.append(header("sshd", pid) + "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip) ")
                    out.append(header("sshd", pid) + "Failed password for invalid user \(u)x from \(ip) port \(port) ssh2")
                    out.append(header("sshd", pid) + "Received disconnect from \(ip) port \(port):11: Bye Bye [preauth]")
                    out.append(header("sshd", pid) + "Disconnected from invalid user \(u)x \(ip) port \(port) [preauth]")
                }
            } else if roll < 80 {
                let ip = address(pick(5000))
                switch pick(4) {
                case 0: out.append(header("sshd", pid) + "error: kex_exchange_identification: Connection closed by remote host")
                        out.append(header("sshd", pid) + "Connection closed by \(ip) port \(port)")
                case 1: out.append(header("sshd", pid) + "banner exchange: Connection from \(ip) port \(port): invalid format")
                case 2: out.append(header("sshd", pid) + "Unable to negotiate with \(ip) port \(port): no matching host key type found. Their offer: ssh-rsa,ssh-dss [preauth]")
                default: out.append(header("sshd", 812) + "drop connection #10 from [\(ip)]:\(port) on [198.51.100.7]:22 past MaxStartups")
                }
            } else if roll < 92 {
                let ip = "203.0.113.\(1 + pick(40))"
                let u = Workload.legit[pick(Workload.legit.count)]
                let child = pid + 1
                out.append(header("sshd", pid) + "Accepted publickey for \(u) from \(ip) port \(port) ssh2: ED25519 SHA256:Vq3HuwsbBq9ikqzcyfDtpCRFUmFMT03KgTnHRGrCg8Y")
                out.append(header("sshd", pid) + "pam_unix(sshd:session): session opened for user \(u)(uid=1000) by (uid=0)")
                out.append(header("systemd-logind", 455) + "New session \(pid % 9000) of user \(u).")
                if pick(4) == 0 {
                    out.append(header("sshd", child) + "Timeout, client not responding from user \(u) \(ip) port \(port)")
                } else {
                    out.append(header("sshd", child) + "Received disconnect from \(ip) port \(port):11: disconnected by user")
                    out.append(header("sshd", child) + "Disconnected from user \(u) \(ip) port \(port)")
                }
                out.append(header("sshd", pid) + "pam_unix(sshd:session): session closed for user \(u)")
                out.append(header("systemd-logind", 455) + "Session \(pid % 9000) logged out. Waiting for processes to exit.")
                out.append(header("systemd-logind", 455) + "Removed session \(pid % 9000).")
            } else {
                out.append(header("CRON", pid) + "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")
                out.append(header("CRON", pid) + "pam_unix(cron:session): session closed for user root")
                if pick(2) == 0 {
                    out.append(header("sudo", pid) + "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl status ssh")
                }
            }
            for l in out {
                buf.append(contentsOf: l.utf8)
                buf.append(0x0A)
                lines += 1
                t += step / 2 + Int64(pick(Int(step)))
            }
            if buf.count >= 1 << 20 {
                written += Int64(buf.count)
                buf.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
                buf.removeAll(keepingCapacity: true)
            }
        }
        buf.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return lines
    }
}
