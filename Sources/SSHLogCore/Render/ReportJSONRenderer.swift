/// The report as one JSON object; schema in docs/report-schema.md (`"schema": "sshlog.report/1"`).
/// Keys come out in the documented order; strings are escaped by `JSONWriter`.
public enum ReportJSONRenderer {
    public static func render(_ r: DailyReport) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.string("schema", "sshlog.report/1")
        w.beginObject("period")
        w.time("start", r.period.start)
        w.time("end", r.period.end)
        w.string("label", ReportFormat.periodLabel(r.period))
        w.endObject()
        w.beginObject("previous_period")
        w.time("start", r.previous.start)
        w.time("end", r.previous.end)
        w.endObject()
        w.beginObject("history")
        w.time("first_record", r.historyStart)
        w.time("last_record", r.historyEnd)
        w.endObject()
        w.string("inputs", r.inputs)
        w.strings("hosts", r.hosts)
        w.bool("clean", r.isClean)
        w.bool("quiet", r.isQuiet)

        w.beginArray("attention")
        for a in r.attention {
            w.beginObject()
            w.string("kind", a.kind.rawValue)
            w.string("title", a.kind.title)
            w.time("time", a.time > 0 ? a.time : nil)
            w.string("user", a.user)
            w.string("address", a.address)
            w.string("method", a.method)
            w.int("count", a.count)
            w.string("detail", a.detail)
            w.string("location", a.location)
            w.endObject()
        }
        w.endArray()

        w.beginObject("access_health")
        w.beginArray("dropped")
        for d in r.health.dropped {
            w.beginObject()
            w.string("user", d.user)
            w.string("address", d.address)
            w.string("cause", d.cause.rawValue)
            w.string("title", d.title)
            w.int("count", d.count)
            w.time("first", d.first)
            w.time("last", d.last)
            w.string("summary", d.summary)
            w.string("fix", d.fix)
            w.endObject()
        }
        w.endArray()
        w.beginArray("banned_known")
        for b in r.health.bannedKnown {
            w.beginObject()
            w.string("address", b.address)
            w.strings("users", b.users)
            w.string("jail", b.jail)
            w.int("count", b.count)
            w.time("first", b.first)
            w.string("fix", b.fix)
            w.endObject()
        }
        w.endArray()
        w.endObject()

        let n = r.noise
        w.beginObject("noise")
        pair(&w, "failed_auth", n.failedAuth, n.previousFailedAuth)
        pair(&w, "invalid_users", n.invalidUsers, n.previousInvalidUsers)
        pair(&w, "sources", n.sources, n.previousSources)
        pair(&w, "bans", n.bans, n.previousBans)
        pair(&w, "unbans", n.unbans, n.previousUnbans)
        ranked(&w, "top_sources", n.topSources)
        ranked(&w, "top_users", n.topUsers)
        w.endObject()

        w.beginObject("totals")
        totals(&w, r.totals)
        w.endObject()
        w.beginObject("previous_totals")
        totals(&w, r.previousTotals)
        w.endObject()

        w.int("bucket_seconds", Int(r.bucketLength / 1_000_000))
        w.beginArray("buckets")
        for b in r.buckets {
            w.beginObject()
            w.time("start", b.start)
            w.string("label", ReportFormat.bucketLabel(b, r.bucketLength))
            w.int("connections", b.connections)
            w.int("drops", b.dropTotal)
            w.beginObject("drops_by_cause")
            for (c, k) in b.drops { w.int(c.rawValue, k) }
            w.endObject()
            w.endObject()
        }
        w.endArray()
        w.strings("notes", r.notes)
        w.endObject()
        return w.out + "\n"
    }

    static func pair(_ w: inout JSONWriter, _ key: String, _ now: Int, _ before: Int) {
        w.beginObject(key)
        w.int("count", now)
        w.int("previous", before)
        w.endObject()
    }

    static func ranked(_ w: inout JSONWriter, _ key: String, _ list: [Noise.Ranked]) {
        w.beginArray(key)
        for x in list {
            w.beginObject()
            w.string("name", x.name)
            w.int("count", x.count)
            w.int("previous", x.previous)
            w.bool("new", x.isNew)
            w.endObject()
        }
        w.endArray()
    }

    static func totals(_ w: inout JSONWriter, _ t: Totals) {
        w.int("connections", t.connections)
        w.int("logins", t.logins)
        w.int("failed_auth", t.failedAuth)
        w.int("drops", t.drops)
        w.beginObject("drops_by_cause")
        for (c, k) in t.dropsByCause { w.int(c.rawValue, k) }
        w.endObject()
    }
}
