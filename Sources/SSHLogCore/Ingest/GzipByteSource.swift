#if canImport(Glibc)
import Glibc
#endif
import CZlib

/// Inflates a gzip (or zlib) file with zlib's streaming `inflate`, member after member.
///
/// Multi-member files (`cat a.gz b.gz`) are read whole. When the data is truncated or corrupt the
/// stream ends at the damage and `damage` says where (byte offset in the compressed file) and why,
/// so the caller still gets every line before it.
///
/// Wraps: `inflateInit2` (through `sshlog_inflate_init` in CZlib's shim.h), `inflate`,
/// `inflateReset`, `inflateEnd`.
public final class GzipByteSource: ByteSource {
    let input: FileByteSource
    var stream = z_stream()
    var inBuf: UnsafeMutableRawBufferPointer
    var inputEOF = false
    var finished = false
    var initialized = false
    /// At the start of a member (after a Z_STREAM_END): used to tell trailing garbage from damage.
    var atMemberBoundary = false
    var producedInMember = 0
    public private(set) var damage: SSHLogError?
    public var path: String { input.path }

    public init(path: String) throws {
        input = try FileByteSource(path: path)
        inBuf = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        let rc = sshlog_inflate_init(&stream)
        guard rc == Z_OK else {
            inBuf.deallocate()
            input.close()
            throw SSHLogError(.ioError, path, "zlib could not start (inflateInit2 returned \(rc))")
        }
        initialized = true
    }

    deinit {
        close()
        inBuf.deallocate()
    }

    /// Byte offset in the compressed file of the next unconsumed input byte.
    var compressedOffset: Int64 { input.offset - Int64(stream.avail_in) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished { return 0 }
        let out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        stream.next_out = out
        stream.avail_out = UInt32(buffer.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEOF {
                let n = try input.read(into: inBuf)
                if n == 0 {
                    inputEOF = true
                } else {
                    stream.next_in = inBuf.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    stream.avail_in = UInt32(n)
                }
            }
            if stream.avail_in == 0 && inputEOF {
                if !atMemberBoundary {
                    damage = SSHLogError(.truncatedGzip, "\(path): byte \(input.offset)",
                                         "gzip data ends early (truncated file); every line before this point was read",
                                         hint: "check it with 'gzip -t \(path)'; a file still being written or copied is often cut short")
                }
                finished = true
                break
            }
            let before = stream.avail_out
            let rc = inflate(&stream, Z_NO_FLUSH)
            if stream.avail_out != before {
                producedInMember += Int(before - stream.avail_out)
                atMemberBoundary = false
            }
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                if rc == Z_BUF_ERROR && stream.avail_in == 0 && inputEOF { continue }
                continue
            case Z_STREAM_END:
                atMemberBoundary = true
                producedInMember = 0
                inflateReset(&stream)
                continue
            default:
                // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR: bytes that are not gzip.
                let why = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                if atMemberBoundary {
                    // Junk after a complete member (e.g. zero padding): gzip itself only warns.
                    damage = SSHLogError(.corruptGzip, "\(path): byte \(compressedOffset)",
                                         "trailing data after the last gzip member ignored (zlib: \(why))",
                                         hint: "'gzip -t \(path)' shows the same; the log content before it is complete")
                } else {
                    damage = SSHLogError(.corruptGzip, "\(path): byte \(compressedOffset)",
                                         "corrupt gzip data (zlib: \(why)); every line before this point was read",
                                         hint: "check it with 'gzip -t \(path)'; 'zcat \(path) > recovered.log' keeps what is readable")
                }
                finished = true
            }
            if finished { break }
        }
        return buffer.count - Int(stream.avail_out)
    }

    public func close() {
        if initialized {
            inflateEnd(&stream)
            initialized = false
            input.close()
        }
    }
}
