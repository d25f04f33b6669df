/// The explain pipeline over an ingest run: tag every record, correlate, finish.
public enum ExplainRun {
    /// Reads every record of `run` in time order, tags it with `library`, and feeds the tagged
    /// ones to a correlator (spoofed journal entries are marked by `forEachTagged` and ignored by
    /// the correlator, which counts them).
    public static func correlate(_ run: IngestRun, library: PatternLibrary, options: Correlator.Options) -> CorrelationResult {
        let correlator = Correlator(options: options)
        run.forEachTagged(library) { correlator.add($0) }
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
