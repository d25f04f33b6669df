#if canImport(Glibc)
import Glibc
#endif

/// Runs another byte source on a second thread, a few blocks ahead of the reader.
///
/// Used for gzip: zlib's inflate is the slow half of reading a `.gz`, and line splitting and
/// header parsing the other; with the decompressor on its own core the two overlap, so a
/// rotated `.gz` costs about what inflating it costs. Blocks are filled by the producer thread
/// and copied out by `read(into:)`; at most `depth` blocks are in flight, so memory stays bounded.
public final class PrefetchByteSource: ByteSource {
    let inner: ByteSource
    let blockSize: Int
    let depth: Int
    var blocks: [UnsafeMutableRawBufferPointer]
    var lengths: [Int]
    let filled = CountingSemaphore(0)
    let free: CountingSemaphore
    var readIndex = 0
    var readOffset = 0
    var haveBlock = false
    var finished = false
    // Written by the producer before it signals the final (empty) block.
    var producerError: Error?
    var stop = false
    var thread: pthread_t?

    public var damage: SSHLogError? { finished ? inner.damage : nil }

    public init(_ inner: ByteSource, blockSize: Int = 1 << 20, depth: Int = 4) {
        self.inner = inner
        self.blockSize = blockSize
        self.depth = depth
        blocks = (0..<depth).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64) }
        lengths = Array(repeating: 0, count: depth)
        free = CountingSemaphore(depth)
        let box = Unmanaged.passRetained(self)
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let me = Unmanaged<PrefetchByteSource>.fromOpaque(arg!).takeRetainedValue()
            me.produce()
            return nil
        }, box.toOpaque())
        if rc == 0 { thread = t } else { box.release(); produceInline = true }
    }

    /// When no thread could be started, reads happen on the caller's thread.
    var produceInline = false

    deinit {
        for b in blocks { b.deallocate() }
    }

    func produce() {
        var i = 0
        while true {
            free.wait()
            if stop { lengths[i] = 0; filled.signal(); return }
            var n = 0
            do {
                n = try inner.read(into: blocks[i])
            } catch {
                producerError = error
                n = 0
            }
            lengths[i] = n
            filled.signal()
            if n == 0 { return }
            i = (i + 1) % depth
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if produceInline { return try inner.read(into: buffer) }
        if finished { return 0 }
        if !haveBlock {
            filled.wait()
            haveBlock = true
            readOffset = 0
            if lengths[readIndex] == 0 {
                finished = true
                if let e = producerError { throw e }
                return 0
            }
        }
        let avail = lengths[readIndex] - readOffset
        let n = min(avail, buffer.count)
        memcpy(buffer.baseAddress!, blocks[readIndex].baseAddress! + readOffset, n)
        readOffset += n
        if readOffset == lengths[readIndex] {
            haveBlock = false
            readIndex = (readIndex + 1) % depth
            free.signal()
        }
        return n
    }

    public func close() {
        if let t = thread {
            thread = nil
            // Let the producer finish its current block and see `stop`; drain what it filled.
            stop = true
            if !finished {
                if haveBlock {
                    haveBlock = false
                    readIndex = (readIndex + 1) % depth
                    free.signal()
                }
                while true {
                    filled.wait()
                    if lengths[readIndex] == 0 { break }
                    readIndex = (readIndex + 1) % depth
                    free.signal()
                }
                finished = true
            }
            pthread_join(t, nil)
        }
        inner.close()
    }
}

/// A counting semaphore on a pthread mutex and condition (libdispatch's refuses to be freed
/// while its count is below its start value, which a stream closed early leaves it at).
final class CountingSemaphore: @unchecked Sendable {
    var value: Int
    var mutex = pthread_mutex_t()
    var cond = pthread_cond_t()

    init(_ v: Int) {
        value = v
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }

    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    func wait() {
        pthread_mutex_lock(&mutex)
        while value == 0 { pthread_cond_wait(&cond, &mutex) }
        value -= 1
        pthread_mutex_unlock(&mutex)
    }

    func signal() {
        pthread_mutex_lock(&mutex)
        value += 1
        pthread_cond_signal(&cond)
        pthread_mutex_unlock(&mutex)
    }
}
