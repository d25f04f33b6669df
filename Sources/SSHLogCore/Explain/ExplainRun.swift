/// The explain pipeline over an ingest run: tag every record, correlate, finish.
public enum ExplainRun {
    /// The pattern library's `tag(_:location:)`.
    public typealias Tagger = (SyslogRecord, () -> SourceLocation) -> TaggedEvent?

    /// Reads every record of `run` in time order, tags it, and feeds the tagged ones to a
    /// correlator. Journal entries whose trusted fields contradict their identifier are marked
    /// spoofed (the correlator counts and ignores them).
    public static func correlate(_ run: IngestRun, tagger: Tagger, options: Correlator.Options) -> CorrelationResult {
        let correlator = Correlator(options: options)
        run.forEachRecord { record, source in
            guard var event = tagger(record, { source.location() }) else { return }
            if source.currentIsSpoofed { event.spoofed = true }
            correlator.add(event)
        }
        return correlator.finish()
    }

    /// The window as the output states it: says when it is the default last hour.
    public static func windowText(_ run: IngestRun, sinceGiven: Bool, defaultSince: String) -> String {
        let w = run.windowDescription
        return sinceGiven ? w : "last \(defaultSince) (the default; use --since to change): \(w)"
    }

    /// A client address as the correlator keys it (IPv4-mapped IPv6 reduced, `/bits` dropped).
    public static func normaliseClient(_ s: String) -> String { Correlator.normalise(s) }
}
