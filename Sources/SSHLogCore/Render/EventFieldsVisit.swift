/// Reading `EventFields` for output without building `pairs`: no array, and no String for a text
/// field that is a range of the matched message (the common case) or for a number.

/// Receives the set fields of an event, in the order of `EventFields.pairs`. Each call spells the
/// `pairs` value of the field in another form.
protocol EventFieldSink: AnyObject {
    /// A text field held as a range of the matched message, or a constant. Decoded as UTF-8
    /// (invalid sequences repaired), the bytes are the `pairs` value.
    func field(_ name: StaticString, bytes: UnsafeRawBufferPointer)
    /// A value kept as a String (assigned text, `seconds`).
    func field(_ name: StaticString, string: String)
    /// An integer field; `pairs` spells it `String(v)`.
    func field(_ name: StaticString, int: Int)
    /// An admin's own field (`extra`), in the order of its sorted names.
    func extraField(_ name: String, string: String)
}

extension EventFields {
    /// Hands each set field to `sink`, in the order of `pairs`. The byte buffers are valid only
    /// during the call.
    @inline(__always)
    static func forEachSet<S: EventFieldSink>(_ f: UnsafePointer<EventFields>, into sink: S) {
        // Fields without bytes (none set, or values held as Strings) find no room in an empty
        // buffer and take the slow path, as they must.
        visit(f, UnsafeRawBufferPointer(start: f.pointee.bytes.base, count: f.pointee.bytes.count), sink)
    }

    /// The visit itself; `storage` is `bytes`.
    @inline(__always)
    private static func visit<S: EventFieldSink>(_ fp: UnsafePointer<EventFields>, _ storage: UnsafeRawBufferPointer, _ sink: S) {
        // Each read goes through the pointer (a stored property at a time): a copy of the fields
        // would retain and release their references.
        @inline(__always) func span(_ slot: TextSlot, _ name: StaticString) {
            let s = fp.pointee.spans[slot.rawValue]
            if s == 0 { return }
            if s != Self.owned, !Self.isConstant(s) {
                let start = Int(s >> 16), count = Int(s & 0xFFFF) - 1
                if start + count <= storage.count {
                    sink.field(name, bytes: UnsafeRawBufferPointer(rebasing: storage[start..<(start + count)]))
                    return
                }
            }
            slow(fp, slot, name, sink)
        }
        let present = fp.pointee.present
        @inline(__always) func number(_ k: NumberSlot, _ name: StaticString) {
            if present & (1 << UInt8(k.rawValue)) != 0 { sink.field(name, int: fp.pointee.number(k)!) }
        }
        span(.client, "client")
        number(.port, "port")
        span(.laddr, "laddr")
        number(.lport, "lport")
        span(.user, "user")
        if fp.pointee.invalid {
            let yes: StaticString = "yes"
            sink.field("invalid", bytes: UnsafeRawBufferPointer(start: yes.utf8Start, count: yes.utf8CodeUnitCount))
        }
        span(.method, "method")
        number(.code, "code")
        span(.reason, "reason")
        span(.jail, "jail")
        number(.count, "count")
        if present & 32 != 0 { sink.field("seconds", string: String(fp.pointee.secondsValue)) }
        if present & 64 != 0 { sink.field("pid", int: Int(fp.pointee.pidValue)) }
        span(.session, "session")
        span(.what, "what")
        span(.offer, "offer")
        span(.keytype, "keytype")
        span(.fingerprint, "fingerprint")
        number(.signal, "signal")
        span(.level, "level")
        span(.phase, "phase")
        if fp.pointee.rare != nil { extras(fp, sink) }
    }

    /// A text slot whose value is a String (assigned, or no contiguous text to point into).
    @inline(never)
    private static func slow<S: EventFieldSink>(_ fp: UnsafePointer<EventFields>, _ slot: TextSlot, _ name: StaticString, _ sink: S) {
        if let v = fp.pointee.value(slot) { sink.field(name, string: v) }
    }

    @inline(never)
    private static func extras<S: EventFieldSink>(_ fp: UnsafePointer<EventFields>, _ sink: S) {
        let extra = fp.pointee.extra
        for k in extra.keys.sorted() { sink.extraField(k, string: extra[k]!) }
    }
}

extension TaggedEvent {
    /// Where `fields` sits in an event (a stored property: a fixed offset).
    static let fieldsOffset = MemoryLayout<TaggedEvent>.offset(of: \TaggedEvent.fields)!

    /// The fields of the event at `p`, in place.
    @inline(__always)
    static func fieldsOf(_ p: UnsafePointer<TaggedEvent>, at offset: Int = fieldsOffset) -> UnsafePointer<EventFields> {
        (UnsafeRawPointer(p) + offset).assumingMemoryBound(to: EventFields.self)
    }
}
