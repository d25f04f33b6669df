/// `--format json` for `explain` (schema `sshlog.explain/1`) and `timeline`
/// (`sshlog.timeline/1`), documented in docs/json-schema.md. Keys come in the documented order;
/// times are RFC 3339 UTC strings with microseconds.
public enum JSONRenderer {
    public static let explainSchema = "sshlog.explain/1"
    public static let timelineSchema = "sshlog.timeline/1"

    public static func render(_ r: ExplainReport) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.string("schema", explainSchema)
        w.string("version", SSHLogVersion.string)
        window(&w, r.window, r.since, r.until)
        w.string("inputs", r.inputs)
        filter(&w, r.clientFilter, r.userFilter)
        w.beginObject("summary")
        w.int("clients", r.summary.clients)
        w.int("connections", r.summary.connections)
        w.int("drops", r.summary.drops)
        w.int("open", r.summary.open)
        w.int("bans", r.summary.bans)
        w.int("firewall_drops", r.summary.firewallDrops)
        w.beginObject("drops_by_cause")
        for (c, n) in r.summary.dropsByCause { w.int(c.rawValue, n) }
        w.endObject()
        w.endObject()
        w.beginArray("clients")
        for c in r.clients { client(&w, c) }
        w.endArray()
        w.int("more_clients", r.moreClients)
        w.strings("notes", r.notes)
        w.endObject()
        return w.out + "\n"
    }

    public static func render(_ t: TimelineReport) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.string("schema", timelineSchema)
        w.string("version", SSHLogVersion.string)
        window(&w, t.window, nil, nil)
        w.string("inputs", t.inputs)
        filter(&w, t.clientFilter, t.userFilter)
        w.beginArray("entries")
        for e in t.entries {
            w.beginObject()
            switch e {
            case .connection(let address, let c):
                w.string("type", "connection")
                w.time("time", c.start)
                w.string("address", address)
                w.beginObject("connection")
                connectionFields(&w, c)
                w.endObject()
            case .ban(let address, let b):
                w.string("type", "ban")
                w.time("time", b.start)
                w.string("address", address)
                w.beginObject("ban")
                banFields(&w, b)
                w.endObject()
            case .firewall(let address, let ev), .penalty(let address, let ev):
                if case .firewall = e { w.string("type", "firewall") } else { w.string("type", "penalty") }
                w.time("time", ev.time)
                w.string("address", address)
                w.beginObject("evidence")
                evidenceFields(&w, ev)
                w.endObject()
            case .host(let ev):
                w.string("type", "host")
                w.time("time", ev.time)
                w.string("address", nil)
                w.beginObject("evidence")
                evidenceFields(&w, ev)
                w.endObject()
            }
            w.endObject()
        }
        w.endArray()
        w.strings("notes", t.notes)
        w.endObject()
        return w.out + "\n"
    }

    static func window(_ w: inout JSONWriter, _ description: String, _ since: Int64?, _ until: Int64?) {
        w.beginObject("window")
        w.string("description", description)
        w.time("since", since)
        w.time("until", until)
        w.endObject()
    }

    static func filter(_ w: inout JSONWriter, _ client: String?, _ user: String?) {
        w.beginObject("filter")
        w.string("client", client)
        w.string("user", user)
        w.endObject()
    }

    static func client(_ w: inout JSONWriter, _ c: ClientStory) {
        w.beginObject()
        w.string("address", c.address)
        w.strings("causes", c.causes.map(\.rawValue))
        w.bool("legitimate", c.legitimate)
        w.strings("users", c.users)
        w.int("more_users", c.moreUsers)
        w.strings("accepted_users", c.acceptedUsers)
        w.time("first", c.first)
        w.time("last", c.last)
        w.beginObject("counts")
        w.int("connections", c.connectionCount)
        w.int("drops", c.dropCount)
        w.int("failures", c.failureCount)
        w.int("accepted", c.acceptedCount)
        w.int("firewall_drops", c.firewallDrops)
        w.int("not_shown", c.omittedConnections)
        w.beginObject("by_cause")
        for (cause, n) in c.causeCounts { w.int(cause.rawValue, n) }
        w.endObject()
        w.endObject()
        if let h = c.headline {
            w.beginObject("cause")
            cause(&w, h)
            w.endObject()
        } else {
            w.string("cause", nil)
        }
        w.beginArray("bans")
        for b in c.bans {
            w.beginObject()
            banFields(&w, b)
            w.endObject()
        }
        w.endArray()
        w.beginArray("connections")
        for conn in c.connections {
            w.beginObject()
            connectionFields(&w, conn)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    static func banFields(_ w: inout JSONWriter, _ b: BanStory) {
        w.string("source", b.source)
        w.string("jail", b.jail)
        w.time("start", b.start)
        w.time("end", b.end)
        w.double("seconds", b.seconds)
        w.int("already_banned", b.alreadyBanned)
        evidenceArray(&w, b.evidence)
    }

    static func connectionFields(_ w: inout JSONWriter, _ c: ConnectionStory) {
        w.time("start", c.start)
        w.time("end", c.end)
        w.string("host", c.host)
        w.int("pid", Int(c.pid))
        w.int("child_pid", c.childPid.map { Int($0) })
        w.int("port", c.port)
        w.string("local_address", c.localAddress)
        w.int("local_port", c.localPort)
        w.string("user", c.user)
        w.strings("users_tried", c.usersTried)
        w.bool("user_exists", c.userExists)
        w.beginArray("methods")
        for m in c.methods {
            w.beginObject()
            w.string("method", m.method)
            w.string("result", m.result)
            w.int("count", m.count)
            w.endObject()
        }
        w.endArray()
        w.string("client_version", c.clientVersion)
        w.string("stage", c.stage.name)
        w.string("ended_by", c.open ? nil : c.endedBy.rawValue)
        w.bool("open", c.open)
        if let cs = c.cause {
            w.beginObject("cause")
            cause(&w, cs)
            w.endObject()
        } else {
            w.string("cause", nil)
        }
        evidenceArray(&w, c.evidence)
        w.int("evidence_omitted", c.omittedEvidence)
    }

    static func cause(_ w: inout JSONWriter, _ c: CauseStory) {
        w.string("id", c.id.rawValue)
        w.string("title", c.title)
        w.string("confidence", c.confidence.rawValue)
        w.string("summary", c.summary)
        w.strings("alternatives", c.alternatives.map(\.rawValue))
        w.string("likely", c.likely?.rawValue)
        w.string("fix", c.fix)
        w.string("settle", c.settle)
    }

    static func evidenceArray(_ w: inout JSONWriter, _ ev: [EvidenceLine]) {
        w.beginArray("evidence")
        for e in ev {
            w.beginObject()
            evidenceFields(&w, e)
            w.endObject()
        }
        w.endArray()
    }

    static func evidenceFields(_ w: inout JSONWriter, _ e: EvidenceLine) {
        w.time("time", e.time)
        w.string("location", e.location)
        w.string("kind", e.kind)
        w.string("text", e.text)
    }
}
