#!/usr/bin/env bash
# The sshlog scenario lab: Debian's OpenSSH sshd, rsyslog and fail2ban in private
# namespaces, real clients causing every drop on purpose, the logs kept as evidence.
#
# usage: Lab/run-lab.sh [OUTDIR]        run the lab as root (default OUTDIR: lab-out/)
#        Lab/run-lab.sh --can-run       exit 0 if this machine can run it, else say why
#
# Isolation: everything runs under `unshare --mount --net --uts --pid`. The lab has its
# own loopback (so its nftables ban rules never touch the host's firewall), its own
# /dev (whose /dev/log is the lab's rsyslog socket), /run, /var/log (utmp, wtmp and
# lastlog land there) and bind-mounted copies of /etc/passwd, /etc/shadow, /etc/group
# holding the test users. Nothing on the host is changed; the temporary directory is
# removed at the end unless LAB_KEEP=1.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$LAB_DIR")
PORT=${LAB_PORT:-2222}
LAB_LOGLEVEL=${LAB_LOGLEVEL:-VERBOSE}
LAB_TIMEOUT=${LAB_TIMEOUT:-300}
NEEDED_COMMANDS=(/usr/sbin/sshd ssh ssh-keygen plink rsyslogd fail2ban-client nft nc ss ip unshare openssl python3 timeout setsid)

say() { printf 'lab: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Prints why the lab cannot run here, or nothing.
why_not_runnable() {
    if [[ $(id -u) -ne 0 ]]; then echo "needs root (namespaces, sshd, nftables)"; return; fi
    local c missing=()
    for c in "${NEEDED_COMMANDS[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
    if [[ ${#missing[@]} -gt 0 ]]; then echo "missing ${missing[*]} (Lab/deps.sh installs them)"; return; fi
    if [[ ! -d /etc/fail2ban/filter.d || ! -f /etc/pam.d/sshd ]]; then
        echo "missing /etc/fail2ban/filter.d or /etc/pam.d/sshd (Lab/deps.sh installs them)"; return
    fi
    if ! getent passwd sshd >/dev/null; then echo "missing the sshd privilege-separation user"; return; fi
    if ! timeout 10 unshare --net --mount --uts --pid --fork true 2>/dev/null; then
        echo "cannot create namespaces here (unshare --net --mount --uts --pid failed)"; return
    fi
    if ! timeout 10 unshare --net nft add table inet sshlog_probe 2>/dev/null; then
        echo "nftables does not work in a network namespace here (fail2ban's ban and the reset scenario need it)"; return
    fi
}

# ---------------------------------------------------------------- outer part (host)

run_outer() {
    local out=${1:-$REPO_DIR/lab-out} reason work rc=0
    reason=$(why_not_runnable)
    [[ -z $reason ]] || die "cannot run: $reason"
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    rm -f "$out"/{auth.log,auth-rfc3339.log,fail2ban.log,truth.jsonl,records.jsonl,auth.journal,run.json}
    work=$(mktemp -d /tmp/sshlog-lab.XXXXXX)
    chmod 755 "$work"
    say "work directory $work, output $out, time limit ${LAB_TIMEOUT}s"
    # --kill-child: if unshare dies, the lab's PID 1 gets SIGTERM and stops its processes;
    # when PID 1 exits the kernel ends whatever is left in the PID namespace.
    timeout --kill-after=15 "$LAB_TIMEOUT" \
        unshare --mount --net --uts --pid --fork --mount-proc --propagation private --kill-child=SIGTERM \
        "$LAB_DIR/run-lab.sh" --inside "$work" "$out" &
    local lab_pid=$!
    # Stopping the runner stops the lab: timeout passes SIGTERM on to unshare, whose death
    # sends SIGTERM to the lab's PID 1, which stops its processes by PID.
    trap 'say "stopping the lab"; kill -TERM "$lab_pid" 2>/dev/null || true' TERM INT
    wait "$lab_pid" || rc=$?
    while kill -0 "$lab_pid" 2>/dev/null; do
        rc=0
        wait "$lab_pid" || rc=$?
    done
    trap - TERM INT
    if [[ ${LAB_KEEP:-0} == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
    [[ $rc -eq 0 ]] || die "lab run failed (exit $rc)"
    say "done: $(wc -l <"$out/truth.jsonl") scenarios in $out/truth.jsonl"
}

# ---------------------------------------------------------------- inner part (namespaces)

PIDS=()          # every long-running process the lab started, stopped by PID at the end
WORK=""
OUT=""

track() { PIDS+=("$1"); }

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? pid
    trap - EXIT TERM INT
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
    # Session children sshd left behind (e.g. a remote `sleep`) live only in this PID
    # namespace; stop them by PID too.
    for pid in $(ps -e -o pid= 2>/dev/null); do
        if [[ $pid -ne $$ && $pid -ne $BASHPID ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    exit "$rc"
}

now() { date -u +%Y-%m-%dT%H:%M:%S.%6NZ; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll every 0.1 s, fail after SECONDS.
wait_for() {
    local secs=$1 what=$2 i
    shift 2
    for ((i = 0; i < secs * 10; i++)); do "$@" && return 0; sleep 0.1; done
    say "timed out after ${secs}s waiting for $what"
    return 1
}

log_has() { grep -qF -- "$1" "$WORK/auth.log" 2>/dev/null; }
f2b_has() { grep -qF -- "$1" "$WORK/fail2ban.log" 2>/dev/null; }

# True when no sshd process holds a connection from ADDR any more. Sockets the kernel
# still winds down (TIME-WAIT, or LAST-ACK while a ban drops the client's ACKs) have
# no owner and do not count.
server_closed() {
    ! ss -Htnp state connected "( sport = :$PORT and dst $1 )" | grep -q 'users:('
}

# truth SCENARIO CLIENT CAUSE START END NOTE: one line of truth.jsonl.
truth() {
    python3 -c 'import json,sys; print(json.dumps(dict(zip(["scenario","client","cause","start","end","note"], sys.argv[1:]))))' \
        "$@" >>"$WORK/truth.jsonl"
    say "scenario $1 ($2): $3"
}

fill() { sed -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$PORT|g" -e "s|@LOGLEVEL@|$LAB_LOGLEVEL|g" "$LAB_DIR/config/$1"; }

setup_namespace() {
    hostname labhost
    ip link set lo up
    # plink cannot bind a source address: connections to 127.0.0.2 leave from 127.0.0.25.
    ip route add local 127.0.0.2/32 dev lo src 127.0.0.25 table local

    mkdir -p "$WORK"/{hostdev,sock,rsyslog,etc,home,fail2ban}
    mount --bind /dev "$WORK/hostdev"
    mount -t tmpfs -o mode=755 labdev /dev
    local n
    for n in null zero full random urandom tty ptmx; do
        touch "/dev/$n"
        mount --bind "$WORK/hostdev/$n" "/dev/$n"
    done
    mkdir /dev/pts /dev/shm
    mount --bind "$WORK/hostdev/pts" /dev/pts
    mount -t tmpfs -o mode=1777 labshm /dev/shm
    ln -s /proc/self/fd /dev/fd
    ln -s /proc/self/fd/0 /dev/stdin
    ln -s /proc/self/fd/1 /dev/stdout
    ln -s /proc/self/fd/2 /dev/stderr
    ln -s "$WORK/sock/log" /dev/log
    mount -t tmpfs -o mode=755 labrun /run
    mkdir -m 755 /run/sshd
    mount -t tmpfs -o mode=755 labvarlog /var/log
    install -m 664 -g utmp /dev/null /var/log/wtmp
    install -m 664 -g utmp /dev/null /var/log/lastlog
    install -m 664 -g utmp /dev/null /run/utmp
    install -m 600 /dev/null /var/log/btmp

    # Test users, in copies of the account files seen only inside the lab.
    cp /etc/passwd /etc/group /etc/shadow "$WORK/etc/"
    add_user labuser 64010 "$LAB_PASSWORD"
    add_user denied 64011 "$LAB_PASSWORD"
    mount --bind "$WORK/etc/passwd" /etc/passwd
    mount --bind "$WORK/etc/group" /etc/group
    mount --bind "$WORK/etc/shadow" /etc/shadow
    # No system bus in the lab: leave pam_systemd out rather than log its failure.
    grep -v pam_systemd /etc/pam.d/common-session >"$WORK/etc/common-session"
    mount --bind "$WORK/etc/common-session" /etc/pam.d/common-session
}

add_user() {
    local name=$1 uid=$2 password=$3 hash
    hash=$(openssl passwd -6 -salt "lab$uid" "$password")
    printf '%s:x:%d:%d:sshlog lab:%s:/bin/sh\n' "$name" "$uid" "$uid" "$WORK/home/$name" >>"$WORK/etc/passwd"
    printf '%s:x:%d:\n' "$name" "$uid" >>"$WORK/etc/group"
    printf '%s:%s:20000:0:99999:7:::\n' "$name" "$hash" >>"$WORK/etc/shadow"
    mkdir -p "$WORK/home/$name"
    chown "$uid:$uid" "$WORK/home/$name"
}

start_rsyslog() {
    fill rsyslog.conf.in >"$WORK/rsyslog.conf"
    rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" &
    track $!
    wait_for 10 "rsyslog's socket" test -S "$WORK/sock/log"
}

start_sshd() {
    /usr/sbin/sshd -D -f "$WORK/sshd_config" &
    SSHD_PID=$!
    track "$SSHD_PID"
    wait_for 10 "sshd to listen on port $PORT" sshd_listening
}

sshd_listening() { [[ -n $(ss -Hltn "( sport = :$PORT )") ]]; }

start_sshd_first() {
    ssh-keygen -q -t ed25519 -N '' -C labhost -f "$WORK/ssh_host_ed25519_key"
    HOSTKEY_FP=$(ssh-keygen -l -E sha256 -f "$WORK/ssh_host_ed25519_key.pub" | awk '{print $2}')
    fill sshd_config.in >"$WORK/sshd_config"
    /usr/sbin/sshd -t -f "$WORK/sshd_config"
    start_sshd
}

start_fail2ban() {
    cp -r /etc/fail2ban/filter.d /etc/fail2ban/action.d "$WORK/fail2ban/"
    fill fail2ban.conf.in >"$WORK/fail2ban/fail2ban.conf"
    fill jail.conf.in >"$WORK/fail2ban/jail.conf"
    fail2ban-client -c "$WORK/fail2ban" -s "$WORK/fail2ban.sock" -p "$WORK/fail2ban.pid" -x -f start \
        >"$WORK/fail2ban.out" 2>&1 &
    track $!
    wait_for 30 "fail2ban's jail to start" f2b_has "Jail 'sshd' started"
}

write_client_scripts() {
    cat >"$WORK/askpass" <<'EOF'
#!/bin/sh
# SSH_ASKPASS for the lab: waits LAB_ASKPASS_SLEEP seconds, then answers LAB_ANSWER.
sleep "${LAB_ASKPASS_SLEEP:-0}"
printf '%s\n' "$LAB_ANSWER"
EOF
    cat >"$WORK/lab-ssh" <<EOF
#!/bin/sh
# usage: lab-ssh ADDR ANSWER [ssh options and arguments]
# OpenSSH's client from source address ADDR to the lab's sshd, answering password
# prompts with ANSWER through SSH_ASKPASS; no user configuration, no known_hosts.
addr=\$1 answer=\$2
shift 2
export LAB_ANSWER="\$answer" SSH_ASKPASS="$WORK/askpass" SSH_ASKPASS_REQUIRE=force
exec ssh -F /dev/null -T -p "$PORT" -b "\$addr" \\
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \\
    -o PubkeyAuthentication=no -o ConnectTimeout=5 "\$@" </dev/null
EOF
    chmod 755 "$WORK/askpass" "$WORK/lab-ssh"
}

collect() {
    cp "$WORK/auth.log" "$WORK/auth-rfc3339.log" "$WORK/fail2ban.log" "$WORK/truth.jsonl" "$WORK/records.jsonl" "$OUT/"
    chmod 644 "$OUT/fail2ban.log"
    if [[ -x /lib/systemd/systemd-journal-remote ]]; then
        mkdir -p "$WORK/journal"
        mount -t tmpfs -o size=16M labjournal "$WORK/journal"
        timeout 60 "$LAB_DIR/make-journal.py" "$OUT/records.jsonl" "$WORK/journal" "$OUT/auth.journal"
    else
        say "no systemd-journal-remote: auth.journal not made"
    fi
    mkdir -p "$OUT/config"
    cp "$WORK/sshd_config" "$WORK/rsyslog.conf" "$WORK/fail2ban/fail2ban.conf" "$WORK/fail2ban/jail.conf" "$OUT/config/"
    python3 - "$OUT/run.json" "$LAB_START" "$LAB_END" "$PORT" "$LAB_LOGLEVEL" <<'EOF'
import json, subprocess, sys
out, start, end, port, level = sys.argv[1:]
packages = {}
for p in ["openssh-server", "openssh-client", "putty-tools", "rsyslog", "fail2ban"]:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", p], capture_output=True, text=True)
    packages[p] = r.stdout.strip() or None
with open(out, "w") as f:
    json.dump({"start": start, "end": end, "host": "labhost", "port": int(port), "timezone": "UTC",
               "sshd_loglevel": level, "packages": packages}, f, indent=2)
    f.write("\n")
EOF
}

run_inner() {
    WORK=$1
    OUT=$2
    trap cleanup EXIT
    trap 'exit 143' TERM INT
    export TZ=UTC LC_ALL=C
    LAB_PASSWORD="lab-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    setup_namespace
    write_client_scripts
    : >"$WORK/truth.jsonl"
    start_rsyslog
    start_sshd_first
    start_fail2ban
    sleep 1
    LAB_START=$(now)
    # shellcheck source=scenarios.sh
    source "$LAB_DIR/scenarios.sh"
    run_scenarios
    LAB_END=$(now)
    sleep 1
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
    PIDS=()
    collect
}

case ${1:-} in
    --can-run)
        reason=$(why_not_runnable)
        if [[ -n $reason ]]; then say "cannot run: $reason"; exit 1; fi
        ;;
    --inside) run_inner "$2" "$3" ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) run_outer "$@" ;;
esac
