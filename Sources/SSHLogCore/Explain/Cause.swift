/// The documented taxonomy of why an SSH connection ended (docs/causes.md).
///
/// The raw values are stable ids: they appear in `explain --format json` (`cause.id`,
/// `clients[].causes`), in the daily report and in the lab's checks. Declaration order is the
/// default relevance order used when a client has several causes (most telling first).
public enum CauseID: String, CaseIterable, Sendable, Codable, Comparable {
    case banned = "banned"
    case firewall = "firewall"
    case maxstartups = "maxstartups"
    case penalty = "penalty"
    case tcpWrappers = "tcp-wrappers"
    case userNotAllowed = "user-not-allowed"
    case kexMismatch = "kex-mismatch"
    case tooManyAuthFailures = "too-many-auth-failures"
    case noAuthMethods = "no-auth-methods"
    case loginGraceTimeout = "login-grace-timeout"
    case idleTimeout = "idle-timeout"
    case networkReset = "network-reset"
    case packetCorruption = "packet-corruption"
    case clientVanished = "client-vanished"
    case serverRestart = "server-restart"
    case serverResource = "server-resource"
    case slowDNS = "slow-dns"
    case authFailed = "auth-failed"
    case invalidUser = "invalid-user"
    case clientGaveUp = "client-gave-up"
    case bannerFailure = "banner-failure"
    case unknown = "unknown"
    case cleanDisconnect = "clean-disconnect"
    case noTrace = "no-trace"

    /// Position in the relevance order (0 = most relevant): the declaration order.
    public var rank: Int {
        switch self {
        case .banned: return 0
        case .firewall: return 1
        case .maxstartups: return 2
        case .penalty: return 3
        case .tcpWrappers: return 4
        case .userNotAllowed: return 5
        case .kexMismatch: return 6
        case .tooManyAuthFailures: return 7
        case .noAuthMethods: return 8
        case .loginGraceTimeout: return 9
        case .idleTimeout: return 10
        case .networkReset: return 11
        case .packetCorruption: return 12
        case .clientVanished: return 13
        case .serverRestart: return 14
        case .serverResource: return 15
        case .slowDNS: return 16
        case .authFailed: return 17
        case .invalidUser: return 18
        case .clientGaveUp: return 19
        case .bannerFailure: return 20
        case .unknown: return 21
        case .cleanDisconnect: return 22
        case .noTrace: return 23
        }
    }

    public static func < (a: CauseID, b: CauseID) -> Bool { a.rank < b.rank }

    /// False only for `clean-disconnect`: every other ending is a drop the user did not ask for
    /// (or, for brute force, one the server imposed).
    public var isDrop: Bool { self != .cleanDisconnect }

    /// Causes that are the server's or the network's doing rather than a stranger guessing
    /// passwords: these make a client's story relevant even without a successful login.
    public var isOperational: Bool {
        switch self {
        case .authFailed, .invalidUser, .clientGaveUp, .bannerFailure, .cleanDisconnect, .noTrace, .unknown:
            return false
        default:
            return true
        }
    }

    public var info: CauseInfo { CauseInfo.table[self]! }
}

/// How sure a diagnosis is. `high`: a line that states the cause; `medium`: the cause follows from
/// lines plus sshd's known behaviour; `low`: inferred from absence (no ending logged).
public enum Confidence: String, Sendable, Codable, Comparable {
    case high, medium, low

    public static func < (a: Confidence, b: Confidence) -> Bool {
        func r(_ c: Confidence) -> Int { c == .high ? 2 : (c == .medium ? 1 : 0) }
        return r(a) < r(b)
    }
}

/// The fixed text of one cause: title, what establishes it, the fix a senior admin would give,
/// and what would settle it when the logs leave doubt.
public struct CauseInfo: Sendable {
    public var id: CauseID
    public var title: String
    /// What the evidence for this cause looks like (one sentence, used in docs and markdown).
    public var evidence: String
    public var fix: String
    public var settle: String

    static let table: [CauseID: CauseInfo] = {
        var t: [CauseID: CauseInfo] = [:]
        for i in all { t[i.id] = i }
        return t
    }()

    static let all: [CauseInfo] = [
        CauseInfo(
            id: .banned, title: "Banned by fail2ban / sshguard",
            evidence: "A `Ban`/`Blocking` line for the address; the connection stopped at or just before it, or the client's later attempts left no sshd lines while the ban lasted.",
            fix: "Check the jail with `fail2ban-client status <jail>` and lift the ban with `fail2ban-client set <jail> unbanip <ip>` (sshguard: remove the address from its nftables set, `nft list set ip sshguard attackers`, or wait for the block to expire). For a legitimate user, add their network to `ignoreip` in /etc/fail2ban/jail.local (sshguard: the whitelist file) and make them use a key instead of passwords.",
            settle: "`fail2ban-client status <jail>` lists banned addresses; on the client, `ssh -vvv` shows `Connection refused` or a connect timeout while the ban lasts."),
        CauseInfo(
            id: .firewall, title: "Dropped by the host firewall",
            evidence: "A kernel `[UFW BLOCK]`/`[UFW LIMIT BLOCK]` or LOG-target line with SRC=<ip> and DPT=<ssh port>; sshd itself saw nothing.",
            fix: "`ufw limit ssh` allows 6 new connections per 30 s per address: for a legitimate client that opens many connections (Ansible, scp loops) use ControlMaster/ControlPersist on the client, or allow its network explicitly (`ufw allow from <net> to any port 22` before the limit rule). Inspect the rules with `ufw status verbose` / `nft list ruleset`.",
            settle: "Watch the counters while the client connects (`nft list ruleset`, `iptables -L -v -n`); `ssh -vvv` on the client shows `Connection refused` or a connect timeout."),
        CauseInfo(
            id: .maxstartups, title: "MaxStartups: too many unauthenticated connections",
            evidence: "`drop connection #<n> from [<ip>]:<port> ... past MaxStartups` from the listener, or MaxStartups throttling lines around the time the client's attempt left no other trace.",
            fix: "MaxStartups start:rate:full (default 10:30:100) means: once 10 connections are unauthenticated, refuse 30% of new ones, rising linearly to 100% at 100. A brute-force storm fills these slots; legitimate clients then get \"Server unexpectedly closed network connection\". Stop the storm first (fail2ban/sshguard, firewall rate limit, move off port 22 or allow-list), then raise the ceiling, e.g. `MaxStartups 30:30:200`, and keep `LoginGraceTime 30` so stuck connections free their slot sooner; apply with `sshd -t && systemctl reload ssh`.",
            settle: "`LogLevel VERBOSE` logs every drop (at INFO only the first of a burst before 10.0); `ss -tn state syn-recv sport = :22` and `ss -tnp sport = :22` show how many are pending."),
        CauseInfo(
            id: .penalty, title: "PerSourcePenalties: address penalised by sshd",
            evidence: "`drop connection ... penalty: <reason>` from the listener, usually after `srclimit_penalise: ... activating ... penalty` (OpenSSH 9.8+).",
            fix: "OpenSSH 9.8+ penalises an address after failed authentication (5 s each), connections without authentication (1 s), LoginGraceTime expiry and crashes, and refuses it once the penalty passes 15 s. For legitimate users or a NAT'ed office, exempt them: `PerSourcePenaltyExemptList 198.51.100.0/24`, or soften `PerSourcePenalties authfail:2s noauth:1s max:2m`; apply with `sshd -t && systemctl reload ssh`. Penalties expire on their own (max 10 min by default).",
            settle: "`LogLevel VERBOSE` shows each `srclimit_penalise` deferred penalty; the client's `ssh -vvv` shows the server's `Not allowed at this time` line."),
        CauseInfo(
            id: .tcpWrappers, title: "Refused by TCP wrappers (hosts.deny)",
            evidence: "`refused connect from <client> (<ip>)` from the sshd process.",
            fix: "Debian/Ubuntu sshd still honours /etc/hosts.allow and /etc/hosts.deny. Add the client to /etc/hosts.allow (`sshd: 198.51.100.0/24`) or remove the matching hosts.deny entry; no reload is needed. Prefer a firewall rule or `Match Address` in sshd_config for new policy.",
            settle: "`grep -n sshd /etc/hosts.allow /etc/hosts.deny`; the client sees `kex_exchange_identification: read: Connection reset by peer` in `ssh -vvv`."),
        CauseInfo(
            id: .userNotAllowed, title: "User refused by server policy",
            evidence: "`User <user> from <ip> not allowed because ...` (AllowUsers, DenyUsers, AllowGroups, DenyGroups, locked account, missing shell, /etc/nologin), `ROOT LOGIN REFUSED`, `Access denied ... by PAM account configuration`, or `administratively prohibited connection` (RefuseConnection).",
            fix: "The line names the rule. Adjust AllowUsers/AllowGroups/DenyUsers or PermitRootLogin in /etc/ssh/sshd_config (and sshd_config.d/), unlock the account (`passwd -u`, `chage -E -1 <user>`), fix the shell in /etc/passwd, or remove /etc/nologin after maintenance; then `sshd -t && systemctl reload ssh`. `sshd -T -C user=<user>,host=<host>,addr=<ip>` shows the effective settings for that user.",
            settle: "`sshd -T -C user=<user>,addr=<ip>` prints what applies; the client's `ssh -vvv` shows the authentication methods refused."),
        CauseInfo(
            id: .kexMismatch, title: "No common key exchange / cipher / host key / MAC",
            evidence: "`Unable to negotiate with <ip> port <port>: no matching <what> found. Their offer: <list>`.",
            fix: "The client is too old for the server's algorithms (or the other way round, e.g. FIPS / crypto-policies). The real fix is to upgrade the client (PuTTY ≥ 0.75, OpenSSH ≥ 8.x, current libssh/JSch forks). As a scoped, temporary workaround enable the algorithm for that one host on the client side only, e.g. `ssh -oKexAlgorithms=+diffie-hellman-group14-sha1 host` or `-oHostKeyAlgorithms=+ssh-rsa -oPubkeyAcceptedAlgorithms=+ssh-rsa` in a `Host` block of ~/.ssh/config; avoid re-enabling weak algorithms server-wide.",
            settle: "The `Their offer:` list is the client's offer; `ssh -Q kex` / `sshd -T | grep -i kexalgorithms` show each side's lists; `ssh -vvv` on the client prints both offers."),
        CauseInfo(
            id: .tooManyAuthFailures, title: "Too many authentication failures (MaxAuthTries)",
            evidence: "`error: maximum authentication attempts exceeded for <user> ...` and `Disconnecting ...: Too many authentication failures`.",
            fix: "Usually an ssh-agent holding many keys: each offered key counts against MaxAuthTries (default 6). On the client, offer only the right key: `ssh -o IdentitiesOnly=yes -i ~/.ssh/id_ed25519 host` or `IdentitiesOnly yes` + `IdentityFile` in ~/.ssh/config. Raising `MaxAuthTries` on the server works but also helps brute force.",
            settle: "`ssh -vvv` on the client lists every key it offers; `LogLevel VERBOSE` logs each failed publickey on the server."),
        CauseInfo(
            id: .noAuthMethods, title: "Client had no acceptable authentication method",
            evidence: "`Received disconnect from <ip> port <port>:14: No supported authentication methods available` (or `No more user authentication methods available`) before authentication.",
            fix: "The client ran out of methods the server allows: e.g. the server allows only publickey and the client has no key loaded (PuTTY: \"No supported authentication methods available (server sent: publickey)\"). Load the key into the client/agent (Pageant, ssh-add), install its public half in ~/.ssh/authorized_keys with correct modes (700 ~/.ssh, 600 authorized_keys), or, if passwords are intended, check `PasswordAuthentication`/`KbdInteractiveAuthentication` with `sshd -T`.",
            settle: "`sshd -T | grep -i authentication` shows what the server offers; `ssh -vvv` shows `Authentications that can continue:`."),
        CauseInfo(
            id: .loginGraceTimeout, title: "LoginGraceTime expired before authentication",
            evidence: "`Timeout before authentication for ...` (9.8+ listener, or `fatal:` on unpatched 8.5–9.7); on patched Debian 12 / Ubuntu / RHEL 9 builds nothing is logged, so it is inferred from a connection that started and never ended.",
            fix: "The client did not finish logging in within LoginGraceTime (default 120 s): a user left at a password or host-key prompt, a client stuck on agent/DNS/keyboard-interactive, or a scanner holding the socket. For people, nothing to fix; for automation, check what it waits for with `ssh -vvv`. If slow DNS or PAM/LDAP makes logins slow, set `UseDNS no` and fix the resolver. A shorter `LoginGraceTime 30` frees MaxStartups slots faster under attack; apply with `sshd -t && systemctl reload ssh`.",
            settle: "`LogLevel VERBOSE` logs the connection start (`Connection from ...`) so an unterminated connection is visible; OpenSSH 9.8+ logs the expiry itself; the client's `ssh -vvv` ends with `Connection closed by <server> port 22` after ~LoginGraceTime."),
        CauseInfo(
            id: .idleTimeout, title: "Closed by sshd's idle / keepalive timeout",
            evidence: "`Timeout, client not responding from ...` (ClientAliveInterval × ClientAliveCountMax without answer) or `terminating inactive connection from ...` (UnusedConnectionTimeout).",
            fix: "`Timeout, client not responding` means the client stopped answering keepalives: the path died (NAT/firewall idle timeout, Wi-Fi, sleep). Keep the path alive from both sides with intervals below the middlebox's idle timeout: client `ServerAliveInterval 30` + `ServerAliveCountMax 4` (PuTTY: Connection → Seconds between keepalives = 30), server `ClientAliveInterval 30` + `ClientAliveCountMax 4`; apply with `sshd -t && systemctl reload ssh`. `terminating inactive connection` is the `UnusedConnectionTimeout` policy: raise or remove it if sessions without channels are wanted.",
            settle: "`sshd -T | grep -i -e clientalive -e unusedconnection` shows the server values; `ssh -vvv -o ServerAliveInterval=30` on the client shows keepalives being answered or not."),
        CauseInfo(
            id: .networkReset, title: "Network failure: reset, broken pipe or timed out",
            evidence: "`Connection reset by ...`, `Read error from remote host ...: Connection reset by peer / Connection timed out`, `Write failed: Broken pipe`, `Connection from ... timed out`, or a packet error naming a network `strerror`.",
            fix: "Something between client and server (NAT gateway, stateful firewall, load balancer, VPN) dropped or reset the idle TCP flow, or the client's network changed. Send keepalives more often than the middlebox's idle timeout: client `ServerAliveInterval 30`, server `ClientAliveInterval 30` (`sshd -t && systemctl reload ssh`). For resets during large transfers suspect MTU/PMTU blackholes (try `ip link set dev <if> mtu 1400` on the client, or fix ICMP filtering).",
            settle: "`ssh -vvv -o ServerAliveInterval=30` on the client; a packet capture (`tcpdump -ni any host <ip> and port 22`) shows who sent the RST."),
        CauseInfo(
            id: .packetCorruption, title: "Packet corruption (MAC error, bad packet length)",
            evidence: "`Corrupted MAC on input.`, `Bad packet length <n>.`, `padding error`, or `...: message authentication code incorrect`.",
            fix: "Bytes changed in transit: a faulty NIC or offload (try `ethtool -K <if> tso off gso off gro off` on either end), a middlebox rewriting TCP, an MTU problem on a tunnel, or bad RAM. Test another path or network; as a diagnostic switch the client to another MAC/cipher (`ssh -o MACs=hmac-sha2-256 -c aes128-ctr host`) — if the error follows the path, not the algorithm, fix the path.",
            settle: "`ssh -vvv` on the client shows the same `Corrupted MAC` / `message authentication code incorrect`; compare from another network."),
        CauseInfo(
            id: .clientVanished, title: "Client vanished after login (no SSH goodbye)",
            evidence: "After login: `Connection closed by <ip> port <port>` or the session closing with no `Received disconnect` line.",
            fix: "The client's TCP connection closed without an SSH disconnect: the window was closed, the laptop slept, the client was killed, or (PuTTY) a normal logout, which PuTTY does without a disconnect message. If users report unexpected drops, enable keepalives on both sides (`ServerAliveInterval 30` / `ClientAliveInterval 30`) and ask for the client's own log.",
            settle: "`LogLevel VERBOSE` logs `Close session` order and post-auth endings; the client's `ssh -vvv` or PuTTY event log says whether the user logged out."),
        CauseInfo(
            id: .serverRestart, title: "sshd restarted or the server shut down",
            evidence: "The listener's `Received signal 15; terminating.` (or a reboot: `Server listening` after a gap) while the connection was open, or `mm_reap: child terminated by signal 15` for this connection.",
            fix: "A restart of ssh.service with `KillMode=control-group`, a reboot, or an admin killing sshd processes ended the session. Use `systemctl reload ssh` (SIGHUP) for config changes — it keeps sessions; check that the unit uses `KillMode=process` (`systemctl show ssh -p KillMode`); schedule reboots.",
            settle: "`journalctl -u ssh -b -1` and `last -x reboot shutdown` show restarts and reboots around that time."),
        CauseInfo(
            id: .serverResource, title: "Server ran out of resources or sshd crashed",
            evidence: "`fatal:` fork/malloc/out of memory/too many open files lines, `session process ... killed by signal`, `unpriv child crash`, or the OOM killer.",
            fix: "Check memory and process limits (`dmesg -T | grep -i -e oom -e killed`, `ulimit -u`, `systemctl show ssh -p TasksMax`), free resources or raise the limits, and upgrade OpenSSH if the pre-auth child crashes (a crash can also be an exploit attempt: check the address).",
            settle: "`journalctl -k` for OOM kills around that time; `LogLevel DEBUG1` on a test port shows where the process died."),
        CauseInfo(
            id: .slowDNS, title: "Slow reverse DNS (UseDNS) delayed the login",
            evidence: "`reverse mapping checking getaddrinfo for ...` / `Address ... maps to ...` for a connection that then stalled or timed out before authentication.",
            fix: "With `UseDNS yes` sshd resolves every client address; a slow or broken resolver stalls logins, fills MaxStartups slots and can run into LoginGraceTime. Set `UseDNS no` (the default since 6.8) in sshd_config and `sshd -t && systemctl reload ssh`, and fix the resolver (/etc/resolv.conf, `resolvectl query <ip>`).",
            settle: "`time getent hosts <ip>` on the server shows how long the lookup takes."),
        CauseInfo(
            id: .authFailed, title: "Authentication failed (wrong password or key)",
            evidence: "`Failed password/publickey for <user> ...` or `pam_unix(sshd:auth): authentication failure` for an existing user, then the client closed or gave up.",
            fix: "For a legitimate user: reset the password (`passwd <user>`) or install the right public key in ~user/.ssh/authorized_keys (modes 700/600, owned by the user; `Authentication refused: bad ownership or modes` means StrictModes rejected it). For strangers: this is brute force — use keys only (`PasswordAuthentication no`) and fail2ban/sshguard.",
            settle: "`ssh -vvv` on the client shows which keys were offered and refused; `LogLevel VERBOSE` logs every failed publickey."),
        CauseInfo(
            id: .invalidUser, title: "Unknown user name",
            evidence: "`Invalid user <user> from <ip>` / `Failed ... for invalid user <user>`.",
            fix: "The account does not exist on this server. For a legitimate user, check the login name (`ssh user@host`, PuTTY Connection → Data → Auto-login username) or create the account. For strangers this is a dictionary attack: keys only, fail2ban/sshguard, and AllowUsers/AllowGroups to shrink the target.",
            settle: "`getent passwd <user>` on the server."),
        CauseInfo(
            id: .clientGaveUp, title: "Client closed the connection before logging in",
            evidence: "`Connection closed by [authenticating user <user>] <ip> port <port> [preauth]` or a client disconnect before authentication, with no failure logged.",
            fix: "The client hung up during the handshake: a user declined the host key prompt or cancelled the password prompt, the client's only key was refused (publickey failures for valid users are logged only at VERBOSE), or a scanner probed the port. If a legitimate user reports it, have them run `ssh -vvv` and check for a changed host key (`ssh-keygen -R <host>`).",
            settle: "`LogLevel VERBOSE` logs each refused publickey and the connection start; the client's `ssh -vvv` shows where it stopped."),
        CauseInfo(
            id: .bannerFailure, title: "No valid SSH banner (non-SSH client, scanner, proxy)",
            evidence: "`kex_exchange_identification: ...`, `banner exchange: Connection from ...: invalid format`, `Did not receive identification string`, `Bad protocol version identification`, `probed/scanned from ...`.",
            fix: "Something that is not an SSH client connected: a port scanner, a health check, a browser or TLS client, or a proxy/load balancer that closes before speaking SSH. Usually harmless; for a health check, switch it to a TCP check that tolerates this line or point it elsewhere; for a proxy, check it forwards the SSH banner (HTTP CONNECT proxies, PROXY protocol headers break it).",
            settle: "`ssh -vvv` through the same path shows whether the banner arrives; `tcpdump -A port 22` shows what the client sent."),
        CauseInfo(
            id: .unknown, title: "Ended without a logged reason",
            evidence: "The connection's lines stop (or the session closes) without any line saying why.",
            fix: "sshd logs nothing for several endings at LogLevel INFO (post-auth closes and resets before 9.8, LoginGraceTime on patched builds). Raise the level to see them next time: `LogLevel VERBOSE` in /etc/ssh/sshd_config, then `sshd -t && systemctl reload ssh`.",
            settle: "`LogLevel VERBOSE` on the server and `ssh -vvv` (or the PuTTY event log) on the client for the next occurrence."),
        CauseInfo(
            id: .cleanDisconnect, title: "Clean disconnect by the user (not a drop)",
            evidence: "`Received disconnect from ...:11: disconnected by user` and `Disconnected from user ...` after login.",
            fix: "Nothing to fix: the client logged out normally. If the user did not log out themselves, look at their shell's `TMOUT`/autologout or a script that exits.",
            settle: "The user's shell history and `last <user>`."),
        CauseInfo(
            id: .noTrace, title: "No trace of this client in the window",
            evidence: "No sshd, PAM, fail2ban, sshguard or firewall line names the address (or user) in the time window.",
            fix: "The connection never reached sshd. Tell the possibilities apart: (1) a firewall ban — `fail2ban-client status sshd`, `nft list ruleset | grep <ip>`, `iptables -L -n | grep <ip>`; (2) the network path or a client-side firewall/antivirus — run `ssh -vvv user@host` on the client: `Connection refused` means a REJECT rule or nothing listening, a connect timeout means a DROP somewhere on the path, and no packet in `tcpdump -ni any port 22 and host <ip>` on the server means it never arrived; (3) the wrong server/port, or a NAT'ed address different from the one you searched — check the address the server sees; (4) LoginGraceTime expiry or a MaxStartups drop that this OpenSSH build does not log at INFO — set `LogLevel VERBOSE`.",
            settle: "`tcpdump -ni any port 22 and host <ip>` on the server while the client connects, and `ssh -vvv` on the client."),
    ]
}
