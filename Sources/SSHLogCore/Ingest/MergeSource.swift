/// Merges several record streams into one in time order (k-way merge).
///
/// Stable: records with equal times come out in the order of the streams as given, and each
/// stream keeps its own order even where its lines are slightly out of time order. Nothing is
/// copied: each stream's current record stays in its own buffer until that stream advances.
///
/// - Complexity: O(k) per record for k streams (k is small: a rotation set per log kind, plus the
///   journal), which beats a heap's bookkeeping at these sizes.
public final class MergeSource: RecordSource {
    let sources: [RecordSource]
    var live: [Bool]
    var started = false
    var currentIndex = -1
    public let name = "merged"

    public init(_ sources: [RecordSource]) {
        self.sources = sources
        live = Array(repeating: false, count: sources.count)
    }

    public var record: SyslogRecord { sources[currentIndex].record }
    public var currentSource: RecordSource { sources[currentIndex] }
    public var currentIsSpoofed: Bool { sources[currentIndex].currentIsSpoofed }

    public func next() -> Bool {
        if !started {
            started = true
            for i in sources.indices { live[i] = sources[i].next() }
        } else if currentIndex >= 0 {
            live[currentIndex] = sources[currentIndex].next()
        }
        var best = -1
        var bestTime = Int64.max
        for i in sources.indices where live[i] {
            let t = sources[i].record.time
            if best < 0 || t < bestTime { best = i; bestTime = t }
        }
        currentIndex = best
        return best >= 0
    }

    public func location() -> SourceLocation { sources[currentIndex].location() }
}
