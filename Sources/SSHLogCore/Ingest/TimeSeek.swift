#if canImport(Glibc)
import Glibc
#endif

/// Finds where a time window starts in a large plain log file without reading it all.
///
/// Bisection over byte offsets: at each probe, read a small block, skip to the next line start
/// and parse the first stamps found there. Logs are appended in time order (give or take a few
/// seconds), so the first line at or after `since` lies after the last probe that saw an earlier
/// stamp. The result is a little early on purpose (one probe block), and the reader drops lines
/// before `since`, so slightly unordered lines are not lost.
///
/// - Complexity: O(log(size / 64 KiB)) reads of 8 KiB.
public enum TimeSeek {
    public static func offset(path: String, size: Int64, since: Int64, parser: HeaderParser) -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return 0 }
        defer { close(fd) }
        let blockSize = 8192
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buf.deallocate() }

        /// The first parseable stamp of a whole line starting after `at`; nil if none in the block.
        func stamp(at: Int64) -> Int64? {
            let n = pread(fd, buf.baseAddress, blockSize, off_t(at))
            guard n > 0 else { return nil }
            let bytes = UnsafeRawBufferPointer(start: buf.baseAddress, count: n)
            var p = 0
            if at > 0 {
                guard let nl = memchr(buf.baseAddress!, 0x0A, n) else { return nil }
                p = buf.baseAddress!.distance(to: nl) + 1
            }
            while p < n {
                guard let nl = memchr(buf.baseAddress! + p, 0x0A, n - p) else { return nil }
                let e = buf.baseAddress!.distance(to: nl)
                if let r = parser.parse(UnsafeRawBufferPointer(rebasing: bytes[p..<e]), lineNumber: 0) { return r.time }
                p = e + 1
            }
            return nil
        }

        var lo: Int64 = 0
        var hi: Int64 = size
        while hi - lo > 64 * 1024 {
            let mid = lo + (hi - lo) / 2
            if let t = stamp(at: mid) {
                if t < since { lo = mid } else { hi = mid }
            } else {
                // No stamp here (a huge line or binary junk): do not guess, stop narrowing.
                break
            }
        }
        return lo
    }

    /// Counts `\n` in the first `upTo` bytes of a file (for line numbers after a seek). A large
    /// prefix is counted in two halves at once, the second on a thread of its own: `explain
    /// --since 1h` on a large file spends most of its time here (a week's 1 GB: about 0.15 s
    /// alone, half that in two halves).
    public static func countLines(path: String, upTo: Int64) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return 0 }
        defer { close(fd) }
        guard upTo >= 16 << 20, ThreadUse.allowed else { return count(fd, from: 0, to: upTo) }
        let half = upTo / 2
        final class Half {
            let fd: Int32, from: Int64, to: Int64
            var lines = 0
            init(_ fd: Int32, _ from: Int64, _ to: Int64) { self.fd = fd; self.from = from; self.to = to }
        }
        let second = Half(fd, half, upTo)
        let box = Unmanaged.passRetained(second)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { arg in
            let h = Unmanaged<Half>.fromOpaque(arg!).takeRetainedValue()
            h.lines = TimeSeek.count(h.fd, from: h.from, to: h.to)
            return nil
        }, box.toOpaque()) == 0
        if !started {
            box.release()
            return count(fd, from: 0, to: upTo)
        }
        let first = count(fd, from: 0, to: half)
        pthread_join(thread, nil)
        return first + second.lines
    }

    /// `\n` in bytes `from..<to` of an open file, read with pread (no shared file position).
    static func count(_ fd: Int32, from: Int64, to: Int64) -> Int {
        let size = 1 << 20
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buf.deallocate() }
        var at = from
        var count = 0
        while at < to {
            let n = pread(fd, buf.baseAddress, Int(min(Int64(size), to - at)), off_t(at))
            if n <= 0 { break }
            count += LineCount.count(UnsafeRawBufferPointer(start: buf.baseAddress, count: n))
            at += Int64(n)
        }
        return count
    }
}

/// The memchr line count: the benchmark's baseline, and line numbering after a seek.
public enum LineCount {
    @inline(__always)
    public static func count(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard var p = bytes.baseAddress else { return 0 }
        let end = p + bytes.count
        var c = 0
        while p < end, let nl = memchr(p, 0x0A, p.distance(to: end)) {
            c += 1
            p = UnsafeRawPointer(nl) + 1
        }
        return c
    }
}
