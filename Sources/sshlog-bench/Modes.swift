#if canImport(Glibc)
import Glibc
#endif
import SSHLogCore

/// The measured operations. Each returns (records or lines, bytes read from disk where relevant).
enum Modes {
    static let all = ["baseline", "ingest", "gzip-ingest", "zcat-wc", "since-1h", "match", "search", "tag", "tag-threaded", "tag-2x-programs", "tag-2x-same", "events-text", "events-jsonl", "explain", "explain-1h", "correlate"]

    /// The built-in library with every pattern twice: under copies of its program names
    /// (`sameProgram` false: tests dispatch), or in the same program group with a different first
    /// word (`sameProgram` true: the radix tree itself holds twice the templates).
    static func doubledLibrary(sameProgram: Bool) -> PatternLibrary {
        // The library's source files, read from patterns/ (run the bench from the repository root).
        var files: [(name: String, text: String)] = []
        if let dir = opendir("patterns") {
            while let e = readdir(dir) {
                let n = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard n.hasSuffix(".patterns"), let f = fopen("patterns/" + n, "r") else { continue }
                var text = ""
                var buf = [CChar](repeating: 0, count: 65536)
                while fgets(&buf, Int32(buf.count), f) != nil { text += String(cString: buf) }
                fclose(f)
                files.append((n, text))
            }
            closedir(dir)
        }
        if files.isEmpty { Bench.fail("patterns/ not found: run sshlog-bench from the repository root") }
        for (name, text) in files {
            var out: [String] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                var l = String(line)
                let trimmed = l.drop { $0 == " " }
                let indent = String(l.prefix(l.count - trimmed.count))
                if trimmed.hasPrefix("pattern ") { l += ".dup" }
                else if trimmed.hasPrefix("define ") {
                    // keep defines: copies share them
                } else if !sameProgram && trimmed.hasPrefix("programs ") {
                    l = "programs " + trimmed.dropFirst(9).split(separator: " ").map { $0 + "-copy" }.joined(separator: " ")
                } else if sameProgram {
                    for key in ["template ", "fallback ", "example "] where trimmed.hasPrefix(key) {
                        var body = Substring(trimmed.dropFirst(key.count))
                        // Examples carry prefixes the front end strips (error:, a kernel uptime,
                        // a fail2ban level word): the new first word goes after them.
                        var head = ""
                        if key == "example " {
                            for p in ["error: ", "fatal: "] where body.hasPrefix(p) {
                                head = p; body = body.dropFirst(p.count); break
                            }
                            let word = body.prefix { $0.isUppercase }
                            if ["INFO", "NOTICE", "WARNING", "ERROR", "DEBUG", "CRITICAL"].contains(String(word)), body.dropFirst(word.count).first == " " {
                                let rest = body.dropFirst(word.count).drop { $0 == " " }
                                head = String(body[..<rest.startIndex])
                                body = rest
                            }
                            if body.hasPrefix("["), let close = body.firstIndex(of: "]"),
                               body[body.index(after: body.startIndex)..<close].allSatisfy({ $0 == " " || $0 == "." || $0.isNumber }) {
                                let after = body.index(after: close)
                                head = String(body[..<after]) + " "
                                body = body[after...].drop { $0 == " " }
                            }
                        }
                        l = indent + key + head + "Zz " + body
                    }
                }
                out.append(l)
            }
            files.append((name + ".dup", out.joined(separator: "\n")))
        }
        do { return try PatternLibrary.compile(files) } catch { Bench.fail("doubled library: \(error)") }
    }

    /// Set by a mode whose setup is not part of what it measures (the clock starts there).
    nonisolated(unsafe) static var measuredFrom: Double?

    /// CPU time of this thread (less disturbed than wall time on a shared machine).
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

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
            // The generated week ends near, not at, the clock: count back from its last line.
            req.now = Discovery.arguments([file], diagnostics: d).sets.first?.last?.lastTime
            let run = try! IngestRun.plan(req, diagnostics: d)
            var n = 0
            var bytes: Int64 = 0
            let src = run.makeSource()
            while src.next() { n += 1 }
            if let c = src as? ConcatSource { bytes = c.bytesFromDisk }
            return (n, bytes)
        case "match":
            // The matcher alone: no TaggedEvent, no Strings beyond the match's fields.
            let lib = PatternLibrary.builtin()
            let src = try! FileRecordSource(file: try! InputFile.inspect(file), diagnostics: d)
            var n = 0
            while src.next() {
                let r = src.record
                if lib.match(program: r.program, message: r.message) != nil { n += 1 }
            }
            return (n, 0)
        case "search":
            // The front end and the radix tree only: no fields, no event (what --unmatched pays).
            let lib = PatternLibrary.builtin()
            let src = try! FileRecordSource(file: try! InputFile.inspect(file), diagnostics: d)
            var n = 0
            while src.next() {
                let r = src.record
                if lib.matches(program: r.program, message: r.message) { n += 1 }
            }
            return (n, 0)
        case "explain", "explain-1h":
            // Full pipeline over the whole file (or its last hour): tag, correlate, explain, render JSON.
            var req = InputRequest()
            req.paths = [file]
            if mode == "explain-1h" {
                req.since = "1h"
                req.now = Discovery.arguments([file], diagnostics: d).sets.first?.last?.lastTime
            }
            let run = try! IngestRun.plan(req, diagnostics: d)
            let result = ExplainRun.correlate(run, library: PatternLibrary.builtin(), options: Correlator.Options())
            let report = Explainer(window: run.windowDescription, inputs: run.inputsDescription, client: nil, user: nil, limit: 20).report(result)
            let json = JSONRenderer.render(report)
            KeptUntilExit.keep(result)  // as `sshlog explain` does
            return (report.summary.connections, Int64(json.utf8.count))
        case "correlate":
            // Correlate, explain and render JSON only: the file is tagged into memory first (not
            // timed; peak RSS includes the tagged events).
            var req = InputRequest()
            req.paths = [file]
            let run = try! IngestRun.plan(req, diagnostics: d)
            var events: [TaggedEvent] = []
            events.reserveCapacity(1 << 16)
            run.forEachTagged(PatternLibrary.builtin()) { events.append($0.owned()) }
            measuredFrom = Bench.now()
            let cpu0 = cpuSeconds()
            let correlator = Correlator(options: Correlator.Options())
            for e in events { correlator.add(e) }
            let result = correlator.finish()
            let t1 = Bench.now(), cpu1 = cpuSeconds()
            let report = Explainer(window: run.windowDescription, inputs: run.inputsDescription, client: nil, user: nil, limit: 20)
                .report(result)
            let t2 = Bench.now()
            let json = JSONRenderer.render(report)
            fputs("correlate \(t1 - measuredFrom!) s (cpu \(cpu1 - cpu0) s), explain \(t2 - t1) s, render \(Bench.now() - t2) s\n", stderr)
            return (report.summary.connections, Int64(json.utf8.count))
        case "tag-threaded":
            // What explain's correlator is fed: the tagging pipeline (a reader thread, tagging
            // workers) handing over batches of events; the consumer here only counts them.
            var req = InputRequest()
            req.paths = [file]
            let run = try! IngestRun.plan(req, diagnostics: d)
            var tagged = 0
            run.forEachTagged(PatternLibrary.builtin()) { e in tagged += 1; if e.pid == -42 { print("") } }
            return (tagged, 0)
        case "tag", "tag-2x-programs", "tag-2x-same":
            let lib = mode == "tag" ? PatternLibrary.builtin() : doubledLibrary(sameProgram: mode == "tag-2x-same")
            // Timed from here: the doubled library is compiled from text, the built-in one read
            // from its image; what is compared is tagging.
            measuredFrom = Bench.now()
            let src = try! FileRecordSource(file: try! InputFile.inspect(file), diagnostics: d)
            var tagged = 0
            let tagger = Tagger(lib)
            // As the tagging thread does: events appended to a batch, the batch emptied now and then.
            var events: [TaggedEvent] = []
            events.reserveCapacity(2048)
            while src.next() {
                if tagger.tag(src.record, into: &events, location: { src.location() }) {
                    tagged += 1
                    if events.count == 2048 { if events[0].pid == -42 { print("") }; events.removeAll(keepingCapacity: true) }
                }
            }
            return (tagged, 0)
        case "events-text", "events-jsonl":
            // The events command's loop: records read and tagged by the tagging pipeline, printed
            // through the real EventsPrinter/OutputWriter, to /dev/null.
            var req = InputRequest()
            req.paths = [file]
            let run = try! IngestRun.plan(req, diagnostics: d)
            let json = mode == "events-jsonl"
            let fd = open("/dev/null", O_WRONLY)
            let out = OutputWriter(fd: fd)
            let printer = EventsPrinter(format: json ? .jsonl : .text, out: out)
                var n = 0
            run.forEachRecordLent(tagging: PatternLibrary.builtin(), locations: json, accepts: { _ in true }) { rec, location, tag in
                printer.print(rec, place: location, lent: tag)
                n += 1
            }
            out.flush()
            close(fd)
            return (n, 0)
        default:
            Bench.fail("unknown mode \(mode); modes: \(all.joined(separator: ", "))")
        }
    }
}
