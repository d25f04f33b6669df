/// Fields a pattern extracts. The well-known names have their own slots (no dictionary per line);
/// an admin's own field names go to `extra`.
///
/// Field names in pattern files: `client` (address or host name of the SSH client), `port`,
/// `laddr`, `lport`, `user`, `invalid` (the user does not exist), `method`, `code` (SSH2_MSG_DISCONNECT
/// reason code), `reason` (free text: disconnect text, refusal reason, error string), `jail`,
/// `count`, `seconds`, `pid` (another process: the post-auth child, the session process),
/// `session` (logind session id), `what`/`offer` (kex mismatch), `keytype`, `fingerprint`,
/// `signal`, `level` (`error`/`fatal`, from the message prefix), `phase` (`preauth`, `postauth`,
/// `net`, from the bracketed suffix).
public struct EventFields: Sendable, Equatable {
    public var client: String?
    public var port: Int?
    public var laddr: String?
    public var lport: Int?
    public var user: String?
    public var invalid: Bool = false
    public var method: String?
    public var code: Int?
    public var reason: String?
    public var jail: String?
    public var count: Int?
    public var seconds: Double?
    public var pid: Int32?
    public var session: String?
    public var what: String?
    public var offer: String?
    public var keytype: String?
    public var fingerprint: String?
    public var signal: Int?
    public var level: String?
    public var phase: String?
    public var extra: [String: String] = [:]

    public init() {}

    /// Sets a field by its pattern-file name. Unknown names go to `extra`; numbers that do not
    /// parse are kept in `extra` under their name.
    public mutating func set(_ name: String, _ value: String) {
        switch name {
        case "client": client = value
        case "port": if let v = Int(value) { port = v } else { extra[name] = value }
        case "laddr": laddr = value
        case "lport": if let v = Int(value) { lport = v } else { extra[name] = value }
        case "user": user = value
        case "invalid": invalid = (value == "yes" || value == "true" || value == "1")
        case "method": method = value
        case "code": if let v = Int(value) { code = v } else { extra[name] = value }
        case "reason": reason = value
        case "jail": jail = value
        case "count": if let v = Int(value) { count = v } else { extra[name] = value }
        case "seconds": if let v = Double(value) { seconds = v } else { extra[name] = value }
        case "pid": if let v = Int32(value) { pid = v } else { extra[name] = value }
        case "session": session = value
        case "what": what = value
        case "offer": offer = value
        case "keytype": keytype = value
        case "fingerprint": fingerprint = value
        case "signal": if let v = Int(value) { signal = v } else { extra[name] = value }
        case "level": level = value
        case "phase": phase = value
        default: extra[name] = value
        }
    }

    /// All set fields as (name, value) pairs in a stable order, for printing and JSON.
    public var pairs: [(String, String)] {
        var out: [(String, String)] = []
        func add(_ n: String, _ v: String?) { if let v { out.append((n, v)) } }
        add("client", client); add("port", port.map(String.init)); add("laddr", laddr)
        add("lport", lport.map(String.init)); add("user", user)
        if invalid { out.append(("invalid", "yes")) }
        add("method", method); add("code", code.map(String.init)); add("reason", reason)
        add("jail", jail); add("count", count.map(String.init))
        add("seconds", seconds.map { String($0) }); add("pid", pid.map(String.init))
        add("session", session); add("what", what); add("offer", offer); add("keytype", keytype)
        add("fingerprint", fingerprint); add("signal", signal.map(String.init))
        add("level", level); add("phase", phase)
        for k in extra.keys.sorted() { out.append((k, extra[k]!)) }
        return out
    }
}

/// A record the pattern library recognised: the hand-over from the patterns stage to the
/// correlator. Owned (no pointers into reader buffers), so the correlator may keep it.
public struct TaggedEvent: Sendable {
    /// Microseconds since the Unix epoch, UTC.
    public var time: Int64
    public var host: String
    public var program: String
    public var pid: Int32
    public var kind: EventKind
    /// The id of the pattern that matched (e.g. `sshd.auth.failed-password`).
    public var patternID: String
    public var fields: EventFields
    /// The message as logged (not yet sanitised: renderers escape it for their format).
    public var message: String
    public var location: SourceLocation
    /// Set by the journal source when the entry's trusted fields contradict its identifier.
    public var spoofed: Bool = false

    public init(time: Int64, host: String, program: String, pid: Int32, kind: EventKind, patternID: String,
                fields: EventFields, message: String, location: SourceLocation, spoofed: Bool = false) {
        self.time = time
        self.host = host
        self.program = program
        self.pid = pid
        self.kind = kind
        self.patternID = patternID
        self.fields = fields
        self.message = message
        self.location = location
        self.spoofed = spoofed
    }
}
