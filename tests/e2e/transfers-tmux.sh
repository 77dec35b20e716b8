#!/bin/sh
# tests/e2e/transfers-tmux.sh — the transfers screen in a real terminal
# (tmux, private server socket, 100x30) against a real OpenSSH server
# (tests/sftp/sshd.sh): a throttled pull (HMX_TRANSFER_KBPS) runs in the
# worker thread while the screen keeps answering keys — Tab moves the
# focus during the transfer and the screen shows it at once, the progress
# bar and byte count move without a key press, MB/s and ETA show while it
# runs; q asks before cancelling a running job (n keeps it), the job ends
# done with the source's SHA-256; a pull of another process shows as
# running, and once killed (kill -9) as interrupted within a few seconds. Waits are bounded; the tmux server and
# sshd are stopped on every exit path.
. "$(dirname "$0")/../lib.sh"
command -v tmux >/dev/null 2>&1 || { echo "tmux is needed (make deps installs it)"; exit 1; }
. "$(dirname "$0")/../sftp/sshd.sh"

SOCK="hmxtx-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { tmux -L "$SOCK" kill-server >/dev/null 2>&1; stop_sshd; rm -rf "$T"; }

ssh-keygen -q -t ed25519 -N '' -f "$SRV/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C client
cp "$T/client.pub" "$SRV/authorized_keys"
start_sshd "$SRV/host"
R="$T/remote"
mkdir -p "$R" "$T/db"
head -c 4000000 /dev/urandom >"$R/big.bin"
DB="$T/db/hmx.db"
"$HMX" --db "$DB" init >/dev/null || { echo "init failed"; exit 1; }
"$HMX" --db "$DB" site add rdc --host 127.0.0.1 --port "$PORT" --user "$(id -un)" \
	--identity "$T/client" --remote-dir "$R" --role rdc >/dev/null || exit 1
"$HMX" --db "$DB" site test rdc --accept-new-host-key >/dev/null 2>&1 || { echo "site test failed"; exit 1; }

# wait_for PATTERN DESCRIPTION [SECONDS]: PATTERN on the screen within 10 s
wait_for() {
	i=0
	while [ $i -lt $((${3:-10} * 10)) ]; do
		tm capture-pane -p -t T >"$T/screen" 2>/dev/null
		if grep -q -- "$1" "$T/screen"; then ok; return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	bad "$2: '$1' not on screen after ${3:-10} s"
	sed 's/^/  | /' "$T/screen"
	return 1
}
# the job's progress text (bar and bytes) as on screen now
progress() {
	tm capture-pane -p -t T | grep ' pull big.bin ' | sed 's/.*\(\[[#.]*\] *[0-9.]* [KMG]*i*B\).*/\1/'
}

tm new-session -d -s T -x 100 -y 30 \
	"env HMX_TODAY=$HMX_TODAY HMX_NOW=$HMX_NOW HMX_USER=$HMX_USER NO_COLOR=1 LC_ALL=C.UTF-8 \
	HOME='$HOME' HMX_TRANSFER_KBPS=256 '$HMX' --db '$DB' --screen transfers; \
	echo hmx-exit=\$?; sleep 30" || { echo "tmux did not start"; exit 1; }

wait_for "big.bin" "the remote folder listed by the worker" &&
tm send-keys -t T Tab &&
wait_for "> Files of rdc" "Tab: focus on the files" &&
tm send-keys -t T g &&
wait_for "running" "the pull runs" &&
wait_for "MB/s ETA" "rate and ETA shown while running" || true
p1=$(progress)
tm send-keys -t T Tab
wait_for "> Transfers (1)" "a key answered at once during the transfer" 2
moved=0
i=0
while [ $i -lt 100 ]; do
	p2=$(progress)
	if [ -n "$p2" ] && [ "$p2" != "$p1" ]; then moved=1; break; fi
	sleep 0.1
	i=$((i + 1))
done
[ $moved = 1 ] && ok || bad "progress did not move without a key: '$p1'"
tm send-keys -t T q
wait_for "Cancel it and" "q while the job runs asks first"
tm send-keys -t T n
wait_for "Cancelled; nothing changed" "n keeps the screen and the job"
wait_for "done  *[0-9a-f]\{12\}" "the job ends done" 40
# a pull run by another process shows as running; killed, as interrupted
head -c 4000000 /dev/urandom >"$R/two.bin" # 16 s at 256 KiB/s: killed long before
mkdir -p "$T/l2"
(HMX_TRANSFER_KBPS=256 exec "$HMX" --db "$DB" pull rdc two.bin --to "$T/l2" </dev/null \
	>/dev/null 2>&1) &
bg=$!
wait_for "two.bin.*running  *(another" "another process's pull shows as running"
kill -9 "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
wait_for "two.bin.*interrupted  *R resumes it" "killed, it shows as interrupted" 6
"$HMX" --db "$DB" transfers >"$T/l"
expect_grep "interrupted" "$T/l" "hmx transfers agrees"
tm send-keys -t T q
wait_for "Open cycles" "q closes the screen once the job is done"
tm send-keys -t T q
wait_for "hmx-exit=0" "q on the dashboard quits with status 0"

"$HMX" --db "$DB" transfers --format json >"$T/j"
expect_grep '"state":"done"' "$T/j" "the job is done"
expect_grep '"state":"interrupted"' "$T/j" "the killed job is interrupted"
expect_eq "$(sha256sum "$T/db/incoming/big.bin" | cut -d' ' -f1)" \
	"$(sha256sum "$R/big.bin" | cut -d' ' -f1)" "the pulled file equals the source"

finish "e2e transfers tmux"
