#!/bin/sh
# Builds real journal files from the export-format inputs beside this script, with
# systemd-journal-remote (package systemd-journal-remote).
#
#   make-journal.sh OUTDIR
#
# writes
#   OUTDIR/web1.journal                  one host (web1.export)
#   OUTDIR/collection/remote-web1.journal
#   OUTDIR/collection/remote-db1.journal a journal-remote collection of two hosts
#
# Exits 77 (the "skipped" code of automake and meson) when systemd-journal-remote is absent.
# Set SYSTEMD_JOURNAL_REMOTE to use another binary.
set -eu

out=${1:?usage: make-journal.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)

remote=${SYSTEMD_JOURNAL_REMOTE:-}
if [ -z "$remote" ]; then
    for candidate in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
        if [ -x "$candidate" ]; then remote=$candidate; break; fi
    done
fi
if [ -z "$remote" ] || [ ! -x "$remote" ]; then
    echo "make-journal.sh: systemd-journal-remote not found; install the package systemd-journal-remote" >&2
    exit 77
fi

mkdir -p "$out/collection"
rm -f "$out/web1.journal" "$out/collection/"*.journal

# journal-remote reads export format on stdin ("-") and writes one journal file per --output.
# It reports "Finishing after writing N entries" on stderr; keep that out of test logs.
"$remote" --output="$out/web1.journal" - < "$here/web1.export" 2>/dev/null
for host in web1 db1; do
    "$remote" --output="$out/collection/remote-$host.journal" - < "$here/$host.export" 2>/dev/null
done
