/// A short list of connections whose first three are held inside the owning object (a client's
/// open connections, its latest few finished ones): a client has one or two of each at a time,
/// and a list in an array of its own cost a cache miss on its buffer per connection opened and
/// finished (5,040 clients on the bench file are more than the cache holds). Further
/// connections go to an array. Order is kept as an array's would be.
struct ConnectionSlots: RandomAccessCollection, MutableCollection {
    private var inline = InlineArray<3, Connection?>(repeating: nil)
    private var more: [Connection] = []
    private(set) var count = 0

    static let inlineCount = 3

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    @inline(__always)
    subscript(i: Int) -> Connection {
        get {
            precondition(i >= 0 && i < count, "ConnectionSlots index out of range")
            return i < Self.inlineCount ? inline[i]! : more[i - Self.inlineCount]
        }
        set {
            precondition(i >= 0 && i < count, "ConnectionSlots index out of range")
            if i < Self.inlineCount { inline[i] = newValue } else { more[i - Self.inlineCount] = newValue }
        }
    }

    mutating func append(_ c: Connection) {
        if count < Self.inlineCount { inline[count] = c } else { more.append(c) }
        count += 1
    }

    /// Removes and returns the last connection (the list must not be empty).
    mutating func removeLast() -> Connection {
        precondition(count > 0, "removeLast on empty ConnectionSlots")
        count -= 1
        if count < Self.inlineCount {
            let c = inline[count]!
            inline[count] = nil
            return c
        }
        return more.removeLast()
    }
}
