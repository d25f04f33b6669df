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
    static func forEachSet<S: EventFieldSink>(_ f: borrowing EventFields, into sink: S) {
        if f.spans == .zero {
            visit(f, nil, sink)
        } else {
            visit(f, UnsafeRawBufferPointer(f.bytes.buffer), sink)
        }
    }

    /// The visit itself; `storage` is `bytes` when any field points into it.
    @inline(__always)
    private static func visit<S: EventFieldSink>(_ f: borrowing EventFields, _ storage: UnsafeRawBufferPointer?, _ sink: S) {
        @inline(__always) func span(_ slot: TextSlot, _ name: StaticString) {
            let s = f.spans[slot.rawValue]
            if s == 0 { return }
            if s != Self.owned, !Self.isConstant(s), let storage {
                let start = Int(s >> 16), count = Int(s & 0xFFFF) - 1
                if start + count <= storage.count {
                    sink.field(name, bytes: UnsafeRawBufferPointer(rebasing: storage[start..<(start + count)]))
                    return
                }
            }
            slow(f, slot, name, sink)
        }
        span(.client, "client")
        if let v = f.port { sink.field("port", int: v) }
        span(.laddr, "laddr")
        if let v = f.lport { sink.field("lport", int: v) }
        span(.user, "user")
        if f.invalid {
            let yes: StaticString = "yes"
            sink.field("invalid", bytes: UnsafeRawBufferPointer(start: yes.utf8Start, count: yes.utf8CodeUnitCount))
        }
        span(.method, "method")
        if let v = f.code { sink.field("code", int: v) }
        span(.reason, "reason")
        span(.jail, "jail")
        if let v = f.count { sink.field("count", int: v) }
        if let v = f.seconds { sink.field("seconds", string: String(v)) }
        if let v = f.pid { sink.field("pid", int: Int(v)) }
        span(.session, "session")
        span(.what, "what")
        span(.offer, "offer")
        span(.keytype, "keytype")
        span(.fingerprint, "fingerprint")
        if let v = f.signal { sink.field("signal", int: v) }
        span(.level, "level")
        span(.phase, "phase")
        if !f.extra.isEmpty { extras(f, sink) }
    }

    /// A text slot whose value is a String (assigned, or no contiguous text to point into).
    @inline(never)
    private static func slow<S: EventFieldSink>(_ f: borrowing EventFields, _ slot: TextSlot, _ name: StaticString, _ sink: S) {
        if let v = f.value(slot) { sink.field(name, string: v) }
    }

    @inline(never)
    private static func extras<S: EventFieldSink>(_ f: borrowing EventFields, _ sink: S) {
        for k in f.extra.keys.sorted() { sink.extraField(k, string: f.extra[k]!) }
    }
}
