#!/bin/sh
# tests/cli/run.sh — the batch command line: verbs, exit codes, JSON, and
# every kind of bad input of the foundation issue (unknown verbs, bad period
# names, unknown cycle or step ids, locked / corrupt / newer database,
# unwritable directory), each with one clear line and nothing half-written.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }

# --- set-up and file modes
expect_rc 2 "step list before init" H cycle list
expect_grep "hmx init" "$T/err" "missing database names the fix"
expect_rc 0 "init" H init
expect_eq "$(stat -c %a "$DB")" 600 "database mode"
expect_eq "$(stat -c %a "$T/ws")" 700 "database directory mode"
expect_rc 0 "init again is harmless" H init
expect_rc 0 "version" "$HMX" --version
expect_grep "^hmx [0-9]" "$T/out" "version line"

# --- default path: XDG_DATA_HOME, then HOME
XDG_DATA_HOME="$T/xdg" expect_rc 0 "init in XDG_DATA_HOME" "$HMX" init
[ -f "$T/xdg/hmx/hmx.db" ] && ok || bad "XDG_DATA_HOME path not used"
expect_rc 0 "init in HOME" "$HMX" init
[ -f "$HOME/.local/share/hmx/hmx.db" ] && ok || bad "HOME fallback path not used"
HMX_DB="$T/env.db" expect_rc 0 "init at HMX_DB" "$HMX" init
[ -f "$T/env.db" ] && ok || bad "HMX_DB not used"

# --- registry
expect_rc 0 "agency add" H project agency-add HAC "Housing Assistance Corporation"
expect_rc 0 "project add" H project add hac-carriage-house --name "HAC Carriage House" --agency HAC --source rdc-direct --hud-id 1101
expect_rc 0 "project add hmis" H project add cihc-es --name "Barnstable Family Shelter" --agency HAC --source hmis
expect_rc 2 "project add twice" H project add cihc-es --name "X" --agency HAC --source hmis
expect_grep "already exists" "$T/err" "duplicate project message"
expect_rc 2 "project add bad source" H project add p2 --name "X" --agency HAC --source rdc
expect_rc 2 "project add unknown agency" H project add p2 --name "X" --agency NOPE --source hmis
expect_rc 0 "project list json" H project list --format json
expect_grep '"code":"hac-carriage-house".*"in_upload_group":false' "$T/out" "rdc-direct project is out of the upload group"
expect_grep '"code":"cihc-es".*"in_upload_group":true' "$T/out" "hmis project is in the upload group"
expect_rc 0 "project set" H project set cihc-es hud-id 2001
expect_rc 2 "project set bad field" H project set cihc-es colour red

# --- cycles and steps
expect_rc 0 "cycle kinds" "$HMX" cycle kinds
for k in rdc-upload rdc-download agency-intake import annual; do expect_grep "^$k " "$T/out" "kind $k listed"; done
expect_rc 0 "cycle new" H cycle new rdc-upload 2027Q2
expect_grep "^rdc-upload-2027Q2$" "$T/out" "cycle code printed"
expect_rc 2 "cycle new twice" H cycle new rdc-upload 2027Q2
expect_rc 2 "bad period name" H cycle new rdc-upload 2027Q9
expect_one_line_err "bad period"
expect_grep "YYYYQn" "$T/err" "bad period message names the accepted forms"
expect_rc 2 "wrong period kind" H cycle new rdc-upload 2027B2
expect_rc 2 "unknown kind" H cycle new monthly 2027Q2
expect_grep "known: " "$T/err" "unknown kind lists kinds"
expect_rc 0 "download cycle expands projects" H cycle new rdc-download 2027Q2
expect_rc 0 "step list" H step list rdc-download-2027Q2
expect_grep "download/hac-carriage-house" "$T/out" "per-project sub-item"
expect_rc 2 "unknown cycle" H step list nope-2027Q2
expect_one_line_err "unknown cycle"
expect_rc 2 "unknown step" H step set rdc-upload-2027Q2 nope done
expect_one_line_err "unknown step"
expect_rc 2 "bad state" H step set rdc-upload-2027Q2 dq-reports finished
expect_rc 2 "skip needs a reason" H step set rdc-upload-2027Q2 dq-reports skipped
expect_grep "reason" "$T/err" "skip message asks for a reason"

before=$(sqlite3 "$DB" "SELECT count(*) FROM audit")
expect_rc 3 "gate refuses done" H step set rdc-upload-2027Q2 build-export done
expect_grep "dq-reports" "$T/err" "gate message names the open step"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM audit")" "$before" "refused change writes nothing"
expect_eq "$(sqlite3 "$DB" "SELECT state FROM step WHERE code='build-export' AND cycle_id=(SELECT id FROM cycle WHERE code='rdc-upload-2027Q2')")" todo "refused change leaves state"

expect_rc 0 "start" H step set rdc-upload-2027Q2 dq-reports in-progress
expect_rc 0 "done with note" H step set rdc-upload-2027Q2 dq-reports done --note "reports clean"
expect_rc 0 "step list json" H step list rdc-upload-2027Q2 --format json
expect_grep '"code":"dq-reports","parent":"".*"state":"done".*"deadline":"2027-01-07"' "$T/out" "json step state and deadline"
expect_rc 0 "undo" H step undo rdc-upload-2027Q2 dq-reports
expect_grep "back to in-progress" "$T/out" "undo goes back one change"
expect_rc 0 "history" H step history rdc-upload-2027Q2 dq-reports --format json
expect_grep '"undo":true' "$T/out" "undo recorded in history"
expect_rc 0 "cycle list json" H cycle list --format json
expect_grep '"code":"rdc-upload-2027Q2".*"due":"2027-01-07".*"days_left":41' "$T/out" "cycle due date and days left"
expect_rc 2 "bad format" H cycle list --format xml
expect_rc 2 "unknown option" H cycle list --colour
expect_rc 0 "audit" H audit --cycle rdc-upload-2027Q2
expect_grep "step.undo" "$T/out" "audit lists the undo"

# --- config
expect_rc 0 "config get" H config get fiscal_year_start_month
expect_eq "$(cat "$T/out")" 7 "default fiscal-year start"
expect_rc 2 "config bad value" H config set fiscal_year_start_month 13
expect_rc 2 "config unknown key" H config set colour blue
expect_rc 0 "config set" H config set fiscal_year_start_month 10
expect_rc 0 "federal quarter" H cycle new rdc-upload 2027Q1
expect_rc 0 "federal quarter dates" H cycle list --format json
expect_grep '"code":"rdc-upload-2027Q1".*"start":"2026-10-01","end":"2026-12-31"' "$T/out" "October start quarter"

# --- usage errors
expect_rc 2 "unknown verb" H frobnicate
expect_one_line_err "unknown verb"
expect_rc 2 "verb without sub-command" H cycle
expect_rc 2 "missing argument" H cycle new rdc-upload
expect_rc 2 "unknown global option" "$HMX" --frob
expect_rc 0 "help" "$HMX" help
expect_rc 0 "help verb" "$HMX" help step set
expect_grep "usage: hmx step set" "$T/out" "help of one verb"
expect_rc 2 "help unknown verb" "$HMX" help nope

# every verb in 'hmx help' is in the man page
"$HMX" help | sed -n 's/^  \([a-z][a-z -]*[a-z]\)  .*/\1/p' | sed 's/ *$//' >"$T/verbs"
[ -s "$T/verbs" ] && ok || bad "no verbs parsed from hmx help"
MAN="$(dirname "$0")/../../man/hmx.1"
while read -r v; do
	if grep -q -- "$(echo "$v" | sed 's/ /\\\\fR \\\\fB/')" "$MAN" || grep -qF "$v" "$MAN"; then ok; else bad "man page lacks verb '$v'"; fi
done <"$T/verbs"

# --- the audit table cannot be altered
if sqlite3 "$DB" "UPDATE audit SET who='mallory'" 2>"$T/err"; then bad "audit UPDATE allowed"; else ok; fi
expect_grep "append-only" "$T/err" "audit update refused by trigger"
if sqlite3 "$DB" "DELETE FROM audit" 2>"$T/err"; then bad "audit DELETE allowed"; else ok; fi

# --- bad databases
printf 'this is not a database, just some text that is long enough to be a header.....\n%.0s' 1 2 3 4 5 6 7 8 >"$T/corrupt.db"
chmod 600 "$T/corrupt.db"
expect_rc 3 "corrupt database" "$HMX" --db "$T/corrupt.db" cycle list
expect_one_line_err "corrupt database"
expect_grep "not an hmx database\|not a database" "$T/err" "corrupt database message"

cp "$DB" "$T/newer.db"
sqlite3 "$T/newer.db" "PRAGMA user_version=99"
sum1=$(sha256sum "$T/newer.db" | cut -d' ' -f1)
expect_rc 3 "newer database" "$HMX" --db "$T/newer.db" cycle list
expect_grep "newer hmx" "$T/err" "newer database message"
expect_eq "$(sha256sum "$T/newer.db" | cut -d' ' -f1)" "$sum1" "newer database untouched"

: >"$T/afile"
expect_rc 3 "unwritable directory" "$HMX" --db "$T/afile/sub/hmx.db" init
expect_one_line_err "unwritable directory"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$T/ro" && chmod 500 "$T/ro"
	expect_rc 3 "read-only directory" "$HMX" --db "$T/ro/hmx.db" init
	chmod 700 "$T/ro"
fi

cp "$DB" "$T/wide.db"; chmod 644 "$T/wide.db"
expect_rc 0 "wide permissions still open" "$HMX" --db "$T/wide.db" cycle list
expect_grep "chmod 600" "$T/err" "wide permissions warning"

# locked: another writer holds the write lock longer than the busy timeout
( echo "BEGIN IMMEDIATE; UPDATE config SET value=value;"; sleep 8; echo "COMMIT;" ) | sqlite3 "$DB" &
lockpid=$!
sleep 1
before=$(sqlite3 "$DB" "SELECT count(*) FROM step_change")
expect_rc 3 "locked database" H step set rdc-upload-2027Q2 reporting-group done
expect_grep "another hmx is writing\|locked" "$T/err" "locked database message"
expect_one_line_err "locked database"
wait $lockpid
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM step_change")" "$before" "nothing half-written while locked"

# --- readonly mode
expect_rc 3 "readonly refuses changes" "$HMX" --readonly --db "$DB" step set rdc-upload-2027Q2 reporting-group done
expect_grep "read-only" "$T/err" "readonly message"

# --- the demo workspace
expect_rc 0 "demo seed" "$HMX" --db "$T/demo.db" demo --seed-only
expect_rc 0 "demo cycles" "$HMX" --db "$T/demo.db" cycle list --format json
expect_grep '"code":"rdc-upload-2027Q2"' "$T/out" "demo has the current quarter's upload"
expect_grep '"due_status":"overdue"' "$T/out" "demo has an overdue cycle"
expect_rc 2 "demo refuses a non-empty workspace" "$HMX" --db "$T/demo.db" demo --seed-only

finish cli
