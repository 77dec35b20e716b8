#!/bin/sh
# tests/reconcile/run.sh — `hmx reconcile`: the files sent for import (an
# RDC download and an outside agency's file) against the vendor's
# demo-site export (intake --source demo): a demo export that matches, one
# with rows dropped for one project (X06, exit 1, findings stored as a run
# of their own), JSON output, and the refusals (no demo export, no files
# sent, unknown cycle) with one line and exit 2/3; then every file whose
# rows belong to an enrollment on an hmxgen export (a file partially
# imported, duplicated, missing), and a file taken in before per-file
# counts.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
q() { sqlite3 "$DB" "$1"; }
C=import-2027B2

# mkexport DIR EXPORTID PROJECTS ENROLLMENTS EXITS — PROJECTS "id:name;...",
# ENROLLMENTS "enrollment:person:project;...", EXITS "exit:enrollment;...".
mkexport() {
	mkdir -p "$1"
	printf 'ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,CSVVersion,HashStatus\n"%s","src",2026-11-01 09:00:00,2026-09-01,2026-10-31,"soft","2024 v1.3",1\n' \
		"$2" >"$1/Export.csv"
	echo "ProjectID,ProjectName,DateDeleted" >"$1/Project.csv"
	echo "$3" | tr ';' '\n' | awk -F: 'NF == 2 { printf "%s,%s,\n", $1, $2 }' >>"$1/Project.csv"
	echo "EnrollmentID,PersonalID,ProjectID,DateDeleted" >"$1/Enrollment.csv"
	echo "$4" | tr ';' '\n' | awk -F: 'NF == 3 { printf "%s,%s,%s,\n", $1, $2, $3 }' >>"$1/Enrollment.csv"
	echo "ExitID,EnrollmentID,DateDeleted" >"$1/Exit.csv"
	echo "$5" | tr ';' '\n' | awk -F: 'NF == 2 { printf "%s,%s,\n", $1, $2 }' >>"$1/Exit.csv"
}

expect_rc 0 "init" H init
H project agency-add HAC "Housing Assistance Corporation" >/dev/null
H project agency-add HPC "Homeless Prevention Council" >/dev/null
H project add hac-carriage-house --name "HAC Carriage House" --agency HAC --source rdc-direct --hud-id 1101 >/dev/null
H project add hpc-dyrs --name "HPC DYRS" --agency HPC --source outside-agency --hud-id 3001 >/dev/null
expect_rc 0 "import cycle" H cycle new import 2027B2

mkexport "$T/rdc" R1 "1101:Carriage House" "e1:p1:1101;e2:p2:1101;e3:p2:1101" "x1:e1"
mkexport "$T/hpc" H1 "3001:DYRS" "d1:q1:3001;d2:q2:3001" "y1:d1;y2:d2"
# the demo site holds both projects: all rows (match) ...
mkexport "$T/demo-ok" D1 "1101:Carriage House;3001:DYRS" \
	"e1:p1:1101;e2:p2:1101;e3:p2:1101;d1:q1:3001;d2:q2:3001" "x1:e1;y1:d1;y2:d2"
# ... or with HPC's second enrollment and its exit dropped (partial import)
mkexport "$T/demo-short" D2 "1101:Carriage House;3001:DYRS" \
	"e1:p1:1101;e2:p2:1101;e3:p2:1101;d1:q1:3001" "x1:e1;y1:d1"

expect_rc 2 "unknown cycle" H reconcile nope-2027B2
expect_one_line_err "unknown cycle"
expect_rc 3 "no demo export yet" H reconcile $C
expect_grep "source demo" "$T/err" "no demo export names the fix"
expect_one_line_err "no demo export"
expect_rc 0 "demo intake" H intake $C "$T/demo-ok" --source demo --no-validate
expect_rc 3 "no file sent yet" H reconcile $C
expect_grep "no file sent for import" "$T/err" "no file sent message"
expect_rc 0 "rdc intake" H intake $C "$T/rdc" --source rdc --no-validate
expect_rc 0 "agency intake" H intake $C "$T/hpc" --source agency:HPC --no-validate
expect_rc 2 "bad source" H intake $C "$T/hpc" --source demo-site --no-validate

# --- match
expect_rc 0 "reconcile: all rows agree" H reconcile $C
expect_grep "every project's rows agree" "$T/out" "match summary"
expect_grep "hac-carriage-house  *Enrollment.csv  *3  *3" "$T/out" "enrollments per project"
expect_grep "hpc-dyrs  *Exit.csv  *2  *2" "$T/out" "exits per project"
expect_grep "hpc-dyrs  *Client.csv  *2  *2" "$T/out" "clients per project"
expect_eq "$(q "SELECT count(*) FROM validation_run WHERE path = 'reconcile'")" 1 "a run is stored"
expect_eq "$(q "SELECT count(*) FROM finding WHERE check_id = 'X06'")" 0 "no X06 when counts agree"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'reconcile.run' AND object = '$C'")" 1 "audited"

# --- mismatch: a newer demo export with rows dropped
expect_rc 0 "second demo intake" H intake $C "$T/demo-short" --source demo --no-validate
expect_rc 1 "reconcile: rows missing" H reconcile $C
expect_grep "hpc-dyrs  *Enrollment.csv  *2  *1  X06 error" "$T/out" "missing enrollment flagged"
expect_grep "hpc-dyrs  *Exit.csv  *2  *1  X06 error" "$T/out" "missing exit flagged"
expect_grep "3 mismatches (X06)" "$T/out" "mismatch summary"
if grep -q "hac-carriage-house.*X06" "$T/out"; then bad "matching project flagged"; else ok; fi
expect_eq "$(q "SELECT count(*) FROM finding f JOIN validation_run r ON r.id = f.run_id WHERE r.path = 'reconcile' AND f.check_id = 'X06' AND f.severity = 'error' AND f.project = 'hpc-dyrs'")" 3 "X06 findings stored (enrollments, exits, clients)"
expect_eq "$(q "SELECT errors FROM validation_run WHERE path = 'reconcile' ORDER BY id DESC LIMIT 1")" 3 "run counts its errors"
expect_eq "$(q "SELECT count(*) FROM finding WHERE check_id = 'X06' AND (detail LIKE '%q1%' OR key LIKE '%q1%')")" 0 "no person ID in findings"
expect_rc 1 "reconcile json" H reconcile $C --format json
expect_grep '"mismatches":3' "$T/out" "json mismatch count"
expect_grep '"project":"hpc-dyrs","file":"Enrollment.csv","sent":2,"demo":1,"check":"X06","severity":"error"' "$T/out" "json row"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" && ok || bad "json parses"
expect_rc 2 "bad format" H reconcile $C --format csv

# --- a duplicated import (every row twice, new IDs) is caught too
mkexport "$T/demo-dup" D3 "1101:Carriage House;3001:DYRS" \
	"e1:p1:1101;e2:p2:1101;e3:p2:1101;d1:q1:3001;d2:q2:3001;f1:q1:3001;f2:q2:3001" "x1:e1;y1:d1;y2:d2"
expect_rc 0 "third demo intake" H intake $C "$T/demo-dup" --source demo --no-validate
expect_rc 1 "reconcile: rows duplicated" H reconcile $C
expect_grep "hpc-dyrs  *Enrollment.csv  *2  *4  X06" "$T/out" "extra enrollments flagged"

# --- the demo site gave DYRS its own ProjectID: unmapped it does not match,
# mapped (hmx map) it does
mkexport "$T/demo-ids" D4 "1101:Carriage House;9001:DYRS" \
	"e1:p1:1101;e2:p2:1101;e3:p2:1101;d1:q1:9001;d2:q2:9001" "x1:e1;y1:d1;y2:d2"
expect_rc 0 "fourth demo intake" H intake $C "$T/demo-ids" --source demo --no-validate
expect_rc 1 "reconcile: demo ProjectID unmapped" H reconcile $C
expect_grep "ProjectID=9001  *Enrollment.csv  *0  *2  X06" "$T/out" "unmapped demo project named by its ID"
expect_grep "hpc-dyrs  *Enrollment.csv  *2  *0  X06" "$T/out" "sent project missing from the demo site"
F=$(H files $C --format json | python3 -c 'import json,sys; print([f["file"] for f in json.load(sys.stdin)["files"] if f["source"] == "demo"][-1])')
expect_rc 0 "map the demo ProjectID" H map $C "$F" 9001 hpc-dyrs
expect_rc 0 "reconcile: mapped" H reconcile $C
expect_grep "hpc-dyrs  *Enrollment.csv  *2  *2$" "$T/out" "mapped demo project reconciled"
if grep -q "ProjectID=9001" "$T/out"; then bad "mapped ProjectID still listed"; else ok; fi

# --- every file whose rows belong to an enrollment, per project: an hmxgen
# export sent for import; the demo site lost the second half of
# Services.csv, took IncomeBenefits.csv twice and has no HealthAndDV.csv
GEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
DB="$T/ws2/hmx.db"
C2=import-2027B3
expect_rc 0 "hmxgen export" "$GEN" --assets "$ASSETS" --out "$T/gen" --clients 40 --projects 10 \
	--seed 3 --quiet
expect_rc 0 "init 2" H init
expect_rc 0 "import cycle 2" H cycle new import 2027B3
expect_rc 0 "sent intake" H intake $C2 "$T/gen" --source hmis --no-validate
cp -r "$T/gen" "$T/gen-demo"
n=$(wc -l <"$T/gen/Services.csv")
head -n $(((n + 1) / 2)) "$T/gen/Services.csv" >"$T/gen-demo/Services.csv"
tail -n +2 "$T/gen/IncomeBenefits.csv" >>"$T/gen-demo/IncomeBenefits.csv"
rm "$T/gen-demo/HealthAndDV.csv"
expect_rc 0 "demo intake 2" H intake $C2 "$T/gen-demo" --source demo --no-validate
expect_eq "$(q "SELECT count(DISTINCT file) FROM file_count")" \
	"$(ls "$T/gen" | grep -cE '^(IncomeBenefits|HealthAndDV|EmploymentEducation|Disabilities|Services|CurrentLivingSituation|Assessment|AssessmentQuestions|AssessmentResults|Event|YouthEducationStatus)\.csv$')" \
	"intake counts every file whose rows belong to an enrollment"
expect_rc 1 "reconcile: files partial, duplicated, missing" H reconcile $C2
expect_grep "ProjectID=[0-9]*  *Services.csv  *[0-9]*  *[0-9]*  X06 error" "$T/out" "partial Services.csv flagged"
expect_grep "ProjectID=[0-9]*  *IncomeBenefits.csv  *[0-9]*  *[0-9]*  X06 error" "$T/out" "duplicated IncomeBenefits.csv flagged"
expect_grep "ProjectID=[0-9]*  *HealthAndDV.csv  *[1-9][0-9]*  *0  X06 error" "$T/out" "missing HealthAndDV.csv flagged"
if grep -E "(Enrollment|Exit|Client|Disabilities)\.csv.*X06" "$T/out"; then bad "a file that agrees flagged"; else ok; fi
awk '$2 == "IncomeBenefits.csv" && $4 != 2 * $3 { bad = 1 } END { exit bad }' "$T/out" &&
	ok || bad "duplicated file counts twice the rows"
expect_eq "$(q "SELECT count(*) FROM finding f JOIN validation_run r ON r.id = f.run_id WHERE r.path = 'reconcile' AND f.check_id = 'X06' AND f.file IN ('Services.csv', 'IncomeBenefits.csv', 'HealthAndDV.csv')")" \
	"$(grep -c "  X06 " "$T/out")" "one X06 finding per project and file"
expect_rc 1 "reconcile json 2" H reconcile $C2 --format json
expect_grep '"per_file":true' "$T/out" "json says every file compared"
expect_grep '"file":"HealthAndDV.csv","sent":[0-9]*,"demo":0,"check":"X06"' "$T/out" "json row of a missing file"

# --- a file taken in before per-file counts: three files compared, said so,
# no false mismatch
q "DELETE FROM file_count WHERE file_id = (SELECT file_id FROM intake WHERE source = 'hmis'); UPDATE file SET file_counts = 0 WHERE id = (SELECT file_id FROM intake WHERE source = 'hmis')"
expect_rc 0 "reconcile: old intake" H reconcile $C2
expect_grep "only Enrollment.csv, Exit.csv and Client.csv are compared" "$T/out" "old intake said"
if grep -q "Services.csv" "$T/out"; then bad "old intake compared per file"; else ok; fi
expect_rc 0 "reconcile json: old intake" H reconcile $C2 --format json
expect_grep '"counts_complete":false,"per_file":false' "$T/out" "json: counts incomplete"

finish reconcile
