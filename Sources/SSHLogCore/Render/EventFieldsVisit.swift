/// Reading `EventFields` for output without building `pairs`: no array, and no String for a text
/// field that is a range of the matched message (the common case) or for a number.
extension EventFields {
    /// A field's value as a renderer reads it. Each spells what `pairs` gives for the field.
    enum RenderValue {
        /// Bytes of `text` (a captured range), or a constant. Decoded as UTF-8 (invalid sequences
        /// repaired), they are the `pairs` value.
        case bytes(UnsafeRawBufferPointer)
        /// A value kept as a String (assigned, an extra field, `seconds`).
        case string(String)
        /// An integer field; `pairs` spells it `String(v)`.
        case int(Int)
    }

    /// Calls `body` with the name (UTF-8) and value of each set field, in the order of `pairs`.
    /// The buffers are valid only during the call.
    @inline(__always)
    func forEachSet(_ body: (UnsafeRawBufferPointer, RenderValue) -> Void) {
        if spans == .zero {
            visit(nil, body)
        } else if text.utf8.withContiguousStorageIfAvailable({ visit(UnsafeRawBufferPointer($0), body) }) == nil {
            visit(nil, body)
        }
    }

    /// The visit itself; `storage` is the bytes of `text` when it is contiguous.
    @inline(__always)
    private func visit(_ storage: UnsafeRawBufferPointer?, _ body: (UnsafeRawBufferPointer, RenderValue) -> Void) {
        @inline(__always) func name(_ s: StaticString) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
        }
        @inline(__always) func span(_ slot: TextSlot, _ n: StaticString) {
            let s = spans[slot.rawValue]
            if s == 0 { return }
            if s != Self.owned, let storage {
                let start = Int(s >> 16), count = Int(s & 0xFFFF) - 1
                if start + count <= storage.count {
                    body(name(n), .bytes(UnsafeRawBufferPointer(rebasing: storage[start..<(start + count)])))
                    return
                }
            }
            if let v = value(slot) { body(name(n), .string(v)) }
        }
        @inline(__always) func int(_ v: Int?, _ n: StaticString) {
            if let v { body(name(n), .int(v)) }
        }
        span(.client, "client")
        int(port, "port")
        span(.laddr, "laddr")
        int(lport, "lport")
        span(.user, "user")
        if invalid { body(name("invalid"), .bytes(name("yes"))) }
        span(.method, "method")
        int(code, "code")
        span(.reason, "reason")
        span(.jail, "jail")
        int(count, "count")
        if let seconds { body(name("seconds"), .string(String(seconds))) }
        int(pid.map { Int($0) }, "pid")
        span(.session, "session")
        span(.what, "what")
        span(.offer, "offer")
        span(.keytype, "keytype")
        span(.fingerprint, "fingerprint")
        int(signal, "signal")
        span(.level, "level")
        span(.phase, "phase")
        if !extra.isEmpty {
            for k in extra.keys.sorted() {
                var key = k
                key.withUTF8 { body(UnsafeRawBufferPointer($0), .string(extra[k]!)) }
            }
        }
    }
}
