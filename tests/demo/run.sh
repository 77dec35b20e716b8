#!/bin/sh
# tests/demo/run.sh — the set-up of `make demo` without the console
# (tests/demo/demo.sh setup, as `make demo-setup` runs it): a per-project
# export on the demo RDC for every RDC-direct project, `hmx ls rdc` lists
# them, `hmx pull` gets one with the right SHA-256, intake and map propose
# the projects (HUD ProjectID, and a name match for the one under the RDC's
# own ID); the import cycle is in the review stage (findings of several
# checks in three projects, decisions made, two reviewers, notify-live
# refused by the gate) and the review port runs only `hmx review --as NAME`
# for a reviewer's key; the mcp-match cycle has its list sent to the demo
# MCP folder and is walked in the match screen (pull, import, findings,
# build, valid import files); the user's ~/.ssh is never touched; a second set-up stops the
# first server; `demo.sh stop` leaves no process behind.
. "$(dirname "$0")/../lib.sh"
GEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
DEMO="$(cd "$(dirname "$0")" && pwd)/demo.sh"
D="$T/demo"
export HMX_DEMO_DIR="$D"
trap 'HMX="$HMX" sh "$DEMO" stop >/dev/null 2>&1; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
H() { "$D/hmx" "$@"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

expect_rc 0 "demo set-up" env HMXGEN="$GEN" timeout 120 sh "$DEMO" setup
cp "$T/out" "$T/setup.out"
expect_grep "demo sshd on 127.0.0.1:" "$T/out" "set-up names the server"
expect_grep "make demo-stop" "$T/out" "set-up says how to stop it"
PID=$(cat "$D/sshd/pid" 2>/dev/null)
if [ -n "$PID" ] && pgrep -F "$D/sshd/pid" sshd >/dev/null; then ok; else bad "no demo sshd running"; fi

# one export per RDC-direct project of the registry
H project list --source rdc-direct --format json | sed 's/},{/}\n{/g' | grep -c '"code"' >"$T/n"
NPROJ=$(cat "$T/n")
expect_eq "$NPROJ" 6 "the demo seed's RDC-direct projects"
expect_rc 0 "ls rdc" timeout 60 "$D/hmx" ls rdc
expect_eq "$(grep -c 'rdc-[0-9]*-2027Q1\.zip$' "$T/out")" "$NPROJ" "one export per project listed"
expect_grep "rdc-1101-2027Q1.zip$" "$T/out" "HAC Carriage House's export (ProjectID 1101)"
[ -d "$HOME/.ssh" ] && bad "the user's ~/.ssh was touched" || ok

# the import cycle in the review stage (issue 8)
IMP=import-2027B2
expect_grep "demo-site review of $IMP" "$T/setup.out" "set-up names the review cycle"
H findings "$IMP" >"$T/findings"
expect_eq "$(awk 'NR > 1 { print $2 }' "$T/findings" | sort -u | wc -l)" 3 "findings in three projects"
expect_eq "$(awk 'NR > 1 { print $3 }' "$T/findings" | sort -u | wc -l)" 8 "findings of eight checks"
expect_grep "hac-carriage-house .* K08 .* fix-proposed  maria" "$T/findings" "a fix proposed, assigned to maria"
expect_grep "vneoc-ssvf-hp .* K01 .* approved  *sam" "$T/findings" "a fix approved (sam)"
expect_grep "vneoc-ssvf-hp .* Q01 .* rejected" "$T/findings" "a fix rejected"
expect_grep "hac-scattered .* Q22 .* waived" "$T/findings" "a finding waived"
expect_grep " open " "$T/findings" "findings still open"
H finding show "$(awk '$3 == "Q01" { print $1 }' "$T/findings")" >"$T/out"
expect_grep "sam .*reject .*keep both" "$T/out" "the rejection's comment, by sam"
H finding show "$(awk '$3 == "Q22" { print $1 }' "$T/findings")" >"$T/out"
expect_grep "dana .*waive .*landlord letter" "$T/out" "the waiver's reason, by dana"
expect_rc 0 "reviewer list" H reviewer list
expect_eq "$(grep -c 'ssh-ed25519' "$T/out")" 2 "two reviewers"
expect_grep "^maria .*agency HAC" "$T/out" "maria reviews HAC"
expect_grep "^sam .*agency VNEOC" "$T/out" "sam reviews VNEOC"
for s in notify-ready demo-import validate-demo resolve-dq; do
	H step list "$IMP" --format json | sed 's/},{/}\n{/g' | grep "\"code\":\"$s\"" >"$T/out"
	expect_grep '"state":"done"' "$T/out" "step $s done"
done
expect_rc 1 "reconcile: the files sent against the demo-site export" H reconcile "$IMP"
expect_grep "vneoc-ssvf-hp  *Event.csv  *[0-9]*  *[0-9]*  X06" "$T/out" \
	"reconcile: the Event row the vendor's import repeated (K01) is an extra row"
expect_grep "^1 mismatch (X06)" "$T/out" "reconcile: every other project and file agrees"
expect_grep "vneoc-ssvf-hp .*Enrollment.csv" "$T/out" "reconcile: by registered project"
expect_rc 3 "notify-live: refused by the gate" H step set "$IMP" notify-live done
expect_grep "4 blocking findings of the demo-site review" "$T/err" "the gate says how many"

# the review port: a reviewer's key runs hmx review --as NAME, nothing else
RPORT=$(sed -n 's/^Port //p' "$D/sshd/sshd_config" | sed -n 2p)
expect_grep "ssh -p $RPORT -i $D/reviewers/maria_ed25519 " "$T/setup.out" "set-up prints the ssh command"
S() { # PORT KEY: one batch login asking for a shell command, bounded in time
	timeout 20 ssh -p "$1" -i "$2" -o IdentitiesOnly=yes -o BatchMode=yes -F /dev/null \
		-o UserKnownHostsFile="$D/home/.ssh/known_hosts" -o ConnectTimeout=10 \
		"$(id -un)@127.0.0.1" "echo pwned; touch '$T/pwned'" >"$T/out" 2>"$T/err"
}
S "$RPORT" "$D/reviewers/maria_ed25519"
[ $? -ne 255 ] && ok || bad "maria could not log in: $(cat "$T/err")"
if grep -q pwned "$T/out" || [ -e "$T/pwned" ]; then bad "a command other than hmx ran"; else ok; fi
expect_grep "^hmx: " "$T/err" "hmx answered maria's login"
expect_grep "forced-command (key-option) ''$(cd "$(dirname "$HMX")" && pwd)/$(basename "$HMX")' --db '$D/ws/hmx.db' review --as maria'" \
	"$D/sshd/log" "sshd ran hmx review --as maria"
S "$RPORT" "$D/home/.ssh/id_ed25519"
expect_eq "$?" 255 "the RDC key is refused on the review port"
S "$(sed -n 's/^Port //p' "$D/sshd/sshd_config" | head -1)" "$D/reviewers/sam_ed25519"
expect_eq "$?" 255 "a reviewer's key is refused on the sftp port"
[ -d "$HOME/.ssh" ] && bad "the user's ~/.ssh was touched by the review logins" || ok

# the client match with the demo MCP: list sent, member list waiting;
# walked in the match screen (headless) over the demo sshd
MC=mcp-match-2027B2
expect_grep "hmx --screen match --cycle $MC" "$T/setup.out" "set-up names the match walk"
expect_rc 0 "match show" H match show "$MC"
expect_grep "/ws/match/$MC/clients-$MC.csv" "$T/out" "the list built, kept in ws/match"
H step list "$MC" --format json | sed 's/},{/}\n{/g' >"$T/msteps"
for s in confirm-releases build-list send-list; do
	expect_grep "\"code\":\"$s\",.*\"state\":\"done\"" "$T/msteps" "match step $s done"
done
expect_rc 0 "ls mcp" timeout 60 "$D/hmx" ls mcp
expect_grep "members-$MC.csv$" "$T/out" "the member list waits in the MCP folder"
if grep -q "clients-$MC.csv" "$T/out"; then bad "the MCP kept the client list"; else ok; fi
printf 'key:g\nenter\nyes\nkey:i\nenter\nyes\ndump\nkey:q\nkey:/\ntext:review-match\nenter\nkey:d\nenter\nkey:M\nkey:b\nenter\nyes\ndump\n' >"$T/walk.keys"
expect_rc 0 "match screen: pull, import, review, build" timeout 60 "$D/hmx" --keys "$T/walk.keys" \
	--dump-screen "$T/walk.out" --size 120x30 --screen match --cycle "$MC"
expect_grep "Member list .* returned, .* matched, 2 findings (0 blocking)" "$T/walk.out" \
	"the demo member list: two findings"
expect_grep "M03 .*First Name" "$T/walk.out" "M03 listed by ID and column"
expect_grep "M07 .*MCP Date of Enrollment" "$T/walk.out" "M07 listed"
expect_grep "build-import: done" "$T/walk.out" "built after the review, step ticked"
expect_rc 0 "the demo's import files validate" H validate "$D/ws/match/$MC/import/hmis-csv"
expect_grep "no blocking finding" "$T/out" "no blocking finding"

# pull, verified; intake and mapping
expect_rc 0 "pull one" timeout 60 "$D/hmx" pull rdc rdc-1101-2027Q1.zip --to "$D/in"
expect_eq "$(sha "$D/in/rdc-1101-2027Q1.zip")" "$(sha "$D/rdc/rdc-1101-2027Q1.zip")" "pulled copy's SHA-256"
expect_grep "sha256 $(sha "$D/rdc/rdc-1101-2027Q1.zip")" "$T/out" "pull reports the SHA-256"
NAMED=$(ls "$D/rdc" | grep -v 'rdc-1[0-9]*-' | head -1)
expect_rc 0 "pull the one under the RDC's own ID" timeout 60 "$D/hmx" pull rdc "$NAMED" --to "$D/in"
expect_rc 0 "intake" H intake rdc-download-2027Q1 "$D/in/rdc-1101-2027Q1.zip" --source rdc
expect_grep "0 blocking, 0 errors, 0 warnings" "$T/out" "the export validates cleanly"
expect_rc 0 "intake 2" H intake rdc-download-2027Q1 "$D/in/$NAMED" --source rdc
expect_rc 0 "map" H map rdc-download-2027Q1
expect_grep "1101 .*hac-carriage-house (hud-id)" "$T/out" "proposal by HUD ProjectID"
expect_grep "VNEOC SSVF Rapid Re-housing .*vneoc-ssvf-rrh (name" "$T/out" "proposal by name"
if grep -q "X05" "$T/out"; then bad "export period does not cover the cycle (X05)"; else ok; fi

# a second set-up stops the first server and starts afresh
expect_rc 0 "set-up again" env HMXGEN="$GEN" timeout 120 sh "$DEMO" setup
expect_grep "stopped the demo sshd (pid $PID)" "$T/out" "re-run stops the old server"
if kill -0 "$PID" 2>/dev/null; then bad "first sshd still running"; else ok; fi
PID2=$(cat "$D/sshd/pid" 2>/dev/null)
expect_rc 0 "ls after re-run" timeout 60 "$D/hmx" ls rdc
[ -e "$D/in/rdc-1101-2027Q1.zip" ] && bad "re-run kept old pulled files" || ok

# hmxgen's per-project options: same options, same bytes; misuse refused
A=$(cd "$(dirname "$0")/../../assets" && pwd)
for k in 1 2; do
	"$GEN" --out "$T/g$k" --assets "$A" --quiet --project-id 77 --project-name "Some Name" \
		--project-type 13 --clients 20 --start 2026-07-01 --end 2026-09-30 --zip "$T/g$k.zip"
done
if cmp -s "$T/g1.zip" "$T/g2.zip"; then ok; else bad "hmxgen per-project export not deterministic"; fi
expect_rc 0 "per-project export validates" "$HMX" validate "$T/g1.zip" --format json --quiet
expect_grep '"counts":{}' "$T/out" "no finding"
expect_grep '"ExportStartDate":"2026-07-01","ExportEndDate":"2026-09-30"' "$T/out" "--start/--end period"
expect_eq "$(($(wc -l <"$T/g1/Project.csv") - 1))" 1 "one project"
expect_grep '^"77",.*"Some Name"' "$T/g1/Project.csv" "its ProjectID and name"
expect_rc 2 "name without id" "$GEN" --out "$T/g3" --assets "$A" --project-name X
expect_rc 2 "defects with id" "$GEN" --out "$T/g3" --assets "$A" --project-id 5 --defects all
expect_rc 2 "start without end" "$GEN" --out "$T/g3" --assets "$A" --start 2026-07-01
expect_rc 2 "bad date" "$GEN" --out "$T/g3" --assets "$A" --start 2026-13-01 --end 2026-12-31

# stop: nothing left
expect_rc 0 "demo stop" sh "$DEMO" stop
if [ -n "$PID2" ] && kill -0 "$PID2" 2>/dev/null; then bad "demo sshd still running after stop"; else ok; fi
[ -e "$D/sshd/pid" ] && bad "pid file left" || ok
if pgrep -f "$D/sshd/sshd_config" >/dev/null; then bad "an sshd of this demo is left"; else ok; fi
expect_rc 0 "stop twice is fine" sh "$DEMO" stop
finish demo
