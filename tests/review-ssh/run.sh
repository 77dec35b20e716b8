#!/bin/sh
# tests/review-ssh/run.sh — the authorized_keys line of `hmx reviewer add`
# against a real OpenSSH sshd on 127.0.0.1 (tests/sftp/sshd.sh): the
# reviewer's key logs in, but whatever command is asked for, sshd runs
# hmx's forced command instead (no shell: a command asked for never runs);
# remote port forwarding is refused (restrict); a key whose line `hmx
# reviewer remove` dropped no longer logs in; a stranger's key never did.
# The database path holds a space and a quote, so the shell quoting of
# the line is exercised by the real shell sshd starts.
# The review screen itself (`hmx review --as NAME`) comes with the review
# screens; then this suite also drives it through `ssh -tt` in tmux.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/w s/o'q"
DB="$T/w s/o'q/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
. "$(dirname "$0")/../sftp/sshd.sh"

ssh-keygen -q -t ed25519 -N '' -f "$SRV/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T/alice" -C alice
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger" -C stranger
AK="$SRV/authorized_keys"
expect_rc 0 "init" H init
H project agency-add HAC "Housing Assistance" >/dev/null
H project add p1 --name "Project 1" --agency HAC --source hmis --hud-id 1 >/dev/null
expect_rc 0 "reviewer add alice" H reviewer add alice --key "$T/alice.pub" --projects p1 \
	--authorized-keys "$AK"
start_sshd "$SRV/host"

S() { # KEY CMD...: one batch ssh login, bounded in time
	_k=$1; shift
	timeout 20 ssh -p "$PORT" -i "$_k" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile="$T/known_hosts" \
		-o ConnectTimeout=10 -F /dev/null "$(id -un)@127.0.0.1" "$@"
}

# the forced command runs, never the one asked for
S "$T/alice" "echo pwned; touch '$T/pwned'" >"$T/out" 2>"$T/err"
rc=$?
if grep -q pwned "$T/out" || [ -e "$T/pwned" ]; then bad "a command other than hmx ran"; else ok; fi
expect_grep "^hmx: " "$T/err" "hmx answered the login"
[ "$rc" -ne 255 ] && ok || bad "alice could not log in (ssh exit 255): $(cat "$T/err")"
grep -q "Accepted publickey" "$SRV/log" && ok || bad "sshd did not accept alice's key"

# no shell even when asking for one without a command
S "$T/alice" </dev/null >"$T/out" 2>"$T/err"
if grep -q '\$ \|# ' "$T/out"; then bad "a shell prompt appeared"; else ok; fi

# remote port forwarding refused by restrict
S "$T/alice" -N -o ExitOnForwardFailure=yes -R 0:127.0.0.1:9 >"$T/out" 2>"$T/err"
rc=$?
expect_eq "$rc" 255 "remote forwarding: ssh exits with an error"
expect_grep "forwarding failed" "$T/err" "remote forwarding refused"

# a stranger's key is not accepted
S "$T/stranger" true >"$T/out" 2>"$T/err"
expect_eq "$?" 255 "stranger refused"

# removed: the key no longer logs in
expect_rc 0 "reviewer remove alice" H reviewer remove alice --authorized-keys "$AK"
S "$T/alice" true >"$T/out" 2>"$T/err"
expect_eq "$?" 255 "alice refused after removal"
stop_sshd
finish review-ssh
