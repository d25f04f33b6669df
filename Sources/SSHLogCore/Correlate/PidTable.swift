/// The open connections of a run, found by (host, pid) and by (host, client address, port).
///
/// A connection is registered under its monitor pid, its post-auth child pid once linked, and a
/// PAM helper's pid if one logs; and under its (client, port) pair, which the monitor and the
/// post-auth child both print, to link them at LogLevel INFO where `User child is on pid` is not
/// logged.
///
/// Host names are interned once (`hostID`): the per-line lookup hashes two integers, not a
/// string. Each connection carries the pids it is registered under and its slot in `all`, so
/// folding it needs no further table.
///
/// - Complexity: O(1) amortised per lookup, registration and removal.
struct PidTable {
    struct EndpointKey: Hashable {
        var host: Int32
        var client: String
        var port: Int

        /// Hashes the host and port only: among the open connections they nearly always tell
        /// connections apart already, and equality still compares the address.
        func hash(into h: inout Hasher) {
            h.combine(host)
            h.combine(port)
        }

        func _rawHashValue(seed: Int) -> Int {
            PidKey(bits: UInt64(UInt32(bitPattern: host)) << 32 ^ UInt64(truncatingIfNeeded: port))
                ._rawHashValue(seed: seed)
        }
    }

    /// (host id, pid) packed into one integer, hashed with one multiply-xorshift over the
    /// per-process seed instead of SipHash (the lookup every line pays).
    struct PidKey: Hashable {
        var bits: UInt64

        func hash(into h: inout Hasher) { h.combine(bits) }

        func _rawHashValue(seed: Int) -> Int {
            var x = bits ^ UInt64(bitPattern: Int64(seed))
            x = (x ^ (x >> 30)) &* 0xbf58476d1ce4e5b9
            x = (x ^ (x >> 27)) &* 0x94d049bb133111eb
            return Int(truncatingIfNeeded: x ^ (x >> 31))
        }
    }

    private var byPid: [PidKey: Connection] = [:]
    private var byEndpoint: [EndpointKey: Connection] = [:]
    private var hostIDs: [String: Int32] = [:]
    private var lastHost = ""
    private var lastHostID: Int32 = -1
    /// All open connections, in no particular order (swap-removed through `Connection.tableSlot`).
    private(set) var all: [Connection] = []

    var count: Int { all.count }

    @inline(__always) private static func key(_ host: Int32, _ pid: Int32) -> PidKey {
        PidKey(bits: UInt64(UInt32(bitPattern: host)) << 32 | UInt64(UInt32(bitPattern: pid)))
    }

    /// The number standing for `host` in this table (the same name, the same number).
    mutating func hostID(_ host: String) -> Int32 {
        if lastHostID >= 0 && host == lastHost { return lastHostID }
        let id: Int32
        if let known = hostIDs[host] {
            id = known
        } else {
            id = Int32(hostIDs.count)
            hostIDs[host] = id
        }
        lastHost = host
        lastHostID = id
        return id
    }

    func connection(host: Int32, pid: Int32) -> Connection? {
        byPid[PidTable.key(host, pid)]
    }

    func connection(host: Int32, client: String, port: Int) -> Connection? {
        byEndpoint[EndpointKey(host: host, client: client, port: port)]
    }

    mutating func register(_ c: Connection, pid: Int32) {
        let key = PidTable.key(c.hostID, pid)
        if let old = byPid.updateValue(c, forKey: key), old !== c {
            // The pid was reused while the old record was still listed: the caller folds the old
            // one first; if not, drop the stale mapping.
            old.tablePids.removeAll(pid)
        }
        c.tablePids.append(pid)
        if c.tableSlot < 0 {
            c.tableSlot = all.count
            all.append(c)
        }
    }

    mutating func registerEndpoint(_ c: Connection) {
        guard let client = c.client, let port = c.port else { return }
        byEndpoint[EndpointKey(host: c.hostID, client: client, port: port)] = c
    }

    mutating func remove(_ c: Connection) {
        let pids = c.tablePids
        c.tablePids = PidList()
        for k in 0..<pids.count {
            if let i = byPid.index(forKey: PidTable.key(c.hostID, pids[k])), byPid.values[i] === c { byPid.remove(at: i) }
        }
        let i = c.tableSlot
        if i >= 0, i < all.count, all[i] === c {
            let last = all.removeLast()
            if last !== c {
                all[i] = last
                last.tableSlot = i
            }
        }
        c.tableSlot = -1
        if let client = c.client, let port = c.port {
            if let i = byEndpoint.index(forKey: EndpointKey(host: c.hostID, client: client, port: port)),
               byEndpoint.values[i] === c {
                byEndpoint.remove(at: i)
            }
        }
    }
}
