#!/bin/sh
# tests/crash/run.sh — kill -9 the CLI at random moments during a loop of
# step updates, 50 times, and check after each kill that the database passes
# PRAGMA integrity_check and that every step's state agrees with its last
# audit row and its history. The random seed is printed for replay
# (CRASH_SEED=N to replay, CRASH_ROUNDS=N to change the count).
. "$(dirname "$0")/../lib.sh"
DB="$T/hmx.db"
SEED=${CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
ROUNDS=${CRASH_ROUNDS:-50}
echo "crash test: seed $SEED, $ROUNDS rounds"
"$HMX" --db "$DB" demo --seed-only >/dev/null || { echo "FAIL: demo seed"; exit 1; }
C=rdc-upload-2027Q2

# a writer that never stops on its own: cycles steps through states. It runs
# as its own session (setsid), so one kill reaches the loop and its hmx.
cat >"$T/writer.sh" <<EOW
i=0
while :; do
	for st in dq-reports reporting-group; do
		case \$((i % 3)) in
		0) "$HMX" --db "$DB" step set $C \$st in-progress --note "round \$i" ;;
		1) "$HMX" --db "$DB" step set $C \$st done --note "round \$i" ;;
		2) "$HMX" --db "$DB" step undo $C \$st ;;
		esac
	done >/dev/null 2>&1
	i=\$((i + 1))
done
EOW

check() {
	ic=$(sqlite3 -cmd ".timeout 5000" "$DB" "PRAGMA integrity_check")
	expect_eq "$ic" ok "round $1: integrity_check"
	# a step's state is the after-state of its last audit row (todo if none)
	disagree=$(sqlite3 -cmd ".timeout 5000" "$DB" "
		SELECT count(*) FROM step s JOIN cycle c ON c.id = s.cycle_id
		WHERE s.state != coalesce((
			SELECT CASE WHEN instr(a.after, ':') > 0 THEN substr(a.after, 1, instr(a.after, ':') - 1)
			       ELSE a.after END
			FROM audit a WHERE a.object = c.code || '/' || s.code
			AND a.action IN ('step.set', 'step.undo') ORDER BY a.id DESC LIMIT 1), 'todo')")
	expect_eq "$disagree" 0 "round $1: steps agree with audit"
	# one history row per step audit row
	h=$(sqlite3 "$DB" "SELECT count(*) FROM step_change")
	a=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action IN ('step.set','step.undo')")
	expect_eq "$h" "$a" "round $1: history rows equal audit rows"
}

r=1
rand=$SEED
while [ $r -le "$ROUNDS" ]; do
	setsid sh "$T/writer.sh" &
	wpid=$!
	# deterministic pseudo-random delay 0-200 ms from the seed (LCG)
	rand=$(( (rand * 1103515245 + 12345) % 2147483648 ))
	ms=$(( rand % 201 ))
	sleep "$(printf '0.%03d' "$ms")"
	# kill the writer's whole process group: the loop and the hmx it is
	# running, mid-transaction if we are lucky
	kill -9 "-$wpid" 2>/dev/null || kill -9 "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	check $r
	r=$((r + 1))
done
changes=$(sqlite3 "$DB" "SELECT count(*) FROM step_change")
echo "crash test: $changes step changes survived $ROUNDS kills"
[ "$changes" -gt 0 ] && ok || bad "the writer never wrote anything"
finish crash
