#!/usr/bin/env bash
# Checks `sshlog explain` against the truth of a lab run.
#
# usage: Lab/check.sh OUTDIR SSHLOG_BINARY
#
# OUTDIR holds a lab run (lab-out/ from Lab/run-lab.sh, or samples/): truth.jsonl,
# run.json, auth.log (and, in samples/, its rotated parts auth.log.1, auth.log.2.gz),
# auth-rfc3339.log, fail2ban.log and maybe auth.journal. For each log flavour (traditional,
# RFC 3339, and the journal file when sshlog has --journal-file) the checker runs
#   SSHLOG_BINARY explain --format json --since <lab start> --until <lab end> LOGS... fail2ban.log
# and requires, for every truth line, a client in the JSON's `clients` array whose
# `address` is the truth's client and whose `causes` hold the truth's cause id.
# Prints one table per flavour and exits non-zero on any miss.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 OUTDIR SSHLOG_BINARY" >&2
    exit 2
fi
out=$1
sshlog=$2
for f in truth.jsonl run.json auth.log auth-rfc3339.log fail2ban.log; do
    [[ -f $out/$f ]] || { echo "check: $out/$f is missing; run Lab/run-lab.sh $out first" >&2; exit 2; }
done
[[ -x $sshlog ]] || { echo "check: $sshlog is not an executable; build it with 'swift build --product sshlog'" >&2; exit 2; }

# The lab's traditional timestamps are UTC without a zone: read them as UTC.
export TZ=UTC

exec python3 -u - "$out" "$sshlog" <<'EOF'
import atexit, datetime, glob, json, os, re, shutil, subprocess, sys, tempfile

out, sshlog = sys.argv[1], sys.argv[2]

def stamp(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))

def rfc3339(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

run = json.load(open(os.path.join(out, "run.json")))
truth = [json.loads(line) for line in open(os.path.join(out, "truth.jsonl")) if line.strip()]
# Traditional timestamps have whole seconds; the lab's last lines come just after its end.
since = rfc3339(stamp(run["start"]) - datetime.timedelta(seconds=5))
until = rfc3339(stamp(run["end"]) + datetime.timedelta(seconds=10))

help_text = subprocess.run([sshlog, "explain", "--help"], capture_output=True, text=True)
if help_text.returncode != 0:
    sys.exit(f"check: '{sshlog} explain --help' failed:\n{help_text.stderr.strip()}")
extra = ["--limit", "1000"] if "--limit" in help_text.stdout else []
no_journal = ["--no-journal"] if "--no-journal" in help_text.stdout else []
# The lab's own sshd_config (LoginGraceTime, ClientAlive, MaxStartups as the lab set them).
lab_config = os.path.join(out, "config", "sshd_config")
if os.path.exists(lab_config) and "--sshd-config" in help_text.stdout:
    extra += ["--sshd-config", lab_config]

def rotation_key(path):
    m = re.search(r"\.(\d+)(\.gz)?$", path)
    return -int(m.group(1)) if m else 0

# Traditional stamps have no year; sshlog takes it from each file's modification time. A
# checkout gives the files today's mtime, so the checker reads copies whose mtime is the
# run's end, as the files had when rsyslog wrote them.
scratch = tempfile.mkdtemp(prefix="sshlog-check.")
atexit.register(shutil.rmtree, scratch, True)
end_epoch = stamp(run["end"]).timestamp() + 2
traditional = []
for path in sorted(glob.glob(os.path.join(out, "auth.log")) + glob.glob(os.path.join(out, "auth.log.*")),
                   key=rotation_key):
    copy = os.path.join(scratch, os.path.basename(path))
    shutil.copyfile(path, copy)
    os.utime(copy, (end_epoch, end_epoch))
    traditional.append(copy)
flavours = [("traditional", no_journal + traditional),
            ("rfc3339", no_journal + [os.path.join(out, "auth-rfc3339.log")])]
journal = os.path.join(out, "auth.journal")
if os.path.exists(journal) and "--journal-file" in help_text.stdout:
    flavours.append(("journal", ["--journal-file", journal]))
else:
    print("note: journal flavour not checked (no auth.journal, or sshlog has no --journal-file)\n")

misses = 0
for name, logs in flavours:
    cmd = [sshlog, "explain", "--format", "json", "--since", since, "--until", until, *extra,
           *logs, os.path.join(out, "fail2ban.log")]
    print(f"== {name}: {' '.join(cmd)}")
    r = subprocess.run(cmd, capture_output=True, text=True)
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError as e:
        print(f"check: no JSON from sshlog (exit {r.returncode}): {e}\n{r.stderr.strip()}")
        misses += len(truth)
        continue
    clients = {c.get("address"): c.get("causes", []) for c in report.get("clients", [])}
    rows = [("scenario", "client", "expected", "got", "")]
    for t in truth:
        got = clients.get(t["client"])
        ok = got is not None and t["cause"] in got
        misses += 0 if ok else 1
        rows.append((t["scenario"], t["client"], t["cause"],
                     "(client absent)" if got is None else ",".join(got) or "(none)", "OK" if ok else "MISS"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if report.get("more_clients"):
        print(f"note: sshlog left out {report['more_clients']} clients")
    print()

if misses:
    sys.exit(f"check: {misses} miss(es) over {len(flavours)} log flavours of {len(truth)} scenarios")
print(f"check: all {len(truth)} scenarios explained with their induced cause, in {len(flavours)} log flavours")
EOF
