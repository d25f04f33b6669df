extension IngestRun {
    /// Calls `body` with every record the library recognises, as a `TaggedEvent`, in time order.
    /// The journal's spoofing verdict is copied onto the event here.
    public func forEachTagged(_ library: PatternLibrary, _ body: (TaggedEvent) -> Void) {
        let src = makeSource()
        while src.next() {
            let rec = src.record
            if rec.malformed { continue }
            if var e = library.tag(rec, location: { src.location() }) {
                if src.currentIsSpoofed { e.spoofed = true }
                body(e)
            }
        }
    }
}
