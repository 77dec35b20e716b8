#!/bin/sh
# tests/screens/run.sh — screen tests: the real shell, headless, driven by
# the key scripts tests/screens/*.keys (tokens: see tui/script.h; a line
# "# args: ..." gives the hmx options, a line "# setup: NAME" runs
# setup_NAME below on the case's fresh database first), each screen dump compared with
# tests/screens/NAME.expected. UPDATE=1 rewrites the expected files instead
# (make screens-update); review their diff like code. Also checks what a
# dump cannot show: the state in the database after the key presses, that
# NO_COLOR and --no-color give no colour pair at all (and that colour does
# give some, so the check can fail), and bad key scripts.
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C.UTF-8

# The fixture: the demo workspace, plus RDC-direct projects with an
# accented name and one with double-width (CJK) characters, and a cycle
# that expands them into sub-items.
BASE="$T/base/hmx.db"
mkdir -p "$T/base"
B() { "$HMX" --db "$BASE" "$@" >/dev/null || { echo "fixture: hmx $* failed"; exit 1; }; }
B init
B demo --seed-only
B project add sv-residence --name "Résidence Thérèse Family Shelter" --agency HAC \
	--source rdc-direct --hud-id 1104
B project add hac-peace --name "平和 Peace House" --agency HAC --source rdc-direct --hud-id 1105
B cycle new rdc-download 2027Q2

# mkexport DIR EXPORTID START END PROJECTS ENROLLMENTS — a small export
# with the files intake counts. PROJECTS "id:name;...", ENROLLMENTS
# "enrollment:person:project;...".
mkexport() {
	mkdir -p "$1"
	printf 'ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,CSVVersion,HashStatus\n"%s","RDC",2026-11-19 09:00:00,%s,%s,"rdcsoft","2024 v1.3",1\n' \
		"$2" "$3" "$4" >"$1/Export.csv"
	echo "ProjectID,ProjectName,DateDeleted" >"$1/Project.csv"
	echo "$5" | tr ';' '\n' | awk -F: 'NF == 2 { printf "%s,%s,\n", $1, $2 }' >>"$1/Project.csv"
	echo "EnrollmentID,PersonalID,ProjectID,DateDeleted" >"$1/Enrollment.csv"
	echo "$6" | tr ';' '\n' | awk -F: 'NF == 3 { printf "%s,%s,%s,\n", $1, $2, $3 }' >>"$1/Enrollment.csv"
	printf 'ExitID,EnrollmentID,DateDeleted\n' >"$1/Exit.csv"
}

# setup_intake DB: files in rdc-download-2027Q2 for the mapping screens.
# Last quarter's file mapped ProjectID 77 to hac-cataumet (a remembered
# alias); this quarter a hand-made RDC file whose projects are proposed by
# HUD ProjectID (1101), alias (77) and name (12), or not at all (88), and
# a generated export (hmxgen: ten projects, validated, X05).
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$here/../../assets" && pwd)
setup_intake() {
	x="$T/setup-intake"
	if [ ! -d "$x" ]; then
		mkexport "$x/q1" R0 2025-07-01 2026-09-30 "77:Cataumet Vlg" "e3:c3:77"
		mkexport "$x/q2" R1 2025-10-01 2026-12-31 \
			"1101:HAC Carriage House;77:Cataumet Vlg;12:Scattered Sites;88:Northgate Outreach" \
			"e1:c1:1101;e2:c2:1101;e3:c3:77;e4:c4:12;e5:c5:12;e6:c6:12;e7:c7:88"
		"$HMXGEN" --assets "$ASSETS" --out "$x/gen" --clients 50 --projects 10 --seed 1 \
			--quiet || return 1
	fi
	"$HMX" --db "$1" intake rdc-download-2027Q1 "$x/q1" --source rdc --received 2026-10-05 \
		--no-validate >/dev/null || return 1
	f=$("$HMX" --db "$1" files rdc-download-2027Q1 --format json |
		sed -n 's/.*"file":"\([0-9a-f]*\)".*/\1/p')
	"$HMX" --db "$1" map rdc-download-2027Q1 "$f" 77 hac-cataumet >/dev/null || return 1
	"$HMX" --db "$1" intake rdc-download-2027Q2 "$x/q2" --source rdc --received 2026-11-20 \
		--no-validate >/dev/null || return 1
	"$HMX" --db "$1" intake rdc-download-2027Q2 "$x/gen" --source rdc --received 2026-11-25 \
		>/dev/null || return 1
}

# setup_audit DB: changes by two more people on other days for the audit
# log screen: alice marks steps and sends a notice, bob renames a project
# and blocks a sub-item, on 2026-11-20 and 2026-11-25.
setup_audit() {
	HMX_USER=alice HMX_NOW=2026-11-20T09:15:00Z "$HMX" --db "$1" step set import-2027B2 \
		notify-ready done --note "vendor told: files ready" >/dev/null || return 1
	HMX_USER=alice HMX_NOW=2026-11-20T09:20:00Z "$HMX" --db "$1" notice import-2027B2 \
		vendor-ready --sent --date 2026-11-20 >/dev/null || return 1
	HMX_USER=bob HMX_NOW=2026-11-25T14:02:00Z "$HMX" --db "$1" project set hpc-dyrs name \
		"HPC DYRS Youth" >/dev/null || return 1
	HMX_USER=bob HMX_NOW=2026-11-25T14:05:00Z "$HMX" --db "$1" step set rdc-download-2027Q2 \
		download/hac-peace blocked --note "waiting for the RDC export of HAC" >/dev/null ||
		return 1
}

# setup_review DB: a review of its own, not the demo workspace: DB is
# started again empty, with agencies HAC (p1-p5) and CHA (p6-p10), cycle
# import-2027B2 (and rdc-upload-2027Q2, which has no review), reviewers alice (agency HAC) and bob (p8, p9), and the
# demo-site export of hmxgen (K01, Q01, S10, D01 seeded) with one client's
# enrollments moved to p3 so two projects and three severities show. Fixes
# are proposed for K01 EventID=2 (assigned to bob), K01 EventID=4 (p8) and
# Q01 EnrollmentID=20 (p3, alice's).
setup_review() {
	x="$T/setup-review"
	if [ ! -d "$x" ]; then
		"$HMXGEN" --assets "$ASSETS" --out "$x/orig" --clients 60 --projects 10 --seed 1 \
			--defects K01:2,Q01:2,D01:3,S10:2 --count 2 --quiet || return 1
		cp -r "$x/orig" "$x/demo"
		sed -i 's/^"\([0-9]*\)","15","8",/"\1","15","3",/' "$x/demo/Enrollment.csv"
		ssh-keygen -q -t ed25519 -N '' -C alice -f "$x/alice" || return 1
		ssh-keygen -q -t ed25519 -N '' -C bob -f "$x/bob" || return 1
	fi
	rm -f "$1" "$1-wal" "$1-shm"
	"$HMX" --db "$1" init >/dev/null || return 1
	"$HMX" --db "$1" project agency-add HAC "Housing Assistance" >/dev/null || return 1
	"$HMX" --db "$1" project agency-add CHA "Another agency" >/dev/null || return 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		a=HAC; [ "$i" -gt 5 ] && a=CHA
		"$HMX" --db "$1" project add "p$i" --name "Project $i" --agency $a --source hmis \
			--hud-id "$i" >/dev/null || return 1
	done
	"$HMX" --db "$1" cycle new import 2027B2 >/dev/null || return 1
	"$HMX" --db "$1" cycle new rdc-upload 2027Q2 >/dev/null || return 1
	"$HMX" --db "$1" reviewer add alice --key "$x/alice.pub" --agency HAC \
		--authorized-keys "$x/ak" >/dev/null || return 1
	"$HMX" --db "$1" reviewer add bob --key "$x/bob.pub" --projects p8,p9 \
		--authorized-keys "$x/ak" >/dev/null || return 1
	"$HMX" --db "$1" intake import-2027B2 "$x/demo" --source demo >/dev/null
	[ $? -eq 1 ] || return 1
	id() { "$HMX" --db "$1" findings import-2027B2 | awk -v c="$2" -v k="$3" '$3 == c && $6 == k { print $1 }'; }
	ev=$(id "$1" K01 EventID=2)
	ev4=$(id "$1" K01 EventID=4)
	en=$(id "$1" Q01 EnrollmentID=20)
	[ -n "$ev" ] && [ -n "$ev4" ] && [ -n "$en" ] || return 1
	"$HMX" --db "$1" finding assign "$ev" --to bob >/dev/null || return 1
	"$HMX" --db "$1" finding propose "$ev" --text "vendor removes the second Event row" \
		>/dev/null || return 1
	"$HMX" --db "$1" finding propose "$ev4" --text "vendor keeps the first Event row" \
		>/dev/null || return 1
	"$HMX" --db "$1" finding propose "$en" --text "partner merges the two enrollments" \
		>/dev/null || return 1
}

# setup_review_recon DB: setup_review, then the files sent for import:
# hmxgen's export as it was (before client 15's enrollments moved to p3),
# with the last 5 rows of Services.csv dropped, so p3 and p8 differ in the
# files of those enrollments and the other projects agree.
setup_review_recon() {
	setup_review "$1" || return 1
	x="$T/setup-review"
	rm -rf "$x/sent"
	cp -r "$x/orig" "$x/sent"
	n=$(wc -l <"$x/sent/Services.csv")
	head -n $((n - 5)) "$x/orig/Services.csv" >"$x/sent/Services.csv"
	"$HMX" --db "$1" intake import-2027B2 "$x/sent" --source hmis --no-validate >/dev/null
	[ $? -le 1 ] || return 1
}

# setup_match DB: an mcp-match cycle (2027B3) with made-up clients: a
# consent roster (k1-k4 released, k5 revoked, k6 none), the client list
# built from a hand-made export (k7 inactive), an MCP site (never
# contacted) and a member list back with findings (a name and a DOB that
# disagree, a date that is not a date, an unknown ID), imported.
MC=mcp-match-2027B3
setup_match() {
	x="$T/setup-match"
	rm -rf "$x"
	mkdir -p "$x/xp" "$x/lists"
	printf 'ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,CSVVersion\nE1,Test,2026-11-20 10:00:00,2026-08-01,2026-11-19,soft,2024 v1.3\n' >"$x/xp/Export.csv"
	{
		echo "PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,DOB,DOBDataQuality,Woman,Man,NonBinary,CulturallySpecific,Transgender,Questioning,DifferentIdentity,GenderNone,DateUpdated,DateDeleted"
		echo "k1,Quorvaline,,Dembrisk,,1,1971-03-04,1,1,0,0,0,0,0,0,,2026-10-01 08:00:00,"
		echo "k2,Mellifrond,,Ashcombe,,1,1966-06-16,1,0,1,0,0,0,0,0,,2026-10-01 08:00:00,"
		echo "k3,Tarrowin,,Gelspeth,,1,1990-01-30,1,0,0,1,0,0,0,0,,2026-10-01 08:00:00,"
		echo "k4,Ulphine,,Corvedge,,1,1983-12-12,1,1,0,0,0,0,0,0,,2026-10-01 08:00:00,"
		echo "k5,Brantwyn,,Oddlestone,,1,1958-07-07,1,0,1,0,0,0,0,0,,2026-10-01 08:00:00,"
		echo "k6,Ferrisca,,Lumbwell,,1,1979-09-19,1,1,0,0,0,0,0,0,,2026-10-01 08:00:00,"
		echo "k7,Gadrilla,,Wendmoor,,1,1961-11-11,1,1,0,0,0,0,0,0,,2026-10-01 08:00:00,"
	} >"$x/xp/Client.csv"
	{
		echo "EnrollmentID,PersonalID,ProjectID,EntryDate,DateDeleted"
		for k in 1 2 3 4 5 6; do echo "e$k,k$k,501,2026-09-10,"; done
		echo "e7,k7,501,2025-01-10,"
	} >"$x/xp/Enrollment.csv"
	printf 'ExitID,EnrollmentID,ExitDate,DateDeleted\nx7,e7,2025-06-30,\n' >"$x/xp/Exit.csv"
	{
		echo "PersonalID,scope,start,end,revoked"
		for k in 1 2 3 4 7; do echo "k$k,mcp-match,2026-01-01,,"; done
		echo "k5,mcp-match,2026-01-01,,2026-10-15"
	} >"$x/roster.csv"
	"$HMX" --db "$1" cycle new mcp-match 2027B3 >/dev/null || return 1
	"$HMX" --db "$1" consent import "$x/roster.csv" >/dev/null || return 1
	"$HMX" --db "$1" step set "$MC" confirm-releases done >/dev/null || return 1
	"$HMX" --db "$1" match list "$MC" --from "$x/xp" -o "$x/lists/list.csv" >/dev/null || return 1
	"$HMX" --db "$1" site add mcp --host 127.0.0.1 --port 2222 --user coc --remote-dir inbox \
		--role mcp >/dev/null || return 1
	{
		echo "HMIS Client ID,First Name,Middle Name,Last Name,Suffix,Date of Birth,MCP,MCP Coverage/Plan Type,MCP Member ID,CIN,MCP Date of Enrollment,MCP Date of Exit,ECM,ECM Provider,Date of Enrollment for ECM,Date of Discharge for ECM"
		echo "k1,Quorvaline,,Dembrisk,,1971-03-04,Partnership,Medi-Cal,M001,91000001A,2026-09-01,,enrolled,Harbor ECM,2026-10-01,"
		echo "k2,Mellifrund,,Ashcombe,,1966-06-16,Partnership,Medi-Cal,M002,91000002A,2026-09-01,,,,,"
		echo "k3,Tarrowin,,Gelspeth,,1990-01-31,Partnership,D-SNP,M003,91000003A,2026-09-01,,,,,"
		echo "k4,Ulphine,,Corvedge,,1983-12-12,Partnership,Medi-Cal,M004,91000004A,2026-31-09,,,,,"
		echo "zz8,Nobody,,Known,,1970-01-01,Partnership,Medi-Cal,M099,91000099A,2026-09-01,,,,,"
	} >"$x/members.csv"
	"$HMX" --db "$1" match import "$MC" "$x/members.csv" >/dev/null
	[ $? -le 1 ] || return 1
}

# fresh copy of the fixture for one case; prints its path
fresh() {
	rm -rf "$T/$1"
	mkdir -p "$T/$1"
	cp "$T/base/"* "$T/$1/"
	echo "$T/$1/hmx.db"
}

# run_case NAME: runs tests/screens/NAME.keys with its "# args:" on a fresh
# fixture and compares the dump with NAME.expected
run_case() {
	name=$1
	keys="$here/$name.keys"
	db=$(fresh "$name")
	args=$(sed -n 's/^# args: *//p' "$keys" | head -1)
	setup=$(sed -n 's/^# setup: *//p' "$keys" | head -1)
	if [ -n "$setup" ] && ! "setup_$setup" "$db" >"$T/err" 2>&1; then
		bad "$name: setup $setup failed"
		sed 's/^/  setup: /' "$T/err"
		return
	fi
	out="$T/$name.out"
	# shellcheck disable=SC2086 # args are words
	if ! "$HMX" --db "$db" --keys "$keys" --dump-screen "$out" $args 2>"$T/err"; then
		bad "$name: hmx exited non-zero"
		sed 's/^/  stderr: /' "$T/err"
		return
	fi
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$out" "$here/$name.expected"
		echo "updated tests/screens/$name.expected"
		ok
	elif diff -u "$here/$name.expected" "$out"; then
		ok
	else
		bad "$name: screen differs from tests/screens/$name.expected (diff above)"
	fi
}

for k in "$here"/*.keys; do
	run_case "$(basename "$k" .keys)"
done

# --- what the key presses of steps.keys did to the database
J="$T/steps.json"
"$HMX" --db "$T/steps/hmx.db" step list rdc-upload-2027Q2 --format json >"$J"
expect_grep '"code":"dq-reports","parent":"","[^}]*"state":"todo"' "$J" "dq-reports undone back to todo"
expect_grep '"code":"reporting-group"[^}]*"state":"blocked","[^}]*"note":"waiting for the agency list"' \
	"$J" "reporting-group blocked with its reason"
expect_grep '"code":"build-export"[^}]*"state":"todo"' "$J" "gate kept build-export todo"
"$HMX" --db "$T/steps/hmx.db" step history rdc-upload-2027Q2 dq-reports >"$T/hist" 2>&1
expect_grep "DQ reports run; 3 missing exit dates fixed" "$T/hist" "note of done in history"

# --- what the key presses of mapping.keys did: decisions, aliases, sub-items
J="$T/map.json"
"$HMX" --db "$T/mapping/hmx.db" map rdc-download-2027Q2 --format json >"$J"
expect_grep '"source_project_id":"1101",[^}]*"state":"mapped","project":"hac-carriage-house",[^}]*"decided_via":"hud-id"' \
	"$J" "1101 confirmed as its HUD ProjectID proposal"
expect_grep '"source_project_id":"77",[^}]*"state":"mapped","project":"hac-cataumet",[^}]*"decided_via":"alias"' \
	"$J" "77 accepted as its remembered alias"
expect_grep '"source_project_id":"12",[^}]*"state":"unmapped"' "$J" "name match 12 not accepted in bulk"
expect_grep '"source_project_id":"88",[^}]*"state":"not-ours",[^}]*"reason":"Northgate CoC, not ours"' \
	"$J" "88 not ours with its reason"
"$HMX" --db "$T/mapping/hmx.db" step list rdc-download-2027Q2 --format json >"$J"
expect_grep '"code":"download/hac-carriage-house",[^}]*"state":"in-progress",[^}]*"note":"file f5be42164c8b mapped' \
	"$J" "sub-item of the confirmed project ticked with the file as evidence"
expect_eq "$(sqlite3 "$T/mapping/hmx.db" "SELECT count(*) FROM audit WHERE action IN ('map.set', 'map.not-ours', 'map.accept') AND object LIKE 'rdc-download-2027Q2/%'")" \
	3 "one audit row per decision"

# --- picker.keys: the picked project, the declined duplicate, the new project
"$HMX" --db "$T/picker/hmx.db" map rdc-download-2027Q2 --format json >"$J"
expect_grep '"source_project_id":"12",[^}]*"state":"unmapped",[^}]*"proposal":{"via":"alias","project":"sv-residence"' \
	"$J" "picked project remembered as the alias after clear"
expect_grep '"source_project_id":"88",[^}]*"state":"mapped","project":"northgate-outreach"' \
	"$J" "88 mapped onto the new project"
expect_eq "$(grep -o '"duplicate_ok":true' "$J" | wc -l | tr -d ' ')" 0 "declined duplicate not mapped"
"$HMX" --db "$T/picker/hmx.db" project list --format json >"$J"
expect_grep '"code":"northgate-outreach","name":"Northgate Outreach","agency":"HAC","source":"rdc-direct"' \
	"$J" "new project with the file's name, the agency and source asked"

# --- projects.keys: the changes, each audited; the declined one not made
"$HMX" --db "$T/projects/hmx.db" project list --format json >"$J"
expect_grep '"code":"hpc-dyrs","name":"HPC DYRS Youth","agency":"HPC","source":"rdc-direct","hud_project_id":"4401","active":true,"in_upload_group":false' \
	"$J" "hpc-dyrs renamed, moved out of the reporting group, HUD ID set"
expect_grep '"code":"hac-cataumet",[^}]*"active":true' "$J" "declined deactivation not made"
"$HMX" --db "$T/projects/hmx.db" audit >"$T/audit"
expect_eq "$(grep -c 'project.set.*project/hpc-dyrs' "$T/audit")" 3 "three audited project.set rows"

# --- review-decide.keys and reviewer.keys: the decisions in the database,
# each with who made it (the reviewer's name, not the login)
fshow() { "$HMX" --db "$T/$1/hmx.db" findings import-2027B2 --format json; }
J="$T/review.json"
fshow review-decide >"$J"
expect_grep '"key":"EnrollmentID=49",[^}]*"state":"waived","reviewer":"bob"' "$J" \
	"admin screen: EnrollmentID=49 assigned to bob and waived"
id49=$("$HMX" --db "$T/review-decide/hmx.db" findings import-2027B2 | awk '$6 == "EnrollmentID=49" { print $1 }')
"$HMX" --db "$T/review-decide/hmx.db" finding show "$id49" >"$T/hist"
expect_grep "propose  open -> fix-proposed: vendor drops the second enrollment" "$T/hist" \
	"admin screen: the fix proposed"
expect_grep "waive    fix-proposed -> waived: two stays on purpose" "$T/hist" "admin screen: waived with its reason"
expect_eq "$(grep -c 'waive ' "$T/hist")" 1 "admin screen: the declined waive not made"
fshow reviewer >"$J"
expect_grep '"key":"EventID=2",[^}]*"state":"approved"' "$J" "reviewer screen: EventID=2 approved"
expect_grep '"key":"EventID=4",[^}]*"state":"rejected"' "$J" "reviewer screen: EventID=4 rejected"
expect_grep '"key":"EnrollmentID=20",[^}]*"state":"fix-proposed"' "$J" \
	"reviewer screen: another partner's finding untouched"
expect_eq "$(sqlite3 "$T/reviewer/hmx.db" "SELECT count(*) FROM audit WHERE who = 'bob'")" 3 \
	"reviewer screen: three decisions audited under bob's name"
if grep -q "EnrollmentID=20\|ProjectID=11" "$here/reviewer.expected"; then
	bad "reviewer screen shows a finding outside bob's projects"
else
	ok
fi
printf 'dump\n' >"$T/q.keys"
if "$HMX" --db "$T/reviewer/hmx.db" --keys "$T/q.keys" review --as nobody 2>"$T/err"; then
	bad "review --as an unknown reviewer accepted"
else
	expect_eq "$?" 2 "review --as an unknown reviewer: exit 2"
fi
expect_grep 'no reviewer "nobody"' "$T/err" "unknown reviewer named"
if "$HMX" --db "$T/reviewer/hmx.db" --keys "$T/q.keys" --screen review 2>"$T/err"; then
	bad "--screen review without --cycle accepted"
else
	ok
fi
expect_grep "needs --cycle" "$T/err" "--screen review: says --cycle is needed"

# --- the validation review's R (re-validate), e (export) and x (reconcile):
# paths typed into prompts, so the key script is written here. R takes the
# export as generated (the client's enrollments back in p8): Q23 of p3 is
# gone from the run and resolved; e writes the Markdown report; x shows
# why there is nothing to reconcile yet.
db=$(fresh review-files)
setup_review "$db" >"$T/err" 2>&1 || { bad "review-files: setup failed"; cat "$T/err"; }
printf 'key:R\ntext:%s\nenter\ndump\nkey:e\ntext:%s\nenter\ndump\nkey:x\ndump\n' \
	"$T/setup-review/orig" "$T/review.md" >"$T/review-files.keys"
"$HMX" --db "$db" --keys "$T/review-files.keys" --dump-screen "$T/review-files.out" \
	--size 100x30 --screen review --cycle import-2027B2 2>"$T/err" || bad "review-files: hmx failed"
expect_grep "Re-validated [0-9a-f]*: 7 blocking, 2 error, 0 warning" "$T/review-files.out" \
	"R: the newer export validated and the review synced"
"$HMX" --db "$db" findings import-2027B2 --format json >"$J"
expect_grep '"check":"Q23",[^}]*"state":"resolved"' "$J" "R: the finding gone from the run resolved"
expect_grep "Report of import-2027B2 written to $T/review.md (md)" "$T/review-files.out" \
	"e: says where the report went"
expect_grep "| waived |\|| fix-proposed |" "$T/review.md" "e: the report has the findings"
expect_grep "Reconciliation: sent for import vs demo site" "$T/review-files.out" "x: the panel"
expect_grep "no file sent for import" "$T/review-files.out" "x: says why nothing is reconciled"

# --- the record of a finding shown on Enter: IDs, codes and dates, never
# a client's name, SSN or DOB (a Client.csv finding: Q13, DOB don't know)
db=$(fresh review-record)
setup_review "$db" >"$T/err" 2>&1 || { bad "review-record: setup failed"; cat "$T/err"; }
"$HMXGEN" --assets "$ASSETS" --out "$T/q13" --clients 60 --projects 10 --seed 1 \
	--defects Q13:1 --count 1 --quiet --instances "$T/q13.inst" || bad "hmxgen q13"
"$HMX" --db "$db" intake import-2027B2 "$T/q13" --source demo >/dev/null 2>&1
key=$(awk -F, '$1 == "Q13" { print $4 }' "$T/q13.inst")
line=$(awk -F, '$1 == "Q13" { print $3 }' "$T/q13.inst")
printf 'search\ntext:%s\nenter\nenter\ndump\n' "$key" >"$T/review-record.keys"
"$HMX" --db "$db" --keys "$T/review-record.keys" --dump-screen "$T/review-record.out" \
	--size 120x50 --screen review --cycle import-2027B2 2>"$T/err" || bad "review-record: hmx failed"
expect_grep "Record at line $line of Client.csv" "$T/review-record.out" "Enter: the record of the finding"
expect_grep "PersonalID  *${key#PersonalID=}" "$T/review-record.out" "Enter: the record's ID shown"
expect_grep "DOBDataQuality  *[0-9]" "$T/review-record.out" "Enter: the record's codes shown"
sed -n "${line}p" "$T/q13/Client.csv" | tr ',' '\n' | tr -d '"' >"$T/client-row"
leaked=0
for col in 2 3 4 7 9; do # FirstName MiddleName LastName SSN DOB
	v=$(sed -n "${col}p" "$T/client-row")
	[ -n "$v" ] && grep -q -- "$v" "$T/review-record.out" && { leaked=1; echo "  leaked: column $col"; }
done
[ $leaked = 0 ] && ok || bad "Enter: client data on screen"
[ "$(grep -c . "$T/client-row")" -gt 5 ] && ok || bad "the client row was not read (test cannot fail)"
# --- match.keys: the push and the purge were declined (Enter, n): nothing
# sent, the local list kept, send-list and purge still todo
MDB="$T/match/hmx.db"
expect_eq "$(sqlite3 "$MDB" "SELECT count(*) FROM transfer")" 0 "declined push: no transfer job"
expect_eq "$(sqlite3 "$MDB" "SELECT count(*) FROM match_list WHERE purged_at IS NULL")" 1 \
	"declined purge: the list is kept"
expect_eq "$(sqlite3 "$MDB" "SELECT count(*) FROM audit WHERE action IN ('match.purge', 'transfer.new')")" \
	0 "declined actions: nothing audited"
"$HMX" --db "$MDB" step list "$MC" --format json >"$T/mj"
expect_grep '"code":"send-list",[^}]*"state":"todo"' "$T/mj" "send-list still todo"
expect_grep '"code":"build-list",[^}]*"state":"done"' "$T/mj" "match list ticked build-list"
expect_grep '"code":"receive-members",[^}]*"state":"todo"' "$T/mj" \
	"receive-members not ticked while send-list is open"
# the screen refuses another kind of cycle, names it
if "$HMX" --db "$MDB" --keys "$here/match.keys" --screen match --cycle rdc-upload-2027Q2 \
	2>"$T/err" >/dev/null; then bad "match screen opened on an rdc-upload cycle"; else ok; fi
expect_grep "rdc-upload-2027Q2 is a rdc-upload cycle" "$T/err" "match screen: wrong kind named"
if "$HMX" --db "$MDB" --keys "$here/match.keys" --screen match 2>"$T/err" >/dev/null; then
	bad "--screen match without --cycle accepted"; else ok; fi
expect_grep "needs --cycle" "$T/err" "--screen match without --cycle: says so"

# --- colours: none at all with NO_COLOR or --no-color, some without
db=$(fresh colors)
printf 'down\nenter\nhelp\n' >"$T/colors.keys"
grid_letters() { grep -v '^--- dump' "$1" | tr -d '.\n' | wc -c; }
"$HMX" --db "$db" --keys "$T/colors.keys" --dump-colors "$T/nc.grid" --size 80x24
expect_eq "$(grid_letters "$T/nc.grid")" 0 "NO_COLOR: colour pairs on screen"
expect_eq "$(grep -vc '^--- dump' "$T/nc.grid")" 24 "colour grid has one line per row"
env -u NO_COLOR "$HMX" --db "$db" --keys "$T/colors.keys" --dump-colors "$T/flag.grid" \
	--size 80x24 --no-color
expect_eq "$(grid_letters "$T/flag.grid")" 0 "--no-color: colour pairs on screen"
env -u NO_COLOR "$HMX" --db "$db" --keys "$T/colors.keys" --dump-colors "$T/c.grid" --size 80x24
if [ "$(grid_letters "$T/c.grid")" -gt 0 ]; then ok; else
	bad "colour run shows no colour pair: the NO_COLOR check could not fail"; fi
# the mapping, picker and projects screens too (with their overlays)
db=$(fresh colors-map)
setup_intake "$db" >/dev/null 2>&1 || bad "colors: setup intake failed"
printf 'key:m\nkey:A\ndump\nno\nkey:p\ndump\nkey:q\nkey:q\nkey:q\nkey:p\nkey:j\nkey:a\ndump\n' >"$T/colors-map.keys"
"$HMX" --db "$db" --keys "$T/colors-map.keys" --dump-colors "$T/ncm.grid" --size 80x24 \
	--cycle rdc-download-2027Q2
expect_eq "$(grid_letters "$T/ncm.grid")" 0 "NO_COLOR: colour pairs on the mapping and projects screens"
expect_eq "$(grep -c '^--- dump' "$T/ncm.grid")" 3 "three dumps of the mapping and projects screens"
env -u NO_COLOR "$HMX" --db "$db" --keys "$T/colors-map.keys" --dump-colors "$T/cm.grid" \
	--size 80x24 --cycle rdc-download-2027Q2
if [ "$(grid_letters "$T/cm.grid")" -gt 0 ]; then ok; else
	bad "colour run of the mapping screen shows no colour pair"; fi

# --- bad key scripts: one clear line naming the line, nothing run
printf 'down\nfrobnicate\n' >"$T/bad.keys"
if "$HMX" --db "$db" --keys "$T/bad.keys" --dump-screen "$T/bad.out" 2>"$T/err"; then
	bad "unknown token accepted"
else
	ok
fi
expect_grep "line 2: unknown token 'frobnicate'" "$T/err" "unknown token names the line"
printf 'down\ntext:hello\n' >"$T/bad2.keys"
if "$HMX" --db "$db" --keys "$T/bad2.keys" --dump-screen "$T/bad.out" 2>"$T/err"; then
	bad "text: without a prompt accepted"
else
	ok
fi
expect_grep "line 2: text: given but no prompt is open" "$T/err" "text: without prompt names the line"
printf 'key:NoSuchKey\n' >"$T/bad3.keys"
if "$HMX" --db "$db" --keys "$T/bad3.keys" 2>"$T/err"; then bad "unknown key accepted"; else ok; fi
expect_grep "line 1: unknown key 'NoSuchKey'" "$T/err" "unknown key names the line"
if "$HMX" --db "$db" --keys "$T/none.keys" 2>"$T/err"; then bad "missing key script accepted"; else ok; fi
expect_grep "none.keys" "$T/err" "missing key script named"
if "$HMX" --db "$db" --cycle no-such-cycle --keys "$T/colors.keys" 2>"$T/err"; then
	bad "unknown --cycle accepted"
else
	ok
fi
expect_grep "no-such-cycle" "$T/err" "unknown --cycle named"

# --- the README's dashboard capture is the 80x24 dump of dashboard.keys
sed -n '2,25p' "$here/dashboard.expected" >"$T/dash-want"
awk '/^```$/ { if (inb) exit; next } /^ hmx · Dashboard/ { inb = 1 } inb' "$here/../../README.md" \
	>"$T/dash-readme"
if cmp -s "$T/dash-want" "$T/dash-readme"; then
	ok
else
	bad "README's dashboard capture differs from dashboard.expected (dump 1)"
	diff "$T/dash-want" "$T/dash-readme" | head -10
fi

finish "screens"
