#!/usr/bin/env bash
# Turns one lab run into the bundled samples.
#
# usage: Lab/make-samples.sh [OUTDIR [SAMPLES_DIR]]     (defaults: lab-out samples)
#
# Copies the run's logs byte for byte, except that the traditional auth.log is split, at
# scenario boundaries, into the rotation set logrotate leaves on Debian (delaycompress):
# auth.log.2.gz (oldest third, gzip -n), auth.log.1, auth.log (current). samples/README.md
# is written by hand and kept.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$LAB_DIR")
out=${1:-$REPO_DIR/lab-out}
samples=${2:-$REPO_DIR/samples}

for f in auth.log auth-rfc3339.log fail2ban.log truth.jsonl run.json; do
    [[ -f $out/$f ]] || { echo "make-samples: $out/$f is missing; run Lab/run-lab.sh first" >&2; exit 1; }
done
mkdir -p "$samples/config"
rm -f "$samples"/auth.log "$samples"/auth.log.[0-9]* "$samples"/auth.journal
cp "$out/auth-rfc3339.log" "$out/fail2ban.log" "$out/truth.jsonl" "$out/run.json" "$samples/"
cp "$out"/config/* "$samples/config/"
[[ ! -f $out/auth.journal ]] || cp "$out/auth.journal" "$samples/"

# Both files hold the same records in the same order; the RFC 3339 one has the precise
# times, so it decides where each part ends: before the first record of the scenario that
# starts a part.
python3 - "$out" "$samples" <<'EOF'
import datetime, json, os, sys

out, samples = sys.argv[1:]
def t(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))

lines = open(os.path.join(out, "auth.log"), "rb").read().splitlines(keepends=True)
precise = open(os.path.join(out, "auth-rfc3339.log"), "rb").read().splitlines(keepends=True)
if len(lines) != len(precise):
    sys.exit(f"make-samples: auth.log has {len(lines)} lines, auth-rfc3339.log {len(precise)}")
times = [t(p.split(b" ", 1)[0].decode()) for p in precise]
truth = [json.loads(l) for l in open(os.path.join(out, "truth.jsonl")) if l.strip()]
starts = [t(x["start"]) for x in truth]
cuts = []
for k in (len(truth) // 3, 2 * len(truth) // 3):
    cuts.append(next(i for i, x in enumerate(times) if x >= starts[k]))
parts = [lines[:cuts[0]], lines[cuts[0]:cuts[1]], lines[cuts[1]:]]
open(os.path.join(samples, "auth.log.2"), "wb").write(b"".join(parts[0]))
open(os.path.join(samples, "auth.log.1"), "wb").write(b"".join(parts[1]))
open(os.path.join(samples, "auth.log"), "wb").write(b"".join(parts[2]))
print(f"make-samples: auth.log split {len(parts[0])}/{len(parts[1])}/{len(parts[2])} lines "
      f"at scenarios {truth[len(truth) // 3]['scenario']} and {truth[2 * len(truth) // 3]['scenario']}")
EOF
gzip -n -9 -f "$samples/auth.log.2"
du -cb "$samples"/* "$samples"/config/* | tail -1 | awk '{print "make-samples: " $1 " bytes in samples/"}'
