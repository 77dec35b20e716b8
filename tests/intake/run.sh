#!/bin/sh
# tests/intake/run.sh — `hmx intake`, `hmx files` and `hmx map` from the
# command line: a quarter of RDC downloads and outside-agency files taken
# in and mapped (sub-items ticked with the file as evidence), the aliases
# proposed first and accepted the next quarter, X01, X02, X05 and X07
# counted as checks.md says, the validator run on intake, JSON output, and
# the bad input of issue 6 (unreadable Export.csv, no Project.csv rows, a
# zip that is not an export, a file mapped to an inactive project, two
# files claiming one project, the files folder blocked, a file-size limit)
# with one clear line, the right exit code and nothing half-written.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
# 2027Q1 is Jul-Sep 2026 (July fiscal year); its steps are due 2026-10-07.
C=rdc-download-2027Q1
A=agency-intake-2027Q1
q() { sqlite3 "$DB" "$1"; }
# count of a JSON fragment in $T/out
jcount() { grep -o -- "$1" "$T/out" | wc -l | tr -d ' '; }
# the first 12 hex digits of a SHA-256, as hmx prints them
short() { echo "$1" | cut -c1-12; }
# no temporary left in the files folder
no_tmp() {
	n=$(find "$T/ws/files" -name '.*' -type f 2>/dev/null | wc -l | tr -d ' ')
	expect_eq "$n" 0 "$1: no temporary file left"
}

# mkexport DIR EXPORTID START END PROJECTS ENROLLMENTS — a small export with
# the files the intake reads, plus a Client.csv whose name and SSN must
# never reach the database. PROJECTS "id:name;id:name", ENROLLMENTS
# "enrollment:person:project;...".
mkexport() {
	mkdir -p "$1"
	printf 'ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,CSVVersion,HashStatus\n"%s","RDC",2026-10-01 09:00:00,%s,%s,"rdcsoft","2024 v1.3",1\n' \
		"$2" "$3" "$4" >"$1/Export.csv"
	echo "ProjectID,ProjectName,DateDeleted" >"$1/Project.csv"
	echo "$5" | tr ';' '\n' | awk -F: 'NF == 2 { printf "%s,%s,\n", $1, $2 }' >>"$1/Project.csv"
	echo "EnrollmentID,PersonalID,ProjectID,DateDeleted" >"$1/Enrollment.csv"
	echo "$6" | tr ';' '\n' | awk -F: 'NF == 3 { printf "%s,%s,%s,\n", $1, $2, $3 }' >>"$1/Enrollment.csv"
	printf 'ExitID,EnrollmentID,DateDeleted\n' >"$1/Exit.csv"
	printf 'PersonalID,FirstName,LastName,SSN\np1,Zelda,Quixotic,123456789\n' >"$1/Client.csv"
}

expect_rc 0 "init" H init
H project agency-add HAC "Housing Assistance Corporation" >/dev/null
H project agency-add VNEOC "Veterans Northeast Outreach Center" >/dev/null
H project agency-add HPC "Homeless Prevention Council" >/dev/null
H project add hac-carriage-house --name "HAC Carriage House" --agency HAC --source rdc-direct >/dev/null
H project add hac-cataumet --name "HAC Cataumet Village" --agency HAC --source rdc-direct >/dev/null
H project add vneoc-ssvf-rrh --name "VNEOC SSVF Rapid Re-housing" --agency VNEOC --source rdc-direct >/dev/null
H project add hpc-dyrs --name "HPC DYRS" --agency HPC --source outside-agency >/dev/null
H project add hpc-mhsa --name "HPC MHSA" --agency HPC --source outside-agency >/dev/null
H cycle new rdc-download 2027Q1 >/dev/null
H cycle new agency-intake 2027Q1 >/dev/null
H step set $C meet-rdc done >/dev/null

# --- help and man page name the verbs
for v in intake files map; do
	expect_rc 0 "help $v" H help $v
	expect_grep "usage: hmx $v" "$T/out" "help $v usage"
	expect_grep "^\.BR $v " "$(dirname "$0")/../../man/hmx.1" "man page names $v"
done

# --- X02 before any file: every RDC-direct project expected (3)
expect_rc 0 "map state, no file" H map $C --format json
expect_eq "$(jcount '"check":"X02"')" 3 "X02 per expected project without a file"
expect_grep '"files":\[\]' "$T/out" "no files yet"

# --- three RDC files, on time and late, full and short
mkexport "$T/rdc1" R1 2025-07-01 2026-09-30 "501:Carriage House" "e1:c1:501;e2:c2:501;e3:c2:501"
mkexport "$T/rdc2" R2 2025-07-01 2026-09-30 "502:HAC Cataumet Village" "e1:c9:502"
mkexport "$T/rdc3" R3 2026-07-01 2026-09-15 "503:Rapid Rehousing SSVF" ""
expect_rc 0 "intake on time" H intake $C "$T/rdc1" --received 2026-10-03 --no-validate --format json
expect_grep '"source":"rdc"' "$T/out" "rdc-download defaults to source rdc"
expect_grep '"findings":\[\]' "$T/out" "on time and covering: no finding"
expect_grep '"counts":{"projects":1,"enrollments":3,"clients":2,"exits":0' "$T/out" "counts"
F1=$(grep -o '"file":"[0-9a-f]*"' "$T/out" | head -1 | cut -d'"' -f4)
expect_eq "$(stat -c %a "$T/ws/files/$F1.zip")" 400 "stored file is read-only"
expect_eq "$(stat -c %a "$T/ws/files")" 700 "files folder is private"
expect_rc 0 "intake a day late" H intake $C "$T/rdc2" --received 2026-10-08 --no-validate --format json
expect_grep '"check":"X07","severity":"warning","category":"late-1d"' "$T/out" "X07 one day late"
F2=$(grep -o '"file":"[0-9a-f]*"' "$T/out" | head -1 | cut -d'"' -f4)
expect_rc 0 "intake a short export" H intake $C "$T/rdc3" --received 2026-10-05 --no-validate
expect_grep "X05 warning: export 2026-07-01..2026-09-15 does not cover the period 2026-07-01..2026-09-30" \
	"$T/out" "X05 names both periods"
expect_eq "$(q "SELECT count(*) FROM finding WHERE check_id IN ('X05','X07')")" 2 "one X05 per export, one X07 per file"
F3=$(q "SELECT sha256 FROM file WHERE export_id = 'R3'")
expect_rc 0 "same file again" H intake $C "$T/rdc1" --received 2026-10-04 --no-validate
expect_grep "already in $C" "$T/out" "same file recognised"
expect_eq "$(q "SELECT count(*) FROM intake")" 3 "same file not recorded twice"
expect_eq "$(ls "$T/ws/files" | wc -l | tr -d ' ')" 3 "same file not stored twice"

expect_rc 0 "files" H files $C
expect_grep "^$(short "$F2") .*X07" "$T/out" "files lists the late file"
expect_rc 0 "files json" H files $C --format json
expect_eq "$(jcount '"file":"')" 3 "three files in json"

# --- mapping: proposals, X01 per unmapped project row
expect_rc 0 "map state" H map $C --format json
expect_eq "$(jcount '"check":"X01"')" 3 "X01 per unmapped project"
expect_grep '"source_project_id":"501","name":"Carriage House".*"proposal":{"via":"name","project":"hac-carriage-house","score":80' \
	"$T/out" "name proposal with score"
expect_rc 0 "accept takes no name match" H map $C --accept
expect_grep "accepted 0 " "$T/out" "name matches are never accepted"
expect_rc 0 "map one" H map $C "$F1" 501 hac-carriage-house
expect_grep "step download/hac-carriage-house: todo -> done (file $(short "$F1") mapped (ProjectID 501))" \
	"$T/out" "sub-item ticked with the file as evidence"
expect_rc 0 "map two" H map $C "$F2" 502 hac-cataumet
expect_rc 0 "map three" H map $C "$F3" 503 vneoc-ssvf-rrh
expect_rc 0 "map state after" H map $C --format json
expect_eq "$(jcount '"check":"X01"')" 0 "no X01 once mapped"
expect_eq "$(jcount '"check":"X02"')" 1 "X02 for the mapped file without rows"
expect_grep '"check":"X02","severity":"error","file":"","source_project_id":"","project":"vneoc-ssvf-rrh","detail":"the mapped file has no enrollments' \
	"$T/out" "X02 no rows"
expect_rc 0 "step list" H step list $C --format json
expect_grep '"code":"download/hac-cataumet","parent":"download".*"state":"done"' "$T/out" "second sub-item done"

# --- two files claiming one project in one cycle
mkexport "$T/rdc4" R4 2025-07-01 2026-09-30 "601:Carriage House" "e1:c1:601"
expect_rc 0 "intake a second carriage house file" H intake $C "$T/rdc4" --received 2026-10-03 --no-validate
F4=$(q "SELECT sha256 FROM file WHERE export_id = 'R4'")
before=$(q "SELECT count(*) FROM audit")
expect_rc 3 "duplicate refused" H map $C "$F4" 601 hac-carriage-house
expect_one_line_err "duplicate"
expect_grep "already mapped from file $(short "$F1") ProjectID 501" "$T/err" "duplicate names the other file"
expect_eq "$(q "SELECT count(*) FROM audit")" "$before" "refused duplicate writes nothing"
expect_rc 0 "duplicate confirmed" H map $C "$F4" 601 hac-carriage-house --allow-duplicate
expect_rc 0 "map state dup" H map $C --format json
expect_grep '"check":"DUP","severity":"warning"' "$T/out" "confirmed duplicate flagged"

# --- a project made inactive cannot be mapped onto
H project set hac-cataumet active no >/dev/null
before=$(q "SELECT count(*) FROM audit")
expect_rc 3 "inactive project refused" H map $C "$F4" 601 hac-cataumet
expect_one_line_err "inactive"
expect_grep "inactive" "$T/err" "inactive message"
expect_eq "$(q "SELECT count(*) FROM audit")" "$before" "refused inactive mapping writes nothing"
H project set hac-cataumet active yes >/dev/null
expect_rc 0 "not ours" H map $C "$F4" 601 --not-ours "duplicate upload by the RDC"
expect_rc 2 "not ours needs a reason" H map $C "$F4" 601 --not-ours ""

# --- outside agency: source agency:HPC, receive/<project> ticked
mkexport "$T/hpc" H1 2025-07-01 2026-09-30 "11:HPC DYRS;12:Mental Health SA" "e1:c1:11;e2:c2:12"
expect_rc 0 "agency intake" H intake $A "$T/hpc" --received 2026-10-01 --no-validate
expect_grep "source agency:HPC" "$T/out" "agency-intake defaults to the one outside agency"
FA=$(q "SELECT sha256 FROM file WHERE export_id = 'H1'")
expect_rc 0 "accept nothing" H map $A --accept
expect_rc 0 "map dyrs" H map $A "$FA" 11 hpc-dyrs
expect_grep "step receive/hpc-dyrs: todo -> done" "$T/out" "receive sub-item ticked"
expect_rc 0 "create-free: map mhsa" H map $A "$FA" 12 hpc-mhsa
expect_rc 0 "agency map state" H map $A --format json
expect_eq "$(jcount '"check":"X0[12]"')" 0 "agency cycle complete: no X01, no X02"
expect_rc 2 "unknown agency" H intake $A "$T/hpc" --source agency:NOPE --no-validate
expect_rc 2 "bad source" H intake $A "$T/hpc" --source warehouse --no-validate

# --- the next quarter: aliases proposed first and accepted
H cycle new rdc-download 2027Q2 >/dev/null
H step set rdc-download-2027Q2 meet-rdc done >/dev/null
mkexport "$T/n1" N1 2025-07-01 2026-12-31 "501:Carriage House" "e1:c1:501"
mkexport "$T/n2" N2 2025-07-01 2026-12-31 "502:HAC Cataumet Village;999:Unknown Program" "e1:c9:502"
expect_rc 0 "next quarter intake 1" H intake rdc-download-2027Q2 "$T/n1" --no-validate
expect_rc 0 "next quarter intake 2" H intake rdc-download-2027Q2 "$T/n2" --no-validate
expect_rc 0 "next quarter state" H map rdc-download-2027Q2 --format json
expect_grep '"source_project_id":"501".*"proposal":{"via":"alias","project":"hac-carriage-house","score":100' \
	"$T/out" "alias proposed first"
expect_eq "$(jcount '"check":"X01"')" 3 "X01 before accepting"
expect_rc 0 "accept aliases" H map rdc-download-2027Q2 --accept
expect_grep "accepted 2 alias and HUD ProjectID proposals; 1 project left to decide" "$T/out" "aliases accepted, the unknown left"
expect_grep "step download/hac-carriage-house: todo -> done" "$T/out" "accept ticks the sub-items"
expect_rc 0 "next quarter state after" H map rdc-download-2027Q2 --format json
expect_eq "$(jcount '"check":"X01"')" 1 "X01 for the unknown project only"
expect_grep '"check":"X02".*"project":"vneoc-ssvf-rrh","detail":"no file from this source is mapped to it' \
	"$T/out" "X02 for the project without a file"
expect_rc 0 "map text" H map rdc-download-2027Q2
expect_grep "^  999 .*unmapped  -" "$T/out" "text view shows the unmapped project"
expect_grep "X01 .*ProjectID=999: not mapped, no proposal" "$T/out" "text view flags X01"
expect_rc 0 "audit of the cycle" H audit --cycle rdc-download-2027Q2
expect_grep "map.accept" "$T/out" "decisions audited"
expect_grep "file.intake" "$T/out" "intake audited"

# --- unknown names
expect_rc 2 "unknown cycle" H map nope-2027Q1
expect_one_line_err "unknown cycle"
expect_rc 2 "unknown file" H map $C 000000 501 hac-cataumet
expect_rc 2 "short file ref" H map $C 00 501 hac-cataumet
expect_rc 2 "unknown ProjectID" H map $C "$F1" 999 hac-cataumet
expect_rc 2 "unknown project" H map $C "$F1" 501 nope
expect_rc 2 "file without an action" H map $C "$F1"
expect_rc 2 "two actions" H map $C "$F1" 501 hac-cataumet --clear
expect_rc 2 "bad received date" H intake $C "$T/rdc1" --received 2026-13-01
expect_rc 2 "future received date" H intake $C "$T/rdc1" --received 2026-12-01 --no-validate
expect_grep "future" "$T/err" "future date message"

# --- validation on intake: a clean generated export, and a short one
if "$HMXGEN" --assets "$ASSETS" --out "$T/gen" --clients 60 --projects 10 --seed 7 --quiet 2>"$T/err"; then
	H cycle new rdc-upload 2027Q1 >/dev/null
	expect_rc 0 "intake validates a clean export" H intake rdc-upload-2027Q1 "$T/gen" --received 2026-10-02
	expect_grep "validation: 0 blocking" "$T/out" "clean export validated"
	expect_eq "$(q "SELECT count(*) FROM intake WHERE validation_run_id IS NOT NULL")" 1 "validation run linked"
else
	bad "hmxgen failed: $(cat "$T/err")"
fi
mkexport "$T/short" S1 2025-07-01 2026-09-30 "501:Carriage House" "e1:c1:501"
expect_rc 1 "intake of an export with blocking findings exits 1" H intake $C "$T/short" --received 2026-10-03
expect_grep "validation: [1-9][0-9]* blocking" "$T/out" "blocking findings counted"

# --- no client data anywhere in the database
expect_eq "$(sqlite3 "$DB" .dump | grep -c -e Zelda -e Quixotic -e 123456789)" 0 "no client name or SSN in the database"

# --- bad input: each one clear line, nothing written
files_before=$(q "SELECT count(*) FROM file")
intakes_before=$(q "SELECT count(*) FROM intake")
blobs_before=$(ls "$T/ws/files" | wc -l | tr -d ' ')
nothing_written() {
	expect_eq "$(q "SELECT count(*) FROM file")" "$files_before" "$1: no file row"
	expect_eq "$(q "SELECT count(*) FROM intake")" "$intakes_before" "$1: no intake row"
	expect_eq "$(ls "$T/ws/files" | wc -l | tr -d ' ')" "$blobs_before" "$1: nothing stored"
	no_tmp "$1"
}
mkexport "$T/garbled" G1 2025-07-01 2026-09-30 "501:x" ""
printf '\001\002\377\376 not csv\n' >"$T/garbled/Export.csv"
expect_rc 2 "unreadable Export.csv" H intake $C "$T/garbled" --no-validate
expect_one_line_err "unreadable Export.csv"
expect_grep "Export.csv cannot be read" "$T/err" "unreadable Export.csv message"
nothing_written "unreadable Export.csv"
mkexport "$T/noproj" G2 2025-07-01 2026-09-30 "" ""
expect_rc 2 "no Project.csv rows" H intake $C "$T/noproj" --no-validate
expect_one_line_err "no Project.csv rows"
expect_grep "Project.csv has no project rows" "$T/err" "no project rows message"
nothing_written "no Project.csv rows"
# a valid zip holding one empty notes.txt: not an export
printf '\120\113\003\004\012\000\000\000\000\000\000\000\041\000\000\000\000\000\000\000\000\000\000\000\000\000\011\000\000\000notes.txt\120\113\001\002\024\003\012\000\000\000\000\000\000\000\041\000\000\000\000\000\000\000\000\000\000\000\000\000\011\000\000\000\000\000\000\000\000\000\000\000\244\201\000\000\000\000notes.txt\120\113\005\006\000\000\000\000\001\000\001\000\067\000\000\000\047\000\000\000\000\000' >"$T/notes.zip"
expect_rc 2 "zip that is not an export" H intake $C "$T/notes.zip" --no-validate
expect_one_line_err "zip that is not an export"
expect_grep "not an HMIS CSV export" "$T/err" "not an export message"
nothing_written "zip that is not an export"
printf 'PK\003\004 truncated' >"$T/broken.zip"
expect_rc 2 "broken zip" H intake $C "$T/broken.zip" --no-validate
expect_one_line_err "broken zip"
nothing_written "broken zip"
expect_rc 2 "missing path" H intake $C "$T/nope.zip" --no-validate
expect_one_line_err "missing path"
mkexport "$T/ro" RO 2025-07-01 2026-09-30 "501:x" ""
expect_rc 3 "read-only database" "$HMX" --db "$DB" --readonly intake $C "$T/ro" --no-validate
expect_one_line_err "read-only database"
nothing_written "read-only database"

# the files folder cannot be made: a regular file where it should be
mkdir -p "$T/ws2"
DB2="$T/ws2/hmx.db"
"$HMX" --db "$DB2" init >/dev/null
"$HMX" --db "$DB2" cycle new rdc-download 2027Q1 >/dev/null
echo "in the way" >"$T/ws2/files"
expect_rc 3 "files folder blocked" "$HMX" --db "$DB2" intake $C "$T/rdc1" --no-validate
expect_one_line_err "files folder blocked"
expect_grep "not a directory" "$T/err" "blocked folder message"
expect_eq "$(sqlite3 "$DB2" "SELECT count(*) FROM file")" 0 "blocked folder: no file row"

# disk full: a file-size limit below the export's size (sh counts 512-byte
# blocks, bash 1 KiB: 600 blocks is below 1 MB either way)
if "$HMXGEN" --assets "$ASSETS" --out "$T/big" --clients 3000 --seed 9 --zip "$T/big.zip" --quiet 2>"$T/err"; then
	expect_rc 3 "file-size limit (zip)" sh -c "ulimit -f 600; exec \"\$0\" --db \"\$1\" intake $C \"\$2\" --no-validate" \
		"$HMX" "$DB" "$T/big.zip"
	expect_one_line_err "file-size limit (zip)"
	expect_grep "File too large.*nothing was kept" "$T/err" "file-size limit message"
	nothing_written "file-size limit (zip)"
	expect_rc 3 "file-size limit (folder)" sh -c "ulimit -f 600; exec \"\$0\" --db \"\$1\" intake $C \"\$2\" --no-validate" \
		"$HMX" "$DB" "$T/big"
	expect_one_line_err "file-size limit (folder)"
	nothing_written "file-size limit (folder)"
	expect_eq "$(q "PRAGMA integrity_check")" ok "database intact after the failed writes"
	expect_rc 0 "the same export without the limit" H intake $C "$T/big.zip" --no-validate
else
	bad "hmxgen failed: $(cat "$T/err")"
fi

finish "intake"
