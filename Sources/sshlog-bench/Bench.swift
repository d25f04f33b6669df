#if canImport(Glibc)
import Glibc
#endif
import SSHLogCore

/// sshlog's benchmark: ingest, tagging and explain over a generated week of auth.log, each as a
/// ratio to a memchr line count over the same bytes measured in the same run (the machine is
/// shared and noisy, so absolute figures mean little; ratios travel). Every measurement runs in
/// its own process (so peak RSS is per mode) and is repeated; the best of the repeats is kept.
///
///     sshlog-bench [--sizes 100M,1G] [--dir DIR] [--repeat 3] [--modes a,b,...]
///     sshlog-bench --run MODE FILE     (one measurement; prints "seconds records bytes maxrss_kib")
@main
struct Bench {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--run", args.count >= 3 {
            runOne(mode: args[1], file: args[2], extra: Array(args.dropFirst(3)))
            return
        }
        var sizes = ["100M", "1G"]
        var dir = ".build/bench-data"
        var repeats = 3
        var modes = Modes.all
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--sizes": i += 1; sizes = args[i].split(separator: ",").map(String.init)
            case "--dir": i += 1; dir = args[i]
            case "--repeat": i += 1; repeats = Int(args[i]) ?? 3
            case "--modes": i += 1; modes = args[i].split(separator: ",").map(String.init)
            default: fail("unknown argument \(args[i]); see the comment at the top of Bench.swift")
            }
            i += 1
        }
        mkdir(dir, 0o755)
        for size in sizes { benchSize(size, dir: dir, repeats: repeats, modes: modes) }
    }

    static func fail(_ s: String) -> Never {
        fputs("sshlog-bench: \(s)\n", stderr)
        exit(2)
    }

    static func parseSize(_ s: String) -> Int64 {
        var n = s.uppercased()
        var mult: Int64 = 1
        if n.hasSuffix("G") { mult = 1 << 30; n.removeLast() } else if n.hasSuffix("M") { mult = 1 << 20; n.removeLast() }
        guard let v = Int64(n) else { fail("bad size \(s)") }
        return v * mult
    }

    static func benchSize(_ size: String, dir: String, repeats: Int, modes: [String]) {
        let bytes = parseSize(size)
        let path = "\(dir)/auth-\(size).log"
        var st = stat()
        if stat(path, &st) != 0 || Int64(st.st_size) < bytes {
            print("generating \(path) (\(size)) …")
            var w = Workload()
            let end = Int64(time(nil)) * 1_000_000
            let lines = w.generate(path: path, bytes: bytes, end: end)
            print("  \(lines) lines")
            _ = system("gzip -kf \(path)")
        }
        stat(path, &st)
        let fileBytes = Double(st.st_size)
        print("\n== \(path): \(Int(fileBytes) >> 20) MiB, gzip \(gzSize(path + ".gz") >> 20) MiB")
        print(pad("mode", 22) + pad("best s", 10) + pad("MB/s", 9) + pad("Mlines/s", 10) + pad("× baseline", 12) + pad("peak RSS", 10) + "read")
        var baseline = 0.0
        for mode in modes {
            var best: Measurement?
            for _ in 0..<repeats {
                guard let m = measure(mode: mode, file: path) else { break }
                if best == nil || m.seconds < best!.seconds { best = m }
            }
            guard let b = best else { print(pad(mode, 22) + "(failed)"); continue }
            if mode == "baseline" { baseline = b.seconds }
            let mbs = fileBytes / 1e6 / b.seconds
            let ratio = baseline > 0 ? b.seconds / baseline : 0
            print(pad(mode, 22) + pad(fmt(b.seconds, 3), 10) + pad(fmt(mbs, 0), 9)
                  + pad(fmt(Double(b.records) / 1e6 / b.seconds, 1), 10) + pad(fmt(ratio, 2) + "×", 12)
                  + pad("\(b.maxrssKiB >> 10) MiB", 10) + (b.bytes > 0 ? "\(b.bytes >> 10) KiB" : ""))
        }
    }

    struct Measurement { var seconds: Double; var records: Int; var bytes: Int64; var maxrssKiB: Int }

    /// Runs one mode in a child process and parses its line.
    static func measure(mode: String, file: String) -> Measurement? {
        let me = CommandLine.arguments[0]
        let cmd: String
        if mode == "zcat-wc" {
            // The shell pipeline the issue compares gzip ingest with (two processes, two cores).
            cmd = "bash -c 'TIMEFORMAT=%R; { time zcat \(file).gz | wc -l >/dev/null; } 2>&1'"
            guard let out = capture(cmd), let s = Double(out.trimmingCharacters()) else { return nil }
            return Measurement(seconds: s, records: 0, bytes: 0, maxrssKiB: 0)
        }
        cmd = "\(me) --run \(mode) \(file)"
        guard let out = capture(cmd) else { return nil }
        let f = out.split(separator: " ")
        guard f.count >= 4, let s = Double(f[0]), let r = Int(f[1]), let b = Int64(f[2]), let m = Int(String(f[3]).trimmingCharacters()) else {
            fputs("sshlog-bench: \(mode): unexpected output: \(out)\n", stderr)
            return nil
        }
        return Measurement(seconds: s, records: r, bytes: b, maxrssKiB: m)
    }

    static func capture(_ cmd: String) -> String? {
        guard let p = popen(cmd, "r") else { return nil }
        var out = ""
        var buf = [CChar](repeating: 0, count: 4096)
        while fgets(&buf, Int32(buf.count), p) != nil { out += String(cString: buf) }
        return pclose(p) == 0 ? out : nil
    }

    static func gzSize(_ p: String) -> Int {
        var st = stat()
        return stat(p, &st) == 0 ? Int(st.st_size) : 0
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func maxRSSKiB() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return u.ru_maxrss
    }

    static func runOne(mode: String, file: String, extra: [String]) {
        let t0 = now()
        let (records, bytes) = Modes.run(mode, file: file)
        let t1 = now()
        print("\(t1 - (Modes.measuredFrom ?? t0)) \(records) \(bytes) \(maxRSSKiB())")
    }

    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    static func fmt(_ v: Double, _ d: Int) -> String {
        var p = 1.0
        for _ in 0..<d { p *= 10 }
        let r = (v * p).rounded() / p
        return d == 0 ? String(Int(r)) : String(r)
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.last, c == "\n" || c == " " { s = s.dropLast() }
        return String(s)
    }
}
