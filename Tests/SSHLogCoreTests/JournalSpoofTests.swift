import XCTest
@testable import SSHLogCore

final class JournalSpoofTests: XCTestCase {
    /// web1.journal holds `logger -t sshd 'Failed password for root from 10.0.0.1 port 22 ssh2'`
    /// (_COMM=logger, _UID=1000) and `logger -t kernel '[UFW BLOCK] …'` (_TRANSPORT=syslog).
    func testLoggerEntriesAreFlagged() throws {
        let diag = Diagnostics(echo: false)
        let source = try JournalSource(.files([try JournalFixtures.web1()]), diagnostics: diag)
        XCTAssertTrue(source.hasTrustedFields)
        var flagged: [(String, SpoofCheck.Reason)] = []
        var clean = 0
        while source.next() {
            if let reason = source.spoofReason {
                XCTAssertTrue(source.currentIsSpoofed)
                flagged.append((source.record.lineString, reason))
            } else {
                clean += 1
            }
        }
        XCTAssertEqual(flagged.map(\.0), [
            "web1 sshd[4242]: Failed password for root from 10.0.0.1 port 22 ssh2",
            "web1 kernel[4300]: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=10.9.9.9 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ",
        ])
        XCTAssertEqual(flagged.map(\.1), [.command, .transport])
        XCTAssertEqual(clean, 16, "sshd (root and the user-owned post-auth child), fail2ban, logind, sshguard, kernel are genuine")
        XCTAssertEqual(source.spoofedCount, 2)
        XCTAssertEqual(diag.counters["journal.spoofed"], 2)
    }

    // The rule on its own, one contradiction at a time.

    struct Facts {
        var program = "sshd", comm: String? = "sshd", exe: String? = "/usr/sbin/sshd", transport: String? = "syslog"
        var syslogPid: Int32 = 1200, pid: Int32 = 1200, uid: Int64 = 0
    }

    func verdict(_ f: Facts, trusted: Bool = true) -> SpoofCheck.Reason? {
        func withBytes<T>(_ s: String?, _ body: (UnsafeRawBufferPointer?) -> T) -> T {
            guard let s else { return body(nil) }
            let a = Array(s.utf8)
            return a.withUnsafeBytes { body($0) }
        }
        return withBytes(f.program) { program in
            withBytes(f.comm) { comm in
                withBytes(f.exe) { exe in
                    withBytes(f.transport) { transport in
                        SpoofCheck.verdict(.init(program: program!, comm: comm, exe: exe, transport: transport,
                                                 syslogPid: f.syslogPid, pid: f.pid, uid: f.uid),
                                           journalHasTrustedFields: trusted)
                    }
                }
            }
        }
    }

    func testSSHDFamily() {
        XCTAssertNil(verdict(Facts()))
        XCTAssertNil(verdict(Facts(program: "sshd-session", comm: "sshd-session", exe: "/usr/lib/openssh/sshd-session")))
        XCTAssertNil(verdict(Facts(program: "sshd-session", comm: "sshd-session", exe: "/usr/libexec/openssh/sshd-session")))
        XCTAssertNil(verdict(Facts(uid: 1000)), "the post-auth child runs as the user")
        XCTAssertNil(verdict(Facts(comm: nil, exe: nil)), "journald misses /proc fields of exited senders")
        XCTAssertEqual(verdict(Facts(comm: "logger", exe: "/usr/bin/logger", uid: 1000)), .command)
        XCTAssertEqual(verdict(Facts(comm: "sshd", exe: "/usr/bin/python3.11")), .executable)
        XCTAssertEqual(verdict(Facts(syslogPid: 1, pid: 4242)), .pid, "logger --id=1 from a process renamed sshd")
        XCTAssertEqual(verdict(Facts(transport: nil)), .untrusted)
        XCTAssertNil(verdict(Facts(transport: nil), trusted: false), "a journal without trusted fields cannot be checked")
    }

    func testOtherIdentifiers() {
        XCTAssertNil(verdict(Facts(program: "fail2ban", comm: "fail2ban-server", exe: "/usr/bin/python3.11", syslogPid: -1, pid: 812)))
        XCTAssertNil(verdict(Facts(program: "fail2ban", comm: "python3", exe: "/usr/bin/python3.11", syslogPid: -1, pid: 812)))
        XCTAssertEqual(verdict(Facts(program: "fail2ban", comm: "logger", exe: "/usr/bin/logger")), .command)
        XCTAssertNil(verdict(Facts(program: "sshguard", comm: "sshg-blocker", exe: "/usr/libexec/sshguard/sshg-blocker")))
        XCTAssertEqual(verdict(Facts(program: "sshguard", comm: "bash", exe: "/usr/bin/bash")), .command)
        XCTAssertNil(verdict(Facts(program: "systemd-logind", comm: "systemd-logind", exe: "/usr/lib/systemd/systemd-logind")))
        XCTAssertEqual(verdict(Facts(program: "systemd-logind", comm: "systemd-logind", exe: nil, uid: 1000)), .uid)
        XCTAssertNil(verdict(Facts(program: "kernel", comm: nil, exe: nil, transport: "kernel", syslogPid: -1, pid: -1)))
        XCTAssertEqual(verdict(Facts(program: "kernel", comm: "logger", exe: "/usr/bin/logger", transport: "syslog")), .transport)
        XCTAssertNil(verdict(Facts(program: "CRON", comm: "logger", exe: "/usr/bin/logger")), "identifiers sshlog does not read are not judged")
    }
}
