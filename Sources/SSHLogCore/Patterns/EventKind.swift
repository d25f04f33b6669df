/// The vocabulary of tags the pattern library gives to log lines, and the correlator's input.
///
/// Raw values are stable: they appear in `events --format jsonl`, in `patterns/*.patterns`
/// (`kind` lines) and in the JSON outputs. Grouped by the stage of a connection's life.
public enum EventKind: String, CaseIterable, Sendable, Codable {
    // Connection start and banner exchange
    case connOpen = "conn.open"                     // Connection from <ip> port <p> on <lip> port <lp>
    case bannerNone = "banner.none"                 // Did not receive identification string; kex_exchange_identification: Connection closed by remote host
    case bannerBad = "banner.bad"                   // Bad protocol version identification; banner exchange: invalid format; invalid protocol identifier
    case bannerError = "banner.error"               // kex_exchange_identification: read: <err>; banner exchange: ...: <strerror>
    case bannerProbe = "banner.probe"               // probed/scanned from ... Don't panic.
    case tcpwrapRefused = "tcpwrap.refused"         // refused connect from <client> (<ip>)
    case dnsMismatch = "dns.mismatch"               // reverse mapping checking getaddrinfo ... failed; Address maps to ...

    // Key exchange
    case kexNoMatch = "kex.no-match"                // Unable to negotiate with <id>: no matching <what> found. Their offer: <offer>
    case kexError = "kex.error"                     // kex_protocol_error, dispatch_protocol_error, strict KEX violation

    // Authentication
    case authInvalidUser = "auth.invalid-user"      // Invalid user <user> from <ip> port <p>
    case authFailed = "auth.failed"                 // Failed <method> for [invalid user ]<user> from <ip> port <p> ssh2
    case authAccepted = "auth.accepted"             // Accepted <method> for <user> from <ip> port <p> ssh2
    case authPartial = "auth.partial"               // Partial <method> for ...
    case authPostponed = "auth.postponed"           // Postponed <method> for ...
    case authPamFailure = "auth.pam-failure"        // pam_unix(sshd:auth): authentication failure; error: PAM: Authentication failure
    case authPamMore = "auth.pam-more"              // PAM <n> more authentication failures; PAM service(sshd) ignoring max retries
    case authPamUnknown = "auth.pam-unknown"        // pam_unix(sshd:auth): check pass; user unknown
    case authMaxTries = "auth.max-tries"            // maximum authentication attempts exceeded; Disconnecting: Too many authentication failures
    case authNotAllowed = "auth.not-allowed"        // User <user> from <ip> not allowed because ... (AllowUsers, DenyUsers, groups, shell, locked, nologin)
    case authRootRefused = "auth.root-refused"      // ROOT LOGIN REFUSED FROM <ip>
    case authAccountDenied = "auth.account-denied"  // Access denied ... by PAM account configuration; account expired
    case authKeyRefused = "auth.key-refused"        // Authentication refused: bad ownership or modes; could not open authorized keys
    case authKeyFound = "auth.key-found"            // Accepted key <type> <fp> found at <file>:<line> (VERBOSE detail of an acceptance)
    case authProhibited = "auth.prohibited"         // administratively prohibited connection (RefuseConnection, 10.0+)
    case authGraceTimeout = "auth.grace-timeout"    // Timeout before authentication ...

    // Endings
    case discReceived = "disconnect.received"       // Received disconnect from <ip> port <p>:<code>: <text>
    case discSent = "disconnect.sent"               // Disconnecting <id>: <reason> (the server hung up)
    case connDisconnected = "conn.disconnected"     // Disconnected from <id>
    case connClosed = "conn.closed"                 // Connection closed by <id>
    case connReset = "conn.reset"                   // Connection reset by <id>; Read from socket failed: Connection reset by peer
    case connReadError = "conn.read-error"          // Read error from remote host <ip> port <p>: <reason>
    case connWriteFailed = "conn.write-failed"      // Write failed: Broken pipe / Connection reset by peer
    case connTimedOut = "conn.timed-out"            // Connection from <id> timed out
    case connClosing = "conn.closing"               // Closing connection to <ip> port <p> (VERBOSE)
    case connTransferred = "conn.transferred"       // Transferred: sent <n>, received <n> bytes (VERBOSE)
    case packetError = "packet.error"               // <tag>: Connection from <id>: <err>
    case packetCorrupt = "packet.corrupt"           // Corrupted MAC on input; Bad packet length; padding error

    // Sessions
    case sessionOpened = "session.opened"           // pam_unix(sshd:session): session opened for user <user>
    case sessionClosed = "session.closed"           // pam_unix(sshd:session): session closed for user <user>
    case sessionChild = "session.child"             // User child is on pid <pid>
    case sessionStart = "session.start"             // Starting session: ...
    case sessionEnd = "session.end"                 // Close session: ...
    case sessionAliveTimeout = "session.alive-timeout" // Timeout, client not responding from <id>
    case sessionInactive = "session.inactive"       // terminating inactive connection from <id>
    case logindNew = "logind.new"                   // New session <n> of user <user>.
    case logindLogout = "logind.logout"             // Session <n> logged out. Waiting for processes to exit.
    case logindRemoved = "logind.removed"           // Removed session <n>.

    // Listener: limits and penalties
    case limitDrop = "limit.maxstartups-drop"       // drop connection #<n> from [<ip>]:<p> on [<lip>]:<lp> past MaxStartups
    case limitThrottleBegin = "limit.throttle-begin" // beginning MaxStartups throttling
    case limitThrottleStatus = "limit.throttle-status" // in MaxStartups throttling for <dur>, <n> connections dropped
    case limitThrottleEnd = "limit.throttle-end"    // exited MaxStartups throttling after <dur>, <n> connections dropped
    case limitRateLimited = "limit.rate-limited"    // Maxstartups/PerSourcePenalties logging rate-limited: additional <n> connections dropped
    case penaltyDrop = "limit.penalty-drop"         // drop connection #<n> from [<ip>]:<p> on [<lip>]:<lp> penalty: <reason>
    case penalty = "limit.penalty"                  // srclimit_penalise: ... penalty of <s> seconds for <reason>

    // Server life
    case serverListening = "server.listening"       // Server listening on <lip> port <lp>.
    case serverTerminating = "server.terminating"   // Received signal <n>; terminating.
    case serverReload = "server.reload"             // Received SIGHUP; restarting.
    case serverBindFailed = "server.bind-failed"    // Bind to port failed; Cannot bind any address
    case serverChildCrash = "server.child-crash"    // session process ... killed by signal / unpriv child crash / mm_reap
    case serverResource = "server.resource"         // fatal: fork/malloc/out of memory/too many open files

    // Blockers and firewalls
    case f2bFound = "f2b.found"                     // [jail] Found <ip>
    case f2bBan = "f2b.ban"                         // [jail] Ban <ip>
    case f2bUnban = "f2b.unban"                     // [jail] Unban <ip>
    case f2bRestore = "f2b.restore"                 // [jail] Restore Ban <ip>
    case f2bAlreadyBanned = "f2b.already-banned"    // [jail] <ip> already banned
    case f2bIncrease = "f2b.increase"               // [jail] Increase Ban <ip> (...)
    case f2bIgnore = "f2b.ignore"                   // [jail] Ignore <ip> by ...
    case sshguardAttack = "sshguard.attack"         // Attack from "<ip>" on service <svc> with danger <n>.
    case sshguardBlock = "sshguard.block"           // Blocking "<ip>/<bits>" for <n> secs ...
    case sshguardRelease = "sshguard.release"       // <ip>: unblocking after <n> secs
    case firewallBlock = "firewall.block"           // kernel: [UFW BLOCK] / [UFW LIMIT BLOCK] / LOG ... DPT=22
    case firewallAllow = "firewall.allow"           // kernel: [UFW ALLOW] / [UFW AUDIT] ... DPT=22 (logged, let through)
}
