#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Strings that every tagged event would otherwise share (pattern ids, source file names, `set`
/// constants), kept once for the process and named by a number.
///
/// Events are made on tagging threads and copied and freed on others. Were they to hold these
/// Strings, every copy would bump the same reference count from several cores at once, which
/// costs more than the tagging itself; holding a number costs nothing. A name is written once,
/// before its number is handed out, and never changes or moves, so reading needs no lock; adding
/// one takes a lock.
enum InternedNames {
    static let chunkBits = 10
    static let chunkSize = 1 << chunkBits
    static let maxChunks = 4096

    /// The number of `s`, adding it when new.
    static func id(_ s: String) -> Int32 {
        let t = internTable
        pthread_mutex_lock(&t.pointee.mutex)
        defer { pthread_mutex_unlock(&t.pointee.mutex) }
        if let k = t.pointee.index[s] { return k }
        let k = t.pointee.count
        let chunk = Int(k) >> chunkBits
        // 4 million distinct names: far beyond patterns and log files; a process that gets
        // there has a bug, not a big log.
        precondition(chunk < maxChunks, "sshlog: more than \(maxChunks * chunkSize) distinct pattern ids and source names")
        if t.pointee.chunks[chunk] == nil {
            t.pointee.chunks[chunk] = UnsafeMutablePointer<String>.allocate(capacity: chunkSize)
        }
        // A copy with storage of its own, so no other holder of `s` shares its reference count.
        (t.pointee.chunks[chunk]! + (Int(k) & (chunkSize - 1))).initialize(to: String(decoding: Array(s.utf8), as: UTF8.self))
        t.pointee.index[s] = k
        t.pointee.count = k + 1
        return k
    }

    /// The name of a number `id` gave.
    @inline(__always)
    static func name(_ id: Int32) -> String {
        internTable.pointee.chunks[Int(id) >> chunkBits]![Int(id) & (chunkSize - 1)]
    }
}

struct InternTable {
    var mutex = pthread_mutex_t()
    var index: [String: Int32] = [:]
    var count: Int32 = 0
    let chunks: UnsafeMutablePointer<UnsafeMutablePointer<String>?>
}

/// The process's table (made on first use; never freed).
let internTable: UnsafeMutablePointer<InternTable> = {
    let chunks = UnsafeMutablePointer<UnsafeMutablePointer<String>?>.allocate(capacity: InternedNames.maxChunks)
    chunks.initialize(repeating: nil, count: InternedNames.maxChunks)
    let t = UnsafeMutablePointer<InternTable>.allocate(capacity: 1)
    t.initialize(to: InternTable(chunks: chunks))
    pthread_mutex_init(&t.pointee.mutex, nil)
    return t
}()
