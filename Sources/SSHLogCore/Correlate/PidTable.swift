/// The open connections of a run, found by (host, pid) and by (host, client address, port).
///
/// A connection is registered under its monitor pid, its post-auth child pid once linked, and a
/// PAM helper's pid if one logs; and under its (client, port) pair, which the monitor and the
/// post-auth child both print, to link them at LogLevel INFO where `User child is on pid` is not
/// logged.
struct PidTable {
    struct PidKey: Hashable {
        var host: String
        var pid: Int32
    }

    struct EndpointKey: Hashable {
        var host: String
        var client: String
        var port: Int
    }

    private(set) var byPid: [PidKey: Connection] = [:]
    private var byEndpoint: [EndpointKey: Connection] = [:]
    /// Every pid registered for a connection, to unregister them all when it is folded.
    private var pidsOf: [ObjectIdentifier: [Int32]] = [:]
    private var members: [ObjectIdentifier: Connection] = [:]

    var count: Int { members.count }

    func connection(host: String, pid: Int32) -> Connection? {
        byPid[PidKey(host: host, pid: pid)]
    }

    func connection(host: String, client: String, port: Int) -> Connection? {
        byEndpoint[EndpointKey(host: host, client: client, port: port)]
    }

    mutating func register(_ c: Connection, pid: Int32) {
        let key = PidKey(host: c.host, pid: pid)
        if let old = byPid[key], old !== c {
            // The pid was reused while the old record was still listed: the caller folds the old
            // one first; if not, drop the stale mapping.
            pidsOf[ObjectIdentifier(old)]?.removeAll { $0 == pid }
        }
        byPid[key] = c
        pidsOf[ObjectIdentifier(c), default: []].append(pid)
        members[ObjectIdentifier(c)] = c
    }

    mutating func registerEndpoint(_ c: Connection) {
        guard let client = c.client, let port = c.port else { return }
        byEndpoint[EndpointKey(host: c.host, client: client, port: port)] = c
    }

    mutating func remove(_ c: Connection) {
        let id = ObjectIdentifier(c)
        for pid in pidsOf[id] ?? [] {
            let key = PidKey(host: c.host, pid: pid)
            if byPid[key] === c { byPid[key] = nil }
        }
        pidsOf[id] = nil
        members[id] = nil
        if let client = c.client, let port = c.port {
            let key = EndpointKey(host: c.host, client: client, port: port)
            if byEndpoint[key] === c { byEndpoint[key] = nil }
        }
    }

    /// All open connections (for sweeps and server-wide events; not per line).
    var all: [Connection] { Array(members.values) }
}
