#!/bin/sh
# tests/e2e/tmux.sh — the built binary driven as a person would, inside a
# real terminal (tmux, private server socket, 100x30): the dashboard shows
# the open cycle, Enter opens its checklist, d + a note + Enter marks the
# first step done, a change made meanwhile by another process (the CLI)
# appears without a key press, a window shrunk below 80x24 shows the
# notice and comes back when enlarged, q twice quits. Then the batch CLI (--format json)
# must show the step done with its note. Waits are bounded; the tmux
# server is killed on every exit path.
. "$(dirname "$0")/../lib.sh"
command -v tmux >/dev/null 2>&1 || { echo "tmux is needed (make deps installs it)"; exit 1; }

DB="$T/hmx.db"
CYCLE=rdc-upload-2027Q1
"$HMX" --db "$DB" init >/dev/null || { echo "init failed"; exit 1; }
"$HMX" --db "$DB" cycle new rdc-upload 2027Q1 >/dev/null || { echo "cycle new failed"; exit 1; }

SOCK="hmxtest-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for PATTERN DESCRIPTION: up to 10 s for PATTERN on the screen
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tm capture-pane -p -t T >"$T/screen" 2>/dev/null
		if grep -q -- "$1" "$T/screen"; then ok; return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	bad "$2: '$1' not on screen after 10 s"
	sed 's/^/  | /' "$T/screen"
	return 1
}

# the environment of lib.sh (fixed day, clock, user, NO_COLOR), a UTF-8
# locale; TERM is tmux's own
tm new-session -d -s T -x 100 -y 30 \
	"env HMX_TODAY=$HMX_TODAY HMX_NOW=$HMX_NOW HMX_USER=$HMX_USER NO_COLOR=1 LC_ALL=C.UTF-8 \
	'$HMX' --db '$DB'; echo hmx-exit=\$?; sleep 30" || { echo "tmux did not start"; exit 1; }

wait_for "Open cycles: 1" "dashboard" &&
wait_for "Quarterly RDC upload *2027Q1" "cycle on the dashboard" &&
wait_for "OVERDUE 51 days" "overdue word on the dashboard" &&
tm send-keys -t T Enter &&
wait_for "Checklist: $CYCLE" "checklist opened by Enter" &&
wait_for "dq-reports: Run data-quality reports" "next step selected" &&
tm send-keys -t T d &&
wait_for "Done dq-reports, note (optional):" "note prompt" &&
tm send-keys -t T -l "sent by tmux é" &&
wait_for "note (optional): sent by tmux é" "typed note echoed" &&
tm send-keys -t T Enter &&
wait_for "dq-reports: todo → done (note saved)" "step marked done" &&
wait_for "1 of 6 closed" "progress counted" &&
"$HMX" --db "$DB" step set "$CYCLE" reporting-group done --note "from another process" \
	>/dev/null &&
wait_for "2 of 6 closed" "change by another process shown without a key" &&
tm resize-window -t T -x 70 -y 20 &&
wait_for "Terminal too small: 70x20" "too-small notice" &&
tm resize-window -t T -x 100 -y 30 &&
wait_for "2 of 6 closed" "screen back after the resize" &&
tm send-keys -t T q &&
wait_for "Open cycles: 1" "q goes back to the dashboard" &&
tm send-keys -t T q &&
wait_for "hmx-exit=0" "q on the dashboard quits with status 0"

J="$T/steps.json"
"$HMX" --db "$DB" step list "$CYCLE" --format json >"$J"
expect_grep '"code":"dq-reports"[^}]*"state":"done"' "$J" "CLI sees dq-reports done"
expect_grep '"code":"dq-reports"[^}]*"note":"sent by tmux é"' "$J" "CLI sees the note"
expect_grep '"code":"build-export"[^}]*"state":"todo"' "$J" "other steps untouched"

finish "e2e tmux"
