#!/bin/sh
# Journal read throughput: sshlog's JournalSource against `journalctl --file F -t sshd -o cat`.
#
#   bench-journal.sh [ENTRIES] [WORKDIR]      (defaults: 500000, /tmp/sshlog-journal-bench)
#
# 1. writes ENTRIES entries in export format (90 % sshd lines of a brute-force run and normal
#    logins with varying users, addresses and ports; the rest CRON and systemd-logind), one host;
# 2. turns them into WORKDIR/journal/bench*.journal with systemd-journal-remote (it starts a new
#    file every ~58 MB, its default MaxFileSize, so 500k entries make four files);
# 3. runs the opt-in JournalBenchTests in a release build, which times, in the same run,
#    journalctl --file for each of those files (best of 3) and JournalSource over the same files
#    (best of 3), and prints entries/s and the ratio.
#
# Exits 77 when systemd-journal-remote is absent.
set -eu
entries=${1:-500000}
work=${2:-/tmp/sshlog-journal-bench}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

remote=${SYSTEMD_JOURNAL_REMOTE:-}
for candidate in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
    if [ -z "$remote" ] && [ -x "$candidate" ]; then remote=$candidate; fi
done
if [ -z "$remote" ]; then
    echo "bench-journal.sh: systemd-journal-remote not found; install the package systemd-journal-remote" >&2
    exit 77
fi

mkdir -p "$work/journal"
journal="$work/journal/bench.journal"
if [ ! -s "$journal" ] || [ "$(cat "$work/entries" 2>/dev/null)" != "$entries" ]; then
    rm -f "$work/journal/"*.journal
    awk -v n="$entries" '
    BEGIN {
        # %.0f, not %d: the %d of mawk stops at 2^31-1.
        t = 1746057600000000; mono = 1000000; pid = 20000
        split("root admin test oracle ubuntu user guest postgres git ftp", users, " ")
        for (i = 0; i < n; i++) {
            t += 1000 + (i * 7919) % 200000; mono += 1000
            ip = sprintf("203.0.%d.%d", (i / 250) % 250, i % 250 + 1)
            port = 30000 + (i * 31) % 30000
            u = users[i % 10 + 1]
            k = i % 20
            id = "sshd"; comm = "sshd"; exe = "/usr/sbin/sshd"; uid = 0
            if (k % 5 == 0) pid++
            if (k < 6)       msg = sprintf("Invalid user %s from %s port %d", u, ip, port)
            else if (k < 10) msg = sprintf("Failed password for invalid user %s from %s port %d ssh2", u, ip, port)
            else if (k < 12) msg = sprintf("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s", ip)
            else if (k < 14) msg = sprintf("Connection closed by invalid user %s %s port %d [preauth]", u, ip, port)
            else if (k == 14) msg = sprintf("Accepted publickey for alice from %s port %d ssh2: ED25519 SHA256:Qk3r8Zs0m1F7yP2d9xW4vT6uL5nH8cJ0aB1eK2gM3iO", ip, port)
            else if (k == 15) msg = sprintf("Received disconnect from %s port %d:11: disconnected by user", ip, port)
            else if (k == 16) msg = sprintf("Disconnected from user alice %s port %d", ip, port)
            else if (k == 17) msg = sprintf("pam_unix(sshd:session): session closed for user alice")
            else if (k == 18) { id = "CRON"; comm = "cron"; exe = "/usr/sbin/cron"; msg = "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)" }
            else { id = "systemd-logind"; comm = "systemd-logind"; exe = "/usr/lib/systemd/systemd-logind"; msg = sprintf("New session %d of user alice.", i) }
            printf "__REALTIME_TIMESTAMP=%.0f\n__MONOTONIC_TIMESTAMP=%.0f\n_BOOT_ID=5b0a1c2d3e4f40718293a4b5c6d7e8f9\n_HOSTNAME=bench1\n", t, mono
            printf "SYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%d\n_PID=%d\n_UID=%d\n_GID=%d\n_COMM=%s\n_EXE=%s\n_TRANSPORT=syslog\n_SYSTEMD_UNIT=ssh.service\nSYSLOG_FACILITY=4\nPRIORITY=6\n", id, pid, pid, uid, uid, comm, exe
            printf "MESSAGE=%s\n\n", msg
        }
    }' | "$remote" --output="$journal" - 2>/dev/null
    echo "$entries" > "$work/entries"
fi
ls -l "$work/journal"
cd "$repo"
SSHLOG_JOURNAL_BENCH="$work/journal" swift test -c release --filter JournalBenchTests 2>&1 | grep -E "journal-bench|error|skipped" || true
