/// Bytes that stay where they are until `reset`: a tagging batch's copies of lines and messages,
/// which borrowed events point into (`EventBytes`). Memory comes in chunks that are never moved
/// or grown, so a pointer handed out stays valid while the batch is in flight, whatever is
/// added after it. Touched by one thread at a time (the batch's owner of the moment).
final class ByteArena: @unchecked Sendable {
    private var chunks: [(base: UnsafeMutableRawPointer, size: Int)] = []
    private var current = 0
    private var used = 0
    /// Bytes handed out since the last `reset`.
    private(set) var total = 0

    static let chunkSize = 1 << 19

    init() {
        chunks.append((.allocate(byteCount: Self.chunkSize, alignment: 16), Self.chunkSize))
    }

    deinit { for c in chunks { c.base.deallocate() } }

    /// Room for `n` bytes, valid until `reset`.
    @inline(__always)
    func allocate(_ n: Int) -> UnsafeMutableRawPointer {
        if used + n > chunks[current].size { nextChunk(n) }
        let p = chunks[current].base + used
        used += n
        total += n
        return p
    }

    /// A copy of `n` bytes at `src`, valid until `reset`.
    @inline(__always)
    func copy(_ src: UnsafeRawPointer, _ n: Int) -> UnsafeMutableRawPointer {
        let p = allocate(n)
        if n > 0 { p.copyMemory(from: src, byteCount: n) }
        return p
    }

    /// Moves on to a chunk with room for `n` bytes: the next kept one, or a new one (lines are
    /// cut at 64 KiB by the reader, so a chunk of the usual size nearly always does).
    private func nextChunk(_ n: Int) {
        while current + 1 < chunks.count {
            current += 1
            used = 0
            if chunks[current].size >= n { return }
        }
        let size = max(Self.chunkSize, n)
        chunks.append((.allocate(byteCount: size, alignment: 16), size))
        current = chunks.count - 1
        used = 0
    }

    /// Forgets everything handed out. Chunks beyond the first four are freed (a batch that once
    /// held huge lines does not keep their memory). In debug builds the old bytes are overwritten
    /// first, so that a borrowed event kept past its batch reads as garbage in tests instead of
    /// passing by luck.
    func reset() {
        #if DEBUG
        for k in 0...current { chunks[k].base.initializeMemory(as: UInt8.self, repeating: 0xDB, count: chunks[k].size) }
        #endif
        while chunks.count > 4 { chunks.removeLast().base.deallocate() }
        current = 0
        used = 0
        total = 0
    }
}
