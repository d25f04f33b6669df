#!/usr/bin/env python3
"""Builds a systemd journal file from a lab run's records.jsonl.

usage: Lab/make-journal.py RECORDS.jsonl SCRATCH_DIR OUTPUT.journal

Each record (one syslog message as rsyslog received it from the lab's /dev/log) becomes
one journal entry in export format, with the fields journald gives a message that arrives
on /dev/log (_TRANSPORT=syslog, SYSLOG_IDENTIFIER, SYSLOG_PID, _PID, _COMM, PRIORITY,
SYSLOG_FACILITY, _HOSTNAME, MESSAGE); systemd-journal-remote then writes the journal file.
Boot and machine ids are derived from the run's first timestamp so one run gives one file.

Size: systemd sizes a new journal file's hash tables and preallocation from the free space
of the filesystem it is written to, so SCRATCH_DIR should be a small tmpfs (the lab mounts
16 MB): the file is then 512 KiB, mostly preallocated zeros. The copy at OUTPUT.journal is
cut after its last object (the header's arena size is lowered to match), and
`journalctl --verify` must pass on it; otherwise the untrimmed file is kept.
"""
import datetime, hashlib, json, os, shutil, struct, subprocess, sys

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"


def micros(stamp):
    t = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return int(t.timestamp()) * 1_000_000 + t.microsecond


def field(name, value):
    data = value.encode()
    if b"\n" in data:
        return name.encode() + b"\n" + len(data).to_bytes(8, "little") + data + b"\n"
    return name.encode() + b"=" + data + b"\n"


def trim(path):
    """Cuts a closed journal file after its tail object; returns the new size."""
    with open(path, "r+b") as f:
        header = f.read(256)
        if header[:8] != b"LPKSHHRH":
            sys.exit(f"make-journal: {path} is not a journal file")
        header_size = struct.unpack_from("<Q", header, 88)[0]
        tail = struct.unpack_from("<Q", header, 136)[0]
        f.seek(tail)
        size = struct.unpack_from("<Q", f.read(16), 8)[0]
        used = (tail + size + 7) // 8 * 8
        f.seek(96)
        f.write(struct.pack("<Q", used - header_size))
        f.truncate(used)
        return used


def main():
    if len(sys.argv) != 4 or not sys.argv[3].endswith(".journal"):
        sys.exit("usage: make-journal.py RECORDS.jsonl SCRATCH_DIR OUTPUT.journal")
    scratch = os.path.join(sys.argv[2], "lab.journal")
    records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    if not records:
        sys.exit(f"make-journal: {sys.argv[1]} holds no records")
    first = micros(records[0]["time"])
    seed = hashlib.sha256(str(first).encode()).hexdigest()
    boot_id, machine_id = seed[:32], seed[32:64]
    export = bytearray()
    for n, r in enumerate(records):
        t = micros(r["time"])
        message = r["message"][1:] if r["message"].startswith(" ") else r["message"]
        entry = [
            ("__CURSOR", f"lab;{n}"),
            ("__REALTIME_TIMESTAMP", str(t)),
            ("__MONOTONIC_TIMESTAMP", str(t - first + 1_000_000)),
            ("_BOOT_ID", boot_id),
            ("_MACHINE_ID", machine_id),
            ("_HOSTNAME", r["host"]),
            ("_TRANSPORT", "syslog"),
            ("PRIORITY", str(r["severity"])),
            ("SYSLOG_FACILITY", str(r["facility"])),
            ("SYSLOG_IDENTIFIER", r["program"]),
            ("SYSLOG_PID", str(r["pid"])),
            ("_PID", str(r["pid"])),
            ("_COMM", r["program"]),
            ("MESSAGE", message),
        ]
        for name, value in entry:
            export += field(name, value)
        export += b"\n"
    if os.path.exists(scratch):
        os.remove(scratch)
    subprocess.run([JOURNAL_REMOTE, "--compress=no", f"--output={scratch}", "-"],
                   input=bytes(export), check=True, timeout=60)
    out = sys.argv[3]
    shutil.copyfile(scratch, out)
    trim(out)
    check = subprocess.run(["journalctl", "--verify", "--file", out], capture_output=True, timeout=60)
    if check.returncode != 0:
        print(f"make-journal: the trimmed file failed 'journalctl --verify'; keeping it whole", file=sys.stderr)
        shutil.copyfile(scratch, out)
    os.chmod(out, 0o644)


main()
