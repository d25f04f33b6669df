#!/usr/bin/env bash
# Produces bruteforce-success.log: real sshd (Debian 12, OpenSSH 9.2p1) lines of a password
# brute force that finally succeeds, plus a key-less legitimate login, as rsyslog writes them.
#
# Isolation: sshd and a private rsyslogd run inside `unshare --mount` with their own /dev (a
# tmpfs whose /dev/log is this script's socket); sshd listens on 127.0.0.1:2431 with its own
# config and host key. A throwaway user is created with a known password and removed afterwards.
# Needs root, openssh-server, rsyslog, sshpass. Usage: make-bruteforce-success.sh [OUT]
set -euo pipefail
OUT=${1:-$(dirname "$0")/bruteforce-success.log}
PORT=2431
USER_NAME=sshlogbf
GOOD='Tr0ub4dor-and-3'
W=$(mktemp -d /tmp/sshlog-report-fixture.XXXXXX)
cleanup() { for _ in 1 2 3 4 5; do id "$USER_NAME" >/dev/null 2>&1 || break; userdel -f -r "$USER_NAME" 2>/dev/null || sleep 1; done; rm -rf "$W"; }
trap cleanup EXIT

useradd -m -s /bin/sh "$USER_NAME"
echo "$USER_NAME:$GOOD" | chpasswd
mkdir -p "$W/sock" "$W/rs"
ssh-keygen -q -t ed25519 -N '' -f "$W/host_ed25519"
cat > "$W/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $W/host_ed25519
PidFile $W/sshd.pid
LogLevel VERBOSE
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
MaxAuthTries 3
CONF
cat > "$W/rsyslog.conf" <<CONF
global(workDirectory="$W/rs")
module(load="imuxsock" SysSock.Name="$W/sock/log" SysSock.UsePIDFromSystem="on")
auth,authpriv.* action(type="omfile" file="$W/auth.log" template="RSYSLOG_TraditionalFileFormat")
CONF

unshare --mount --propagation private bash -s "$W" "$PORT" "$USER_NAME" "$GOOD" <<'INNER'
set -euo pipefail
W=$1 PORT=$2 U=$3 GOOD=$4
mount -t tmpfs tmpfs /dev
mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9; mknod -m 666 /dev/tty c 5 0
ln -s "$W/sock/log" /dev/log
mkdir /dev/pts; mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts; ln -s pts/ptmx /dev/ptmx
rsyslogd -n -f "$W/rsyslog.conf" -i "$W/rsyslog.pid" & RS=$!
SSHD=
trap 'kill $SSHD $RS 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -S "$W/sock/log" ] && break; sleep 0.1; done
/usr/sbin/sshd -D -f "$W/sshd_config" & SSHD=$!
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
OPTS=(-p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no
      -o PreferredAuthentications=password -o NumberOfPasswordPrompts=3 -o LogLevel=ERROR)
# Twelve connections of three wrong passwords each (36 failures), then the right one.
for i in $(seq 12); do
    sshpass -p "guess-$i" ssh "${OPTS[@]}" "$U@127.0.0.1" true || true
done
sshpass -p "$GOOD" ssh "${OPTS[@]}" "$U@127.0.0.1" 'id -un'
sleep 1
kill "$SSHD"; wait "$SSHD" || true
sleep 1
kill "$RS"; wait "$RS" || true
trap - EXIT
INNER
cp "$W/auth.log" "$OUT"
echo "wrote $OUT ($(wc -l < "$OUT") lines)"
