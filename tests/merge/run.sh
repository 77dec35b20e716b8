#!/bin/sh
# tests/merge/run.sh — `hmx export build` from the command line on generated
# exports: a registry with a third of the projects RDC-direct, the HMIS
# export intaken and mapped, the upload built from the file and from a
# path; the upload holds none of the RDC-direct projects, every kept
# enrollment's linked rows, data rows byte for byte (but the ExportID cell;
# whole with --keep-export-id), a fresh Export.csv, header-only files, 0600;
# it re-validates without a finding the input did not have. X03 refusal, X04
# between two exports and --allow-collisions, JSON output, the audit row,
# and the bad input of issue 6 (output in a missing folder, in a place that
# cannot be written, disk full, an input that is not an export) with one
# clear line, the right exit code and nothing half-written.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
MAN="$(dirname "$0")/../../man/hmx.1"
C=rdc-upload-2025Q1 # Jul-Sep 2024 with the default July fiscal year
q() { sqlite3 "$DB" "$1"; }
jcount() { grep -o -- "$1" "$T/out" | wc -l | tr -d ' '; }
mkdir -p "$T/up"

# no temporary folder left next to an output, and nothing at its name
nothing_left() { # DIR FILE DESCRIPTION
	n=$(find "$1" -maxdepth 1 -name '.hmx-export-*' 2>/dev/null | wc -l | tr -d ' ')
	expect_eq "$n" 0 "$3: no temporary left"
	if [ -e "$2" ]; then bad "$3: $2 exists"; else ok; fi
}

# data lines of file F of a zip or folder, without the line ending
lines() { # ZIP|DIR FILE
	if [ -d "$1" ]; then tail -n +2 "$1/$2"; else unzip -p "$1" "$2" | tail -n +2; fi | tr -d '\r'
}

# findings of `hmx validate --format json` as "check file key column"
# lines (an Export.csv finding is keyed by the export's own ExportID)
findings() {
	"$HMX" validate "$1" --format json --quiet 2>/dev/null | tr '{' '\n' | grep '^"check"' |
		sed -e 's/"line":[0-9]*,//' -e 's/"severity":"[^"]*",//' -e 's/"detail":"[^"]*",*//' \
			-e 's/"project":"[^"]*",*//' -e 's/}.*//' |
		sed -e '/"file":"Export.csv"/s/"key":"[^"]*"/"key":"*"/' | sort -u
}

if ! "$HMXGEN" --assets "$ASSETS" --out "$T/hmis" --clients 400 --projects 12 --seed 3 --quiet \
	2>"$T/err"; then
	bad "hmxgen failed: $(cat "$T/err")"
	finish "merge"
	exit 1
fi

expect_rc 0 "init" H init
H project agency-add NG "Northgate Housing Alliance" >/dev/null
H project agency-add RB "Riverbend Housing Network" >/dev/null
H project agency-add HAC "Housing Assistance Corporation" >/dev/null
# the generator's 12 projects by HUD ProjectID; 3, 6, 9 and 12 enter data in the RDC
RDC=" 3 6 9 12 "
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	case "$RDC" in
	*" $i "*) H project add hac-$i --name "HAC $i" --agency HAC --source rdc-direct --hud-id $i >/dev/null ;;
	*) H project add p$i --name "Project $i" --agency NG --source hmis --hud-id $i >/dev/null ;;
	esac
done
H project add hpc-cm --name "HPC Case Management" --agency RB --source outside-agency >/dev/null
H cycle new rdc-upload 2025Q1 >/dev/null
expect_rc 0 "intake the HMIS export" H intake $C "$T/hmis" --source hmis --received 2024-10-03 --no-validate
F=$(q "SELECT sha256 FROM file LIMIT 1")
FS=$(echo "$F" | cut -c1-12)
expect_rc 0 "accept the HUD ProjectID proposals" H map $C --accept
expect_grep "accepted 12 " "$T/out" "every project mapped"

# --- help and man page
expect_rc 0 "help export build" H help export build
expect_grep "usage: hmx export build CYCLE --from FILE" "$T/out" "usage line"
expect_grep '^\.BR "export build" ' "$MAN" "man page names export build"
expect_rc 0 "help lists it" H help
expect_grep "^  export build " "$T/out" "help table"

# --- the upload from the intaken file
UP="$T/up/upload.zip"
expect_rc 0 "export build" H export build $C --from "$FS" -o "$UP" --format json
expect_grep '"written":true' "$T/out" "written"
expect_grep '"export_id":"HMX20261127120000"' "$T/out" "ExportID from the clock"
expect_grep '"counts":{"X03":0,"X04":0}' "$T/out" "no X03, no X04"
expect_grep "\"label\":\"$FS\",\"source\":\"hmis\"" "$T/out" "input named by its file"
expect_eq "$(jcount '"reason":"rdc-direct"')" 4 "four projects left out as rdc-direct"
expect_eq "$(jcount '"state":"kept"')" 8 "eight projects kept"
expect_grep '"missing":\["hpc-cm"\]' "$T/out" "the outside-agency project without data is named"
cp "$T/out" "$T/build.json"
expect_eq "$(stat -c %a "$UP")" 600 "upload is 0600"
nothing_left "$T/up" "$T/up/none" "after a build"

# every file of the spec, User.csv last
unzip -Z1 "$UP" >"$T/entries"
expect_eq "$(wc -l <"$T/entries" | tr -d ' ')" 24 "24 files"
expect_eq "$(tail -1 "$T/entries")" "User.csv" "User.csv last"
expect_eq "$(head -1 "$T/entries")" "Export.csv" "Export.csv first"

# none of the rdc-direct projects, in any file that names a project
for f in Project.csv Funder.csv ProjectCoC.csv Inventory.csv HMISParticipation.csv CEParticipation.csv; do
	n=$(lines "$UP" $f | awk -F, -v f=$f 'BEGIN { split("3 6 9 12", r, " "); for (i in r) rdc["\"" r[i] "\""] = 1 }
		{ c = f == "Project.csv" ? $1 : $2; if (c in rdc) n++ } END { print n + 0 }')
	expect_eq "$n" 0 "$f holds no rdc-direct project"
done
n=$(lines "$UP" Enrollment.csv | awk -F, '$3 == "\"3\"" || $3 == "\"6\"" || $3 == "\"9\"" || $3 == "\"12\"" { n++ } END { print n + 0 }')
expect_eq "$n" 0 "no enrollment of an rdc-direct project"
n=$(lines "$UP" Affiliation.csv | awk -F, '$3 == "\"3\"" || $3 == "\"6\"" || $3 == "\"9\"" || $3 == "\"12\"" { n++ } END { print n + 0 }')
expect_eq "$n" 0 "no affiliation with an rdc-direct project"

# every kept enrollment's linked rows: as many as the input holds for them
lines "$UP" Enrollment.csv | cut -d, -f1 | sort -u >"$T/kept.enr"
expect_eq "$(lines "$T/hmis" Enrollment.csv | awk -F, '$3 != "\"3\"" && $3 != "\"6\"" && $3 != "\"9\"" && $3 != "\"12\""' | wc -l | tr -d ' ')" \
	"$(wc -l <"$T/kept.enr" | tr -d ' ')" "every enrollment of a kept project"
for f in Exit.csv IncomeBenefits.csv HealthAndDV.csv EmploymentEducation.csv Disabilities.csv \
	Services.csv CurrentLivingSituation.csv Assessment.csv AssessmentQuestions.csv \
	AssessmentResults.csv Event.csv YouthEducationStatus.csv; do
	col=2
	case $f in AssessmentQuestions.csv | AssessmentResults.csv) col=3 ;; esac
	want=$(lines "$T/hmis" $f | awk -F, -v c=$col 'NR == FNR { k[$1] = 1; next } ($c in k) { n++ } END { print n + 0 }' \
		"$T/kept.enr" -)
	got=$(lines "$UP" $f | wc -l | tr -d ' ')
	expect_eq "$got" "$want" "$f: every linked row of the kept enrollments"
done
# clients: exactly those of the kept enrollments
lines "$UP" Enrollment.csv | cut -d, -f2 | sort -u >"$T/kept.cli"
expect_eq "$(lines "$UP" Client.csv | cut -d, -f1 | sort -u | cmp - "$T/kept.cli" && echo same)" same \
	"Client.csv: the clients of the kept enrollments"

# data rows byte for byte, but the ExportID cell (the last one)
for f in $(grep -v '^Export.csv$' "$T/entries"); do
	n=$(lines "$UP" $f | awk 'NR == FNR { sub(/,[^,]*$/, ""); seen[$0] = 1; next }
		{ x = $0; sub(/,[^,]*$/, "", x); if (!(x in seen)) n++ } END { print n + 0 }' \
		"$T/hmis/$f" -)
	expect_eq "$n" 0 "$f: every row as in the input"
	n=$(lines "$UP" $f | grep -cv ',"HMX20261127120000"$')
	expect_eq "$n" 0 "$f: every row carries the new ExportID"
done

# a fresh Export.csv
lines "$UP" Export.csv >"$T/export.row"
expect_grep '^"HMX20261127120000",.*,2026-11-27 12:00:00,2024-07-01,2024-09-30,.*"2024 v1.3"' \
	"$T/export.row" "new ExportID, ExportDate now, the cycle's period, same CSVVersion"
expect_eq "$(unzip -p "$UP" Export.csv | head -1)" "$(head -1 "$T/hmis/Export.csv")" "Export.csv header as read"

# the upload re-validates without a finding the input did not have
findings "$T/hmis" >"$T/in.f"
findings "$UP" >"$T/up.f"
expect_eq "$(comm -13 "$T/in.f" "$T/up.f" | wc -l | tr -d ' ')" 0 "no new finding on the upload"
comm -13 "$T/in.f" "$T/up.f" | head -5 | sed 's/^/  new: /'
expect_rc 0 "the upload validates" "$HMX" validate "$UP" --quiet

# the audit log records it; no client data in the output or the database
expect_rc 0 "audit" H audit --cycle $C
expect_grep "export.build .*$C/export/HMX20261127120000 .*file=upload.zip" "$T/out" "build audited"
name=$(lines "$T/hmis" Client.csv | head -1 | cut -d, -f2)
if grep -q -- "$name" "$T/build.json" || sqlite3 "$DB" .dump | grep -q -- "$name"; then
	bad "a client's name reached the summary or the database"
else ok; fi

# --- from a path: projects by HUD ProjectID; a file no input has is header-only
cp -r "$T/hmis" "$T/hmis2"
rm "$T/hmis2/Event.csv" "$T/hmis2/.complete" 2>/dev/null
UP2="$T/up/from-path.zip"
expect_rc 0 "export build from a path" H export build $C --from "$T/hmis2" -o "$UP2" --keep-export-id
expect_grep "from-path.zip written (ExportID 1003" "$T/out" "text summary, ExportID kept"
expect_grep "left out: rdc-direct" "$T/out" "text names the reason"
expect_eq "$(unzip -p "$UP2" Event.csv | wc -l | tr -d ' ')" 1 "Event.csv header-only"
expect_grep '^"EventID","EnrollmentID"' "$T/hmis/Event.csv" "spec header style"
expect_eq "$(unzip -p "$UP2" Event.csv | head -1 | tr -d '\r')" "$(head -1 "$T/hmis/Event.csv" | tr -d '\r')" \
	"header-only file: the spec's columns"
for f in Enrollment.csv Disabilities.csv Client.csv User.csv; do
	n=$(lines "$UP2" $f | awk 'NR == FNR { seen[$0] = 1; next } !($0 in seen) { n++ } END { print n + 0 }' \
		"$T/hmis/$f" -)
	expect_eq "$n" 0 "--keep-export-id: $f rows whole"
done
expect_eq "$(lines "$UP2" Disabilities.csv | wc -l)" "$(lines "$UP" Disabilities.csv | wc -l)" \
	"path and file give the same rows"

# --- X03: a ProjectID to be written is an rdc-direct project's HUD ProjectID
H project add hac-x --name "HAC X" --agency HAC --source rdc-direct --hud-id 1 >/dev/null
UP3="$T/up/x03.zip"
expect_rc 1 "X03 refused" H export build $C --from "$FS" -o "$UP3" --format json --allow-collisions
expect_one_line_err "X03"
expect_grep "X03" "$T/err" "X03 named"
expect_grep '"refused":true' "$T/out" "refused in JSON"
expect_grep '"check":"X03","severity":"blocking","file":"Project.csv","key":"ProjectID=1","inputs":\[1,1\],"project":"hac-x"' \
	"$T/out" "X03 per project"
nothing_left "$T/up" "$UP3" "X03"
H project set hac-x hud-id 9001 >/dev/null

# --- X04: two exports that reuse IDs for other records
"$HMXGEN" --assets "$ASSETS" --out "$T/agency" --clients 80 --projects 10 --seed 4 --quiet 2>/dev/null
M="$T/up/merged.zip"
expect_rc 1 "X04 refused" H export build $C --from "$FS" --from "$T/agency" -o "$M" --format json
expect_one_line_err "X04"
expect_grep "allow-collisions" "$T/err" "the way out named"
expect_grep '"refused":true' "$T/out" "X04 refusal in JSON"
for k in PersonalID EnrollmentID ProjectID; do
	n=$(jcount "\"check\":\"X04\",\"severity\":\"blocking\",\"file\":\"[A-Za-z]*.csv\",\"key\":\"$k=")
	[ "$n" -gt 0 ] && ok || bad "no X04 for a $k"
done
x04=$(grep -o '"X04":[0-9]*' "$T/out" | cut -d: -f2)
expect_eq "$(jcount '"check":"X04"')" "$x04" "one X04 per colliding ID"
n=$(grep -o '"key":"PersonalID=[^"]*"' "$T/out" | sort | uniq -d | wc -l | tr -d ' ')
expect_eq "$n" 0 "no ID reported twice"
nothing_left "$T/up" "$M" "X04"
expect_rc 0 "X04 allowed" H export build $C --from "$FS" --from "$T/agency" -o "$M" --allow-collisions --format json
expect_grep '"written":true' "$T/out" "written with --allow-collisions"
expect_eq "$(grep -o '"X04":[0-9]*' "$T/out" | cut -d: -f2)" "$x04" "same X04 count when allowed"
# the same export twice: duplicates, not collisions
expect_rc 0 "same export twice" H export build $C --from "$FS" --from "$T/hmis" -o "$M" --format json
expect_grep '"X04":0' "$T/out" "no X04 for identical records"
expect_eq "$(lines "$M" Disabilities.csv | wc -l)" "$(lines "$UP" Disabilities.csv | wc -l)" \
	"identical records written once"

# --- bad input: one clear line, nothing half-written
expect_rc 3 "output in a missing folder" H export build $C --from "$FS" -o "$T/nope/upload.zip"
expect_one_line_err "missing folder"
expect_grep "no such folder" "$T/err" "missing folder message"
nothing_left "$T" "$T/nope/upload.zip" "missing folder"
echo "a file" >"$T/plain"
expect_rc 3 "output under a regular file" H export build $C --from "$FS" -o "$T/plain/upload.zip"
expect_one_line_err "under a regular file"
expect_grep "Not a directory" "$T/err" "not a directory message"
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$T/ro" && chmod 0500 "$T/ro"
	expect_rc 3 "read-only folder" H export build $C --from "$FS" -o "$T/ro/upload.zip"
	expect_one_line_err "read-only folder"
	nothing_left "$T/ro" "$T/ro/upload.zip" "read-only folder"
	chmod 0700 "$T/ro"
fi
# disk full: a file-size limit below the upload's size, above the
# database's (sh counts 512-byte blocks, bash 1 KiB: 600 blocks is below
# 1 MB either way)
"$HMXGEN" --assets "$ASSETS" --out "$T/big" --clients 3000 --projects 12 --seed 9 --quiet 2>/dev/null
FULL="$T/up/full.zip"
expect_rc 3 "file-size limit" sh -c "ulimit -f 600; exec \"\$0\" --db \"\$1\" export build $C --from \"\$3\" -o \"\$2\"" \
	"$HMX" "$DB" "$FULL" "$T/big"
expect_one_line_err "file-size limit"
expect_grep "File too large.*nothing was kept" "$T/err" "file-size limit message"
nothing_left "$T/up" "$FULL" "file-size limit"
# an existing upload stays as it was when a new one fails
cp "$UP" "$FULL"
sum=$(cksum <"$FULL")
expect_rc 3 "file-size limit, existing output" sh -c "ulimit -f 600; exec \"\$0\" --db \"\$1\" export build $C --from \"\$3\" -o \"\$2\"" \
	"$HMX" "$DB" "$FULL" "$T/big"
expect_eq "$(cksum <"$FULL")" "$sum" "the existing upload untouched"
# a valid zip holding one empty notes.txt: not an export
printf '\120\113\003\004\012\000\000\000\000\000\000\000\041\000\000\000\000\000\000\000\000\000\000\000\000\000\011\000\000\000notes.txt\120\113\001\002\024\003\012\000\000\000\000\000\000\000\041\000\000\000\000\000\000\000\000\000\000\000\000\000\011\000\000\000\000\000\000\000\000\000\000\000\244\201\000\000\000\000notes.txt\120\113\005\006\000\000\000\000\001\000\001\000\067\000\000\000\047\000\000\000\000\000' >"$T/notes.zip"
expect_rc 2 "an input that is not an export" H export build $C --from "$T/notes.zip" -o "$T/up/n.zip"
expect_one_line_err "not an export"
expect_grep "input 1 (.*notes.zip): not an HMIS CSV export" "$T/err" "not an export message"
nothing_left "$T/up" "$T/up/n.zip" "not an export"
printf 'PK\003\004 truncated' >"$T/broken.zip"
expect_rc 2 "a broken zip" H export build $C --from "$T/broken.zip" -o "$T/up/n.zip"
expect_one_line_err "broken zip"
expect_rc 2 "a second input that is not an export" H export build $C --from "$FS" --from "$T/notes.zip" -o "$T/up/n.zip"
expect_grep "input 2" "$T/err" "the input is named by number"
nothing_left "$T/up" "$T/up/n.zip" "second input not an export"
expect_rc 2 "no such input" H export build $C --from "$T/nope.zip" -o "$T/up/n.zip"
expect_one_line_err "no such input"
expect_rc 2 "unknown cycle" H export build nope-2025Q1 --from "$FS" -o "$T/up/n.zip"
expect_rc 2 "no --from" H export build $C -o "$T/up/n.zip"
expect_rc 2 "no -o" H export build $C --from "$FS"
expect_rc 2 "bad --format" H export build $C --from "$FS" -o "$T/up/n.zip" --format xml
expect_rc 2 "bad --export-id" H export build $C --from "$FS" -o "$T/up/n.zip" --export-id "a b"
expect_rc 2 "both ExportID options" H export build $C --from "$FS" -o "$T/up/n.zip" --export-id A --keep-export-id
nothing_left "$T/up" "$T/up/n.zip" "usage errors"

# an output that is a device or a folder is refused, never replaced
expect_rc 2 "output onto a device" H export build $C --from "$FS" -o /dev/null
[ -c /dev/null ] && ok || bad "export build replaced /dev/null"

finish "merge"
