# shellcheck shell=bash
# The lab's scenarios, sourced by Lab/run-lab.sh inside its namespaces. Each one uses its
# own client address 127.0.0.N, causes one kind of drop on purpose, waits (bounded) until
# sshd has finished with the client, and writes its truth line.
#
# Uses from run-lab.sh: $WORK/lab-ssh (OpenSSH's client from a given source address,
# answering password prompts through SSH_ASKPASS), PORT, WORK, LAB_PASSWORD, HOSTKEY_FP,
# SSHD_PID, track, stop_pid, wait_for, log_has, f2b_has, server_closed, truth, now,
# start_sshd.

# bg_group COMMAND...: start COMMAND in its own process group (its PID is the group id).
bg_group() {
    setsid "$@" >/dev/null 2>&1 &
    BG_PID=$!
    disown "$BG_PID"    # its end is expected; bash need not report it
    track "$BG_PID"
}

server_has() { ! server_closed "$1"; }

kill_group() { kill "-${2:-TERM}" -- "-$1" 2>/dev/null || true; }

closed_within() {
    wait_for "$2" "sshd to finish with $1" server_closed "$1"
    sleep 0.3
}

scenario_clean_disconnect() {
    local a=127.0.0.10 start
    start=$(now)
    timeout 20 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" labuser@127.0.0.1 'echo hello' >/dev/null
    closed_within "$a" 10
    truth clean-login-logout "$a" clean-disconnect "$start" "$(now)" \
        "password login as labuser, ran 'echo hello', logged out normally"
}

scenario_banned() {
    local a=127.0.0.11 start i
    start=$(now)
    for i in 1 2 3; do
        bg_group timeout 30 "$WORK/lab-ssh" "$a" wrong-password -o NumberOfPasswordPrompts=1 labuser@127.0.0.1 true
        wait_for 15 "failure $i from $a" failures_from "$a" "$i"
        # The third client disconnects as soon as its failure is logged, as scanners do:
        # were it still connected when the ban lands, the ban would cut it off mid-way.
        [[ $i -eq 3 ]] && kill_group "$BG_PID"
        closed_within "$a" 15
    done
    wait_for 20 "fail2ban to ban $a" f2b_has "Ban $a"
    sleep 0.5
    for i in 1 2; do
        # Refused by the nftables rule fail2ban added: these never reach sshd.
        timeout 20 "$WORK/lab-ssh" "$a" wrong-password -o NumberOfPasswordPrompts=1 labuser@127.0.0.1 true \
            >/dev/null 2>&1 && return 1
        sleep 0.5
    done
    truth fail2ban-ban "$a" banned "$start" "$(now)" \
        "one wrong password per connection, three connections, until fail2ban (maxretry 3) banned it; two more attempts were refused by the ban"
}

scenario_maxstartups() {
    local a=127.0.0.12 start i holders=()
    start=$(now)
    for i in 1 2 3; do
        # Connections that send nothing hold the three unauthenticated slots.
        bg_group nc -s "$a" 127.0.0.1 "$PORT"
        holders+=("$BG_PID")
        sleep 0.3
    done
    for i in 1 2; do
        timeout 5 nc -w 3 -s "$a" 127.0.0.1 "$PORT" </dev/null >/dev/null 2>&1 || true
    done
    wait_for 5 "sshd to shed $a" log_has "from [$a]:"
    for i in "${holders[@]}"; do kill_group "$i"; done
    closed_within "$a" 10
    truth maxstartups "$a" maxstartups "$start" "$(now)" \
        "three silent connections held every unauthenticated slot (MaxStartups 3:100:3); two more were dropped"
}

scenario_kex_mismatch() {
    local a=127.0.0.13 start
    start=$(now)
    timeout 20 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" -o KexAlgorithms=diffie-hellman-group1-sha1 \
        labuser@127.0.0.1 true >/dev/null 2>&1 || true
    closed_within "$a" 10
    truth kex-mismatch "$a" kex-mismatch "$start" "$(now)" \
        "client offered only diffie-hellman-group1-sha1, which the server does not accept"
}

scenario_login_grace_timeout() {
    local a=127.0.0.14 start
    start=$(now)
    LAB_ASKPASS_SLEEP=60 bg_group timeout 70 "$WORK/lab-ssh" "$a" x labuser@127.0.0.1 true
    wait_for 15 "sshd to accept a connection from $a" server_has "$a"
    sleep 1
    # sshd ends the connection when LoginGraceTime (20 s) expires. Debian 12's sshd logs
    # nothing then (its CVE-2024-6387 fix took the log call out of the alarm handler).
    closed_within "$a" 30
    kill_group "$BG_PID" KILL
    truth login-grace-timeout "$a" login-grace-timeout "$start" "$(now)" \
        "client sat at the password prompt past LoginGraceTime (20 s); Debian 12's sshd logs nothing at expiry, so the evidence is a connection without an ending line"
}

scenario_idle_timeout() {
    local a=127.0.0.15 start
    start=$(now)
    bg_group timeout 60 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" labuser@127.0.0.1 'sleep 30'
    wait_for 15 "login from $a" log_has "Accepted password for labuser from $a"
    sleep 1
    # A stopped client cannot answer sshd's keepalive requests (ClientAliveInterval 2, CountMax 2).
    kill_group "$BG_PID" STOP
    wait_for 20 "sshd to give up on $a" server_closed "$a"
    kill_group "$BG_PID" CONT
    kill_group "$BG_PID" KILL
    sleep 0.3
    truth idle-timeout "$a" idle-timeout "$start" "$(now)" \
        "logged in, then the client process was frozen (SIGSTOP) until sshd's ClientAlive checks gave up"
}

scenario_banner_failure() {
    local a=127.0.0.16 start
    start=$(now)
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 nc -w 3 -s "$a" 127.0.0.1 "$PORT" >/dev/null 2>&1 || true
    closed_within "$a" 10
    truth non-ssh-banner "$a" banner-failure "$start" "$(now)" \
        "an HTTP request sent to the SSH port"
}

scenario_client_gave_up() {
    local a=127.0.0.17 start
    start=$(now)
    LAB_ASKPASS_SLEEP=30 bg_group timeout 40 "$WORK/lab-ssh" "$a" x labuser@127.0.0.1 true
    sleep 2
    # The user presses Ctrl-C at the password prompt.
    kill_group "$BG_PID" INT
    closed_within "$a" 10
    kill_group "$BG_PID" KILL
    truth client-gave-up "$a" client-gave-up "$start" "$(now)" \
        "client interrupted at the password prompt before sending any password"
}

scenario_user_not_allowed() {
    local a=127.0.0.18 start
    start=$(now)
    timeout 20 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" -o NumberOfPasswordPrompts=1 denied@127.0.0.1 true \
        >/dev/null 2>&1 || true
    closed_within "$a" 10
    truth user-not-allowed "$a" user-not-allowed "$start" "$(now)" \
        "user 'denied' (listed in DenyUsers) with its correct password"
}

scenario_invalid_user() {
    local a=127.0.0.19 start
    start=$(now)
    timeout 20 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" -o NumberOfPasswordPrompts=1 nosuchuser@127.0.0.1 true \
        >/dev/null 2>&1 || true
    closed_within "$a" 10
    truth invalid-user "$a" invalid-user "$start" "$(now)" \
        "user 'nosuchuser' does not exist; one password tried"
}

scenario_auth_failed() {
    local a=127.0.0.20 start
    start=$(now)
    timeout 20 "$WORK/lab-ssh" "$a" wrong-password -o NumberOfPasswordPrompts=2 labuser@127.0.0.1 true \
        >/dev/null 2>&1 || true
    closed_within "$a" 10
    truth auth-failed "$a" auth-failed "$start" "$(now)" \
        "two wrong passwords for labuser, then the client gave up"
}

scenario_too_many_auth_failures() {
    local a=127.0.0.21 start
    start=$(now)
    timeout 20 "$WORK/lab-ssh" "$a" wrong-password -o NumberOfPasswordPrompts=5 labuser@127.0.0.1 true \
        >/dev/null 2>&1 || true
    closed_within "$a" 10
    truth too-many-auth-failures "$a" too-many-auth-failures "$start" "$(now)" \
        "wrong passwords until sshd's MaxAuthTries (3) cut the connection"
}

scenario_client_vanished() {
    local a=127.0.0.22 start
    start=$(now)
    bg_group timeout 60 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" labuser@127.0.0.1 'sleep 20'
    wait_for 15 "login from $a" log_has "Accepted password for labuser from $a"
    sleep 1
    kill_group "$BG_PID" KILL
    closed_within "$a" 10
    truth client-killed "$a" client-vanished "$start" "$(now)" \
        "logged in, then the client process was killed with SIGKILL"
}

scenario_network_reset() {
    local a=127.0.0.23 start
    start=$(now)
    bg_group timeout 60 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" labuser@127.0.0.1 'sleep 20'
    wait_for 15 "login from $a" log_has "Accepted password for labuser from $a"
    sleep 1
    # The next packet sshd sends to the client (a keepalive, within 2 s) is answered
    # with a TCP reset, as a NAT box or firewall that dropped the state would do.
    nft add table inet lab
    nft add chain inet lab input '{ type filter hook input priority 0; }'
    nft add rule inet lab input ip daddr "$a" tcp sport "$PORT" reject with tcp reset
    wait_for 15 "sshd to see the reset from $a" server_closed "$a"
    nft delete table inet lab
    kill_group "$BG_PID" KILL
    sleep 0.3
    truth network-reset "$a" network-reset "$start" "$(now)" \
        "logged in, then a TCP reset was injected towards sshd (nftables reject with tcp reset)"
}

scenario_server_restart() {
    local a=127.0.0.24 start g1 g2 pid
    start=$(now)
    bg_group timeout 60 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" labuser@127.0.0.1 'sleep 30'
    g1=$BG_PID
    bg_group timeout 60 "$WORK/lab-ssh" "$a" "$LAB_PASSWORD" labuser@127.0.0.1 'sleep 30'
    g2=$BG_PID
    wait_for 15 "two logins from $a" two_logins "$a"
    sleep 1
    # What `systemctl stop ssh` does with KillMode=control-group, or a shutdown: SIGTERM
    # to the listener and to every session process. Debian's ssh.service uses
    # KillMode=process, so a plain restart there would leave these sessions alive.
    for pid in $(pgrep -P "$SSHD_PID"); do kill -TERM "$pid"; done
    stop_pid "$SSHD_PID"
    wait_for 10 "sshd to drop $a" server_closed "$a"
    kill_group "$g1" KILL
    kill_group "$g2" KILL
    sleep 1
    start_sshd
    truth server-restart "$a" server-restart "$start" "$(now)" \
        "two sessions open when sshd and its session processes got SIGTERM (stop with KillMode=control-group); a new sshd was started 1 s later"
}

failures_from() { [[ $(grep -cF "Failed password for labuser from $1 " "$WORK/auth.log") -ge $2 ]]; }

two_logins() { [[ $(grep -cF "Accepted password for labuser from $1 " "$WORK/auth.log") -ge 2 ]]; }

scenario_plink() {
    local a=127.0.0.25 start
    start=$(now)
    # plink cannot bind a source address; the lab routes connections to 127.0.0.2 from 127.0.0.25.
    timeout 20 plink -ssh -batch -P "$PORT" -hostkey "$HOSTKEY_FP" -l labuser -pw wrong-password \
        127.0.0.2 true </dev/null >/dev/null 2>&1 || true
    closed_within "$a" 10
    truth plink-wrong-password "$a" auth-failed "$start" "$(now)" \
        "PuTTY plink (-batch) with a wrong password, which gives up after the first failure"
}

LAB_SCENARIOS_ALL=(clean_disconnect banned maxstartups kex_mismatch login_grace_timeout idle_timeout
    banner_failure client_gave_up user_not_allowed invalid_user auth_failed too_many_auth_failures
    client_vanished network_reset plink server_restart)

# LAB_ONLY="banned plink" runs a subset (for working on the lab itself).
run_scenarios() {
    local s
    for s in ${LAB_ONLY:-${LAB_SCENARIOS_ALL[*]}}; do "scenario_$s"; done
}
