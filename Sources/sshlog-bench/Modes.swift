#if canImport(Glibc)
import Glibc
#endif
import SSHLogCore

/// The measured operations. Each returns (records or lines, bytes read from disk where relevant).
enum Modes {
    static let all = ["baseline", "ingest", "gzip-ingest", "zcat-wc", "since-1h"]

    static func run(_ mode: String, file: String) -> (Int, Int64) {
        let d = Diagnostics(echo: false)
        switch mode {
        case "baseline":
            // read(2) in 1 MiB blocks + memchr for '\n': the floor any line-oriented reader pays.
            let fd = open(file, O_RDONLY)
            let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
            var lines = 0
            while true {
                let n = read(fd, buf.baseAddress, buf.count)
                if n <= 0 { break }
                lines += LineCount.count(UnsafeRawBufferPointer(start: buf.baseAddress, count: n))
            }
            close(fd)
            return (lines, 0)
        case "ingest", "gzip-ingest":
            let path = mode == "ingest" ? file : file + ".gz"
            let src = try! FileRecordSource(file: try! InputFile.inspect(path), diagnostics: d)
            var n = 0
            var check: Int64 = 0
            while src.next() { n += 1; check &+= src.record.time &+ Int64(src.record.messageRange.count) }
            if check == 42 { print("") }
            return (n, src.bytesFromDisk)
        case "since-1h":
            var req = InputRequest()
            req.paths = [file]
            req.since = "1h"
            let run = try! IngestRun.plan(req, diagnostics: d)
            var n = 0
            var bytes: Int64 = 0
            let src = run.makeSource()
            while src.next() { n += 1 }
            if let c = src as? ConcatSource { bytes = c.bytesFromDisk }
            return (n, bytes)
        default:
            Bench.fail("unknown mode \(mode); modes: \(all.joined(separator: ", "))")
        }
    }
}
