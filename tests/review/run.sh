#!/bin/sh
# tests/review/run.sh — the seed's demo→live sequence through the command
# line (issue 8): reviewers added with their restricted authorized_keys
# lines (other lines kept), the vendor's demo-site export (hmxgen, with
# duplicate Event rows K01 and duplicate enrollments Q01 seeded) taken in
# with --source demo, its findings opened as review items of project 8,
# the live-import gate refusing with the count, assign, propose, reject
# (comment required), approve by the project's reviewer only, the other
# agency's reviewer and admin-only actions refused, a fixed export
# re-validated with `hmx validate --cycle` resolving what it fixed, an
# approved fix not yet confirmed still holding the gate, waive with a
# reason, the gate opening, the per-partner reports (CSV, Markdown, no
# client data), the vendor-live notice drafted and recorded as sent, the
# live import confirmed, and the audit complete: a row for every decision
# and every step change, with who acted.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
C=import-2027B2
q() { sqlite3 "$DB" "$1"; }
# id of the review item with this key (findings text output: ID is column 1, KEY column 6)
item() { H findings "$C" | awk -v k="$1" '$6 == k { print $1 }'; }
state() { H finding show "$1" | awk '$1 == "state:" { sub(/,$/, "", $2); print $2 }'; }

command -v sqlite3 >/dev/null || { echo "review: sqlite3 missing"; exit 1; }
expect_rc 0 "init" H init
H project agency-add HAC "Housing Assistance" >/dev/null
H project agency-add CHA "Another agency" >/dev/null
for i in 1 2 3 4 5; do H project add "p$i" --name "Project $i" --agency HAC --source hmis --hud-id "$i" >/dev/null; done
for i in 6 7 8 9 10; do H project add "p$i" --name "Project $i" --agency CHA --source hmis --hud-id "$i" >/dev/null; done
expect_rc 0 "cycle" H cycle new import 2027B2

# ---- reviewers ------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C alice -f "$T/alice" || bad "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C bob -f "$T/bob" || bad "ssh-keygen"
mkdir -p "$HOME/.ssh"
printf '# own keys\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ me@laptop\n' >"$HOME/.ssh/authorized_keys"
cp "$HOME/.ssh/authorized_keys" "$T/ak.before"
expect_rc 0 "reviewer add alice (agency HAC)" H reviewer add alice --key "$T/alice.pub" --agency HAC
expect_rc 0 "reviewer add bob (projects)" H reviewer add bob --key "$T/bob.pub" --projects p8,p9
expect_rc 2 "the same key twice" H reviewer add carol --key "$T/bob.pub" --projects p1
expect_grep "already belongs" "$T/err" "same key: says so"
expect_rc 2 "a private key" H reviewer add carol --key "$T/bob" --projects p1
expect_rc 2 "no scope" H reviewer add carol --key "$T/alice.pub"
AK="$HOME/.ssh/authorized_keys"
expect_eq "$(head -2 "$AK")" "$(cat "$T/ak.before")" "authorized_keys: own lines kept first"
expect_eq "$(grep -c 'hmx-reviewer:' "$AK")" 2 "authorized_keys: two reviewer lines"
expect_eq "$(stat -c %a "$AK")" 600 "authorized_keys: mode 0600"
line=$(grep 'hmx-reviewer:bob$' "$AK")
case "$line" in
"command=\"'$(cd "$(dirname "$HMX")" && pwd)/$(basename "$HMX")' --db '$DB' review --as bob\",restrict,pty ssh-ed25519 "*) ok ;;
*) bad "bob's line: $line" ;;
esac
expect_eq "$(cut -d' ' -f5 "$T/bob.pub")" "" "bob.pub has three fields"
expect_eq "$(echo "$line" | awk '{print $(NF-1)}')" "$(cut -d' ' -f2 "$T/bob.pub")" "bob's line holds bob's key"
ssh-keygen -q -t ed25519 -N '' -C carol -f "$T/carol" || bad "ssh-keygen"
expect_rc 0 "reviewer add --print" H reviewer add carol --key "$T/carol.pub" --projects p1 --print
expect_grep '^command=".* review --as carol",restrict,pty ssh-ed25519 .* hmx-reviewer:carol$' "$T/out" "--print prints the line"
expect_eq "$(grep -c 'hmx-reviewer:' "$AK")" 2 "--print leaves authorized_keys alone"
H reviewer list --format json >"$T/out"
expect_grep '"name":"alice"' "$T/out" "reviewer list json"
expect_grep '"projects":"p8,p9"' "$T/out" "bob's projects"

# ---- the files sent for import, then the demo-site export ---------------------------
"$HMXGEN" --assets "$ASSETS" --out "$T/sent" --clients 60 --projects 10 --zip "$T/sent.zip" \
	--quiet || bad "hmxgen"
expect_rc 0 "intake the files sent for import" H intake "$C" "$T/sent.zip" --source hmis
expect_eq "$(H findings "$C" | grep -c .)" 1 "a file sent for import opens no review"
"$HMXGEN" --assets "$ASSETS" --out "$T/demo1" --clients 60 --projects 10 --defects K01:2,Q01:2 \
	--count 2 --instances "$T/inst" --zip "$T/demo1.zip" --quiet || bad "hmxgen"
expect_rc 1 "intake --source demo (blocking findings)" H intake "$C" "$T/demo1.zip" --source demo
expect_grep "review: 4 findings pending" "$T/out" "intake says what the review holds"
H findings "$C" >"$T/list"
expect_eq "$(grep -c ' open ' "$T/list")" 4 "four findings open"
expect_eq "$(grep -c ' p8 ' "$T/list")" 4 "all of project 8"
H findings "$C" --counts --format json >"$T/out"
expect_grep '"project":"p8","blocking":{"open":4' "$T/out" "counts per project and severity"
ev2=$(item EventID=2); ev3=$(item EventID=3); en17=$(item EnrollmentID=17); en31=$(item EnrollmentID=31)
[ -n "$ev2" ] && [ -n "$ev3" ] && [ -n "$en17" ] && [ -n "$en31" ] && ok || bad "item ids: '$ev2' '$ev3' '$en17' '$en31'"

# ---- the gate holds ---------------------------------------------------------------
for s in notify-ready demo-import validate-demo resolve-dq; do
	expect_rc 0 "step $s done" H step set "$C" "$s" done
done
expect_rc 3 "gate: notify-live refused" H step set "$C" notify-live done
expect_grep "4 blocking findings" "$T/err" "gate: says how many"
expect_grep "hmx findings $C --pending" "$T/err" "gate: says where to look"

# ---- decisions --------------------------------------------------------------------
expect_rc 0 "assign bob" H finding assign "$ev2" --to bob
expect_rc 2 "assign alice: not her project" H finding assign "$ev2" --to alice
expect_rc 1 "approve before a fix: refused" H finding approve "$ev2" --as bob
expect_grep "only when fix-proposed" "$T/err" "state refusal names the state needed"
for i in "$ev2" "$ev3" "$en17"; do
	expect_rc 0 "propose $i" H finding propose "$i" --text "vendor removes the duplicate row"
done
expect_rc 2 "propose without text" H finding propose "$en31"
expect_rc 1 "alice: not her project" H finding approve "$ev2" --as alice
expect_grep "not your project" "$T/err" "permission message"
expect_rc 2 "--as empty is not the admin" H finding approve "$ev2" --as ""
expect_rc 1 "bob cannot propose" H finding propose "$en31" --as bob --text x
expect_rc 1 "bob cannot waive" H finding waive "$en31" --as bob --text x
expect_rc 0 "bob approves ev2" H finding approve "$ev2" --as bob --text "agreed"
expect_rc 1 "approved twice: refused" H finding approve "$ev2" --as bob
expect_rc 2 "reject needs a comment" H finding reject "$ev3" --as bob
expect_rc 0 "bob rejects ev3" H finding reject "$ev3" --as bob --text "keep the later one"
expect_rc 0 "comment" H finding comment "$ev3" --as bob --text "see row 6"
expect_rc 0 "propose again" H finding propose "$ev3" --text "vendor removes the earlier row"
v=$(H finding show "$ev3" --format json | sed 's/.*"version":\([0-9]*\).*/\1/' | head -1)
expect_rc 1 "stale version refused" H finding approve "$ev3" --as bob --version $((v - 1))
expect_rc 0 "bob approves ev3" H finding approve "$ev3" --as bob --version "$v"
expect_rc 0 "bob approves en17" H finding approve "$en17" --as bob
expect_eq "$(state "$ev3")" approved "ev3 approved"

# ---- the fixed export: the duplicate Event rows removed ----------------------------
mkdir "$T/demo2"
cp "$T/demo1"/*.csv "$T/demo2/"
lines=$(awk -F, '$1 == "K01" { printf "%s%sd", sep, $3; sep = ";" }' "$T/inst")
sed -i "$lines" "$T/demo2/Event.csv"
expect_rc 1 "re-validate the fixed export" H validate "$T/demo2" --cycle "$C"
expect_grep "2 resolved" "$T/err" "validate says what the review did"
expect_eq "$(state "$ev2")" resolved "ev2 resolved by the run"
expect_eq "$(state "$ev3")" resolved "ev3 resolved by the run"
expect_eq "$(state "$en17")" approved "en17 approved, not confirmed"
H finding show "$ev2" >"$T/out"
expect_grep "hmx          hmx      resolve  approved -> resolved" "$T/out" "auto-resolve in the history"
expect_rc 3 "gate: an approved fix not yet confirmed holds it" H step set "$C" notify-live done
expect_grep "2 blocking findings" "$T/err" "gate: two left"
expect_rc 2 "waive without a reason" H finding waive "$en31"
expect_rc 0 "waive en31" H finding waive "$en31" --text "vendor cannot merge; partner fixes in HMIS"
expect_rc 0 "waive en17" H finding waive "$en17" --text "duplicate kept on purpose (two stays)"
expect_rc 1 "resolved cannot be waived" H finding waive "$ev2" --text late
expect_rc 0 "gate opens" H step set "$C" notify-live done --note "vendor told: go live"

# ---- the vendor told, the live import confirmed ---------------------------------------
expect_rc 0 "vendor notice drafted" H notice "$C" vendor-live
expect_grep "may be imported to the live site ($C)" "$T/out" "vendor-live: subject"
expect_grep "$(sha256sum "$T/sent.zip" | cut -c1-12)" "$T/out" "vendor-live: names the file sent"
expect_rc 0 "vendor notice sent" H notice "$C" vendor-live --sent --date 2026-11-27
expect_rc 0 "notices" H notices "$C"
expect_grep "vendor-live .*sent" "$T/out" "vendor-live recorded as sent"
expect_rc 0 "live import confirmed" H step set "$C" live-confirmed done \
	--note "vendor: live import complete"
H step list "$C" --format json | sed 's/},{/}\n{/g' | grep '"code":"live-confirmed"' >"$T/out"
expect_grep '"state":"done"' "$T/out" "live-confirmed done"
expect_rc 0 "the cycle's steps all done" H step list "$C" --format json
expect_eq "$(grep -o '"state":"[a-z-]*"' "$T/out" | grep -vc '"done"')" 0 "no step left open"

# ---- reports ------------------------------------------------------------------------
expect_rc 0 "report csv (agency CHA)" H report "$C" --agency CHA --format csv -o "$T/r.csv"
expect_eq "$(wc -l <"$T/r.csv" | tr -d ' ')" 5 "csv: header + four findings"
expect_grep "duplicate kept on purpose (two stays)" "$T/r.csv" "csv: waiver reason"
expect_grep "bob approve fix-proposed->approved: agreed" "$T/r.csv" "csv: history"
expect_rc 0 "report md (project p8)" H report "$C" --project p8 --format md
expect_grep "| waived |" "$T/out" "md: waived row"
expect_grep "keep the later one" "$T/out" "md: rejection comment"
expect_rc 0 "report of the other agency: empty" H report "$C" --agency HAC --format csv
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" 1 "HAC: header only"
expect_rc 2 "report: bad format" H report "$C" --format pdf
first=$(sed -n 2p "$T/demo1/Client.csv" | cut -d, -f2 | tr -d '"')
last=$(sed -n 2p "$T/demo1/Client.csv" | cut -d, -f4 | tr -d '"')
if grep -q -e "$first" -e "$last" "$T/r.csv"; then bad "report holds a client name"; else ok; fi

# ---- audit --------------------------------------------------------------------------
H audit --cycle "$C" >"$T/audit"
decisions=0
for i in "$ev2" "$ev3" "$en17" "$en31"; do
	n=$(H finding show "$i" --format json | grep -o '"role":"[ar][de][mv][a-z]*"' | wc -l)
	decisions=$((decisions + n))
done
audited=$(grep -c ' review\.\(propose\|approve\|reject\|comment\|waive\|assign\) ' "$T/audit")
expect_eq "$audited" "$decisions" "an audit row for every decision"
expect_eq "$decisions" 12 "twelve decisions"
expect_eq "$(grep -c '^[^ ]*  bob  *review\.' "$T/audit")" 5 "bob's decisions audited under his name"
expect_eq "$(grep -c 'review\.sync' "$T/audit")" 2 "two runs synced"
expect_eq "$(q "SELECT count(*) FROM decision WHERE role = 'hmx'")" 2 "two automatic decisions"
expect_grep "step.set .*notify-live" "$T/audit" "the gate's step audited"
# complete: every decision and every step change has its audit row, with who
nd=$(q "SELECT count(*) FROM decision d JOIN review_item i ON i.id = d.item_id
	WHERE d.role <> 'hmx' AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.who = d.who
	AND a.at = d.at AND a.action = 'review.' || d.action
	AND a.object = '$C/review/' || d.item_id)")
expect_eq "$nd" 0 "every person's decision has its audit row (who, when, what)"
# hmx's own decisions: each run's review.sync row says how many it resolved
na=$(q "SELECT count(*) FROM (SELECT run_id, count(*) AS n FROM decision WHERE role = 'hmx'
	AND action = 'resolve' GROUP BY run_id) r WHERE NOT EXISTS (SELECT 1 FROM audit a
	WHERE a.who = 'admin' AND a.action = 'review.sync' AND a.object = '$C/review'
	AND a.after LIKE 'run ' || r.run_id || ':%, ' || r.n || ' resolved,%')")
expect_eq "$na" 0 "the run's automatic resolutions are audited"
ns=$(q "SELECT count(*) FROM step_change sc JOIN step s ON s.id = sc.step_id
	JOIN cycle c ON c.id = s.cycle_id WHERE c.code = '$C' AND NOT EXISTS (SELECT 1 FROM audit a
	WHERE a.who = sc.who AND a.at = sc.at AND a.action IN ('step.set', 'step.undo')
	AND a.object = c.code || '/' || s.code)")
expect_eq "$ns" 0 "every step change has its audit row"
expect_eq "$(q "SELECT count(*) FROM step_change sc JOIN step s ON s.id = sc.step_id
	JOIN cycle c ON c.id = s.cycle_id WHERE c.code = '$C'")" 6 "six step changes"
H audit --format json >"$T/audit.json"
expect_eq "$(grep -o '"who":""' "$T/audit.json" | wc -l)" 0 "no audit row without who"
expect_eq "$(grep -o '"action":"review\.[a-z]*"' "$T/audit.json" | grep -vc sync)" 12 \
	"audit json: the twelve decisions"
expect_eq "$(grep -o '"action":"step\.set","object":"'"$C"'/[a-z-]*"' "$T/audit.json" | wc -l)" 6 \
	"audit json: the six step changes"
expect_eq "$(grep -c '"action":"notice\.sent","object":"'"$C"'/notice/vendor-live"' "$T/audit.json")" 1 \
	"audit json: the notice recorded as sent"

# ---- removing a reviewer removes the line ---------------------------------------------
expect_rc 0 "reviewer remove alice" H reviewer remove alice
expect_eq "$(head -2 "$AK")" "$(cat "$T/ak.before")" "own lines still there"
expect_eq "$(grep -c 'hmx-reviewer:alice' "$AK")" 0 "alice's line gone"
expect_eq "$(grep -c 'hmx-reviewer:bob' "$AK")" 1 "bob's line kept"
expect_rc 2 "remove again" H reviewer remove alice
expect_rc 0 "reviewer set" H reviewer set bob --agency CHA
expect_grep "agency CHA" "$T/out" "set: says what bob reviews"
finish review
