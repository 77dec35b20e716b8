#!/bin/sh
# tests/review-ssh/run.sh — the authorized_keys line of `hmx reviewer add`
# against a real OpenSSH sshd on 127.0.0.1 (tests/sftp/sshd.sh): the
# reviewer's key logs in, but whatever command is asked for, sshd runs
# hmx's forced command instead (no shell: a command asked for never runs);
# remote port forwarding is refused (restrict); a key whose line `hmx
# reviewer remove` dropped no longer logs in; a stranger's key never did.
# The database path holds a space and a quote, so the shell quoting of
# the line is exercised by the real shell sshd starts.
# Then the review screen itself through `ssh -tt` inside tmux (bounded
# waits): alice sees only her project's findings (p3, not p8's), approves
# a fix with a key press and the decision lands in the database under
# her name; a fix proposed meanwhile by the admin (another process)
# appears without a key press; a decision someone else made while her
# prompt was open is refused with a message, nothing overwritten; asking
# for `/bin/sh -c id` with a terminal still gets the review screen; a verb
# asked for on the login's command line never runs; local port
# forwarding is refused too; q ends the session, and a dropped connection
# ends the screen.
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
H project agency-add CHA "Another agency" >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do
	a=HAC; [ "$i" -gt 5 ] && a=CHA
	H project add "p$i" --name "Project $i" --agency $a --source hmis --hud-id "$i" >/dev/null
done
expect_rc 0 "reviewer add alice" H reviewer add alice --key "$T/alice.pub" --projects p3 \
	--authorized-keys "$AK"
ssh-keygen -q -t ed25519 -N '' -f "$T/bob" -C bob
expect_rc 0 "reviewer add bob" H reviewer add bob --key "$T/bob.pub" --projects p8 \
	--authorized-keys "$AK"

# a review: the demo-site export of hmxgen, one client's enrollments moved
# to p3 (alice's) so findings of two partners' projects are open
C=import-2027B2
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
"$HMXGEN" --assets "$ASSETS" --out "$T/demo" --clients 60 --projects 10 --seed 1 \
	--defects K01:2,Q01:2,D01:3,S10:2 --count 2 --quiet || bad "hmxgen"
sed -i 's/^"\([0-9]*\)","15","8",/"\1","15","3",/' "$T/demo/Enrollment.csv"
H cycle new import 2027B2 >/dev/null
expect_rc 1 "intake the demo-site export" H intake "$C" "$T/demo" --source demo
item() { H findings "$C" | awk -v c="$1" -v k="$2" '$3 == c && $6 == k { print $1 }'; }
state() { H finding show "$1" | awk '$1 == "state:" { sub(/,$/, "", $2); print $2 }'; }
q01=$(item Q01 EnrollmentID=20); q23=$(item Q23 EnrollmentID=20); k01=$(item K01 EventID=2)
[ -n "$q01" ] && [ -n "$q23" ] && [ -n "$k01" ] && ok || bad "item ids: '$q01' '$q23' '$k01'"
expect_rc 0 "propose a fix on alice's Q01" H finding propose "$q01" --text "partner merges them"
expect_rc 0 "propose a fix on bob's K01" H finding propose "$k01" --text "vendor drops the row"
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

# ---- the review screen through ssh -tt in tmux -------------------------------------
if command -v tmux >/dev/null 2>&1; then
	SOCK="hmxrev-$$"
	tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
	trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; cleanup' EXIT
	# wait_for PATTERN WHAT: up to 15 s for PATTERN in the pane
	wait_for() {
		_n=0
		while [ $_n -lt 150 ]; do
			tm capture-pane -p -t T >"$T/screen" 2>/dev/null
			if grep -q -- "$1" "$T/screen"; then ok; return 0; fi
			sleep 0.1
			_n=$((_n + 1))
		done
		bad "$2: '$1' not on screen after 15 s"
		sed 's/^/  | /' "$T/screen"
		return 1
	}
	# the ssh client as a person runs it, in a terminal: rev.sh KEY [CMD]
	# (CMD is what it asks the server to run)
	{
		echo "ssh -tt -p $PORT -i \"\$1\" -o IdentitiesOnly=yes -o BatchMode=yes \\"
		echo "	-o StrictHostKeyChecking=no -o UserKnownHostsFile='$T/known_hosts' \\"
		echo "	-o ConnectTimeout=10 -F /dev/null $(id -un)@127.0.0.1 \$2"
		echo "echo ssh-exit=\$?"
		echo "sleep 30"
	} >"$T/rev.sh"
	tm new-session -d -s T -x 100 -y 30 "sh '$T/rev.sh' '$T/alice'" || bad "tmux did not start"
	wait_for "Review — alice" "the review screen over ssh" &&
	wait_for "1 waiting on you" "alice's waiting fix" &&
	wait_for "partner merges them" "the proposed fix shown"
	if grep -q "EventID" "$T/screen"; then bad "alice sees bob's project (p8)"; else ok; fi
	tm send-keys -t T a &&
	wait_for "Approve the fix of finding $q01" "approve prompt" &&
	tm send-keys -t T -l "fine by us" &&
	tm send-keys -t T Enter &&
	wait_for "Finding $q01: approved by alice" "approved on screen"
	expect_eq "$(state "$q01")" approved "the decision is in the database"
	H finding show "$q01" >"$T/out"
	expect_grep "alice .*reviewer approve  fix-proposed -> approved: fine by us" "$T/out" \
		"decision recorded under alice's name with her comment"
	# another process proposes a fix: shown without a key press
	expect_rc 0 "admin proposes a fix on Q23" H finding propose "$q23" --text "add the exit date"
	wait_for "1 waiting on you" "a change by another process shown without a key" &&
	wait_for "add the exit date" "the new fix shown"
	# a decision made meanwhile: alice's reject is refused, nothing overwritten
	tm send-keys -t T r &&
	wait_for "Reject the fix of finding $q23" "reject prompt" &&
	tm send-keys -t T -l "wrong exit date"
	expect_rc 0 "admin waives Q23 meanwhile" H finding waive "$q23" --text "known, fixed in HMIS"
	tm send-keys -t T Enter &&
	wait_for "Finding $q23 was not changed" "conflict: says the finding was not changed"
	expect_eq "$(state "$q23")" waived "conflict: the admin's waive kept"
	expect_eq "$(state "$k01")" fix-proposed "bob's finding untouched"
	tm send-keys -t T q &&
	wait_for "ssh-exit=0" "q ends the session"
	tm kill-session -t T >/dev/null 2>&1
	# asking for a shell command with a terminal still gets the review screen
	tm new-session -d -s T -x 100 -y 30 "sh '$T/rev.sh' '$T/alice' '/bin/sh -c id'" ||
		bad "tmux did not start"
	wait_for "Review — alice" "/bin/sh -c id: still the review screen"
	if grep -q "uid=" "$T/screen"; then bad "/bin/sh -c id ran"; else ok; fi
	# the connection dropped (the client killed): the review screen ends too
	pgrep -f -- "hmx.db review --as alice" >/dev/null && ok ||
		bad "the review screen's process not found while it runs"
	tm kill-server >/dev/null 2>&1
	_n=0
	while pgrep -f -- "hmx.db review --as alice" >/dev/null && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	if pgrep -f -- "hmx.db review --as alice" >/dev/null; then
		bad "the review screen outlived its dropped connection"
	else
		ok
	fi
else
	bad "tmux missing (make deps): the review screen over ssh is not tested"
fi

# a decision asked for on the command line of the login never runs
S "$T/alice" "'$HMX' --db '$DB' finding approve $k01 --as bob" >"$T/out" 2>"$T/err"
expect_eq "$(state "$k01")" fix-proposed "a verb asked for over ssh does not run"

# local port forwarding refused as well: nothing comes through the tunnel
LPORT=$((PORT + 1))
S "$T/alice" -N -L "$LPORT:127.0.0.1:$PORT" >"$T/fwd.out" 2>"$T/fwd.err" &
fwd=$!
sleep 2
got=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$LPORT && head -c 7 <&3" 2>/dev/null)
kill "$fwd" 2>/dev/null
wait "$fwd" 2>/dev/null
case "$got" in
SSH-2.0*) bad "local forwarding reached sshd through the tunnel" ;;
*) ok ;;
esac

# removed: the key no longer logs in
expect_rc 0 "reviewer remove alice" H reviewer remove alice --authorized-keys "$AK"
S "$T/alice" true >"$T/out" 2>"$T/err"
expect_eq "$?" 255 "alice refused after removal"
stop_sshd
finish review-ssh
