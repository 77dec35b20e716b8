#!/bin/sh
# tests/match2/run.sh — `hmx match import` and `hmx match build` (issue 9,
# member list back): a hand-made export and roster, the client list sent;
# a member list with every defect (M01-M09 by line and HMIS Client ID,
# exit 1 on the blocking M02, nothing half-kept), a clean re-import
# replacing it; the build (every spec file, 0600, validated by hmx's own
# validator with no blocking finding), rebuilt byte-identical, the next
# cycle's build holding only the changes (an exit, a new member, a service
# discharge); a custom column mapping; no name or DOB in the database,
# the audit or the findings.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
q() { sqlite3 "$DB" "$1"; }
C1=mcp-match-2026B5 # 2026-03-01 .. 2026-04-30
C2=mcp-match-2026B6 # 2026-05-01 .. 2026-06-30
export HMX_NOW=2026-05-05T10:00:00Z

expect_rc 0 "init" H init
expect_rc 0 "cycle 1" H cycle new mcp-match 2026B5
expect_rc 0 "cycle 2" H cycle new mcp-match 2026B6
X="$T/xp"
mkdir -p "$X" "$T/lists"
cat >"$X/Export.csv" <<'CSV'
ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,CSVVersion
E1,Test,2026-04-02 10:00:00,2026-03-01,2026-03-31,soft,2024 v1.3
CSV
cat >"$X/Client.csv" <<'CSV'
PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,DOB,DOBDataQuality,Woman,Man,NonBinary,CulturallySpecific,Transgender,Questioning,DifferentIdentity,GenderNone,DateUpdated,DateDeleted
k1,Quillameth,,Dorvanse,,1,1977-08-19,1,1,0,0,0,0,0,0,,2026-03-01 08:00:00,
k2,Threnody,,Aubergast,,1,1962-02-14,1,0,1,0,0,0,0,0,,2026-03-01 08:00:00,
k3,Pellucida,,Marrowind,,1,1999-09-09,1,0,0,1,0,0,0,0,,2026-03-01 08:00:00,
k4,Ostravel,,Quimbley,,1,1984-04-04,1,0,1,0,0,0,0,0,,2026-03-01 08:00:00,
k5,Saffrey,,Lunkwort,,1,1955-05-05,1,1,0,0,0,0,0,0,,2026-03-01 08:00:00,
k6,Brisendel,,Tollymore,,1,1988-08-08,1,1,0,0,0,0,0,0,,2026-03-01 08:00:00,
CSV
printf 'EnrollmentID,PersonalID,ProjectID,EntryDate,DateDeleted\n' >"$X/Enrollment.csv"
for k in 1 2 3 4 5 6; do echo "e$k,k$k,501,2026-01-10," >>"$X/Enrollment.csv"; done
printf 'ExitID,EnrollmentID,ExitDate,DateDeleted\n' >"$X/Exit.csv"
printf 'PersonalID,scope,start,end,revoked\n' >"$T/roster.csv"
for k in 1 2 3 4 5 6 9; do echo "k$k,mcp-match,2025-01-01,," >>"$T/roster.csv"; done
expect_rc 0 "roster" H consent import "$T/roster.csv"
expect_rc 0 "client list" H match list "$C1" --from "$X" -o "$T/lists/list.csv"
expect_rc 2 "import before any list of cycle 2" H match import "$C2" "$T/nope.csv"

HDR='HMIS Client ID,First Name,Middle Name,Last Name,Suffix,Date of Birth,MCP,MCP Coverage/Plan Type,MCP Member ID,CIN,MCP Date of Enrollment,MCP Date of Exit,ECM,ECM Provider,Date of Enrollment for ECM,Date of Discharge for ECM,CS1 Name,CS1 Enrolled,CS1 Provider,CS1 Date of Enrollment,CS1 Date of Discharge'
M="$T/members.csv"
cat >"$M" <<EOF
$HDR
k1,Quillameth,,Dorvanse,,1977-08-19,Partnership,Medi-Cal,M0001,91000001A,2026-01-01,,enrolled,Harbor ECM,2026-02-01,,Housing Navigation,enrolled,Nav Co,2026-02-15,
k2,Threnodie,,Aubergast,,1962-02-14,Partnership,Medi-Cal,M0002,91000002A,2026-01-01,,,,,,,,,,
k3,Pellucida,,Marrowind,,09/09/1999,Partnership,Medicare,M0003,91000003A,2026-01-01,,,,,,,,,,
k4,Ostravel,,Quimbley,,1984-04-05,Partnership,D-SNP,M0004,91000004A,2026-01-01,,,,,,,,,,
k5,Saffrey,,Lunkwort,,1955-05-05,Partnership,Medi-Cal,M0005,91000005A,2026-13-01,,,,,,,,,,
k6,Brisendel,,Tollymore,,1988-08-08,Partnership,Medi-Cal,M0006,91000006A,2026-03-01,2026-02-01,,,,,,,,,
zz9,Nobody,,Known,,1970-01-01,Partnership,Medi-Cal,M0099,91000099A,2026-01-01,,,,,,,,,,
k9,Unsent,,Person,,1970-01-02,Partnership,Medi-Cal,M0009,91000009A,2026-01-01,,,,,,,,,,
k1,Quillameth,,Dorvanse,,1977-08-19,Partnership,Medi-Cal,M0001,91000001A,2026-01-01,,,,,,,,,,
,Blank,,Id,,1970-01-03,Partnership,Medi-Cal,,,2026-01-01,,,,,,,,,,
EOF
expect_rc 1 "defective member list: blocking M02" H match import "$C1" "$M"
expect_eq "$(grep -c -e Threnod -e Nobody -e Unsent -e 1984-04-05 "$T/out" "$T/err" | awk -F: '{s+=$2} END {print s}')" 0 "no name or DOB printed"
expect_grep "M02 blocking line 9 .*k9" "$T/out" "M02: never sent, line 9, ID"
expect_grep "M01 error .*line 8 .*zz9 .*unknown client" "$T/out" "M01: unknown ID"
expect_grep "M01 error .*line 11 " "$T/out" "M01: no ID"
expect_grep "M03 error .*line 3 .*k2 .*First Name" "$T/out" "M03: name differs"
expect_grep "M04 error .*line 5 .*k4 .*Date of Birth" "$T/out" "M04: DOB differs"
expect_grep "M06 error .*line 10 .*k1 " "$T/out" "M06: duplicate"
expect_grep "M07 error .*line 6 .*k5 .*MCP Date of Enrollment" "$T/out" "M07: not a date"
expect_grep "M08 error .*line 7 .*k6 .*MCP Date of Exit" "$T/out" "M08: exit before start"
expect_grep "M09 error .*line 4 .*k3 .*Plan Type" "$T/out" "M09: plan option"
expect_grep "1 blocking, 8 errors" "$T/out" "counts"
expect_eq "$(q "SELECT count(*) FROM match_return")" 1 "only the clean row kept (k1)"
expect_eq "$(q "SELECT member_id FROM match_member WHERE personal_id='k1'")" M0001 "member ID known"
expect_eq "$(q "SELECT count(*) FROM finding f JOIN match_import i ON i.run_id=f.run_id")" 9 "findings stored with the cycle"
expect_rc 2 "build refused: blocking findings" H match build "$C1" -o "$T/imp1"
expect_grep "blocking finding" "$T/err" "refusal says why"
expect_rc 1 "json findings" H match import "$C1" "$M" --format json
expect_grep '"check":"M02","severity":"blocking","line":9,"personal_id":"k9"' "$T/out" "json findings"

# ---- a clean list replaces it ----
cat >"$M" <<EOF
$HDR
k1,Quillameth,,Dorvanse,,1977-08-19,Partnership,Medi-Cal,M0001,91000001A,2026-01-01,,enrolled,Harbor ECM,2026-02-01,,Housing Navigation,enrolled,Nav Co,2026-02-15,
k2,Threnody,,Aubergast,,1962-02-14,Partnership,D-SNP,M0002,91000002A,2026-02-01,,,,,,,,,,
k3,Pellucida,,Marrowind,,09/09/1999,Partnership,Dual Eligible Special Needs Plan,M0003,91000003A,2026-01-01,2026-02-28,,,,,,,,,
EOF
expect_rc 0 "clean import" H match import "$C1" "$M"
expect_grep "3 row(s), 3 matched, 2 service row(s) (replaces the earlier import)" "$T/out" "replaced"
expect_grep "0 blocking, 0 errors, 0 warnings" "$T/out" "no findings"
expect_eq "$(q "SELECT count(*) FROM match_import")" 1 "one import per cycle"

expect_rc 2 "build: no project configured" H match build "$C1" -o "$T/imp1"
expect_grep "match.project" "$T/err" "says which setting"
expect_rc 0 "agency" H project agency-add MCP "Partnership Health Plan"
expect_rc 0 "project" H project add mcp-proj --name "MCP members" --agency MCP --source hmis --hud-id 900
expect_rc 0 "config" H config set match.project mcp-proj
expect_rc 0 "show: to build" H match show "$C1"
expect_grep "member list: 3 returned, 3 matched, 0 finding(s) (0 blocking); to build: 2 to enroll, 0 to exit, 2 service change(s)" "$T/out" "summary before the build"
expect_rc 0 "show json" H match show "$C1" --format json
expect_grep '"summary":{"eligible":6,"sent":6,.*"returned":3,"matched":3,.*"to_enroll":2,"to_exit":0,.*"built":false}' "$T/out" "json summary"
expect_rc 0 "build 1" H match build "$C1" -o "$T/imp1"
expect_grep "new enrollments 2, exits 0" "$T/out" "k1, k2 enrolled; k3 closed, never enrolled"
expect_eq "$(stat -c %a "$T/imp1/hmis-csv/Client.csv")" 600 "Client.csv 0600"
expect_eq "$(ls "$T/imp1/hmis-csv" | wc -l | tr -d ' ')" 24 "every spec file"
expect_eq "$(ls -A "$T/imp1" "$T/imp1/hmis-csv" | grep -c '^\.')" 0 "no temporary left"
expect_eq "$(tail -n +2 "$T/imp1/hmis-csv/Enrollment.csv" | wc -l | tr -d ' ')" 2 "two enrollments"
expect_grep '^E[0-9a-f]*,k1,900,2026-01-01,' "$T/imp1/hmis-csv/Enrollment.csv" "entry = effective date"
expect_grep 'Quillameth' "$T/imp1/hmis-csv/Client.csv" "names from the member list"
expect_grep '^enroll,k1,E[0-9a-f]*,Partnership,medi-cal,M0001,91000001A' "$T/imp1/mcp_companion.csv" "companion: member"
expect_grep '^service-start,k1,E[0-9a-f]*,,,,,ECM,enrolled,Harbor ECM,2026-02-01,' "$T/imp1/mcp_companion.csv" "companion: ECM"
expect_grep '^service-start,k1,.*Housing Navigation,enrolled,Nav Co,2026-02-15' "$T/imp1/mcp_companion.csv" "companion: CS"
expect_rc 0 "validate the import files" H validate "$T/imp1/hmis-csv" --format json
expect_grep '"blocking":0' "$T/out" "no blocking finding"
expect_eq "$(grep -o '"counts":{[^}]*}' "$T/out" | grep -o '"[A-Z][0-9]*"' | grep -vc '"Q')" 0 "only Q (data not collected) findings"
expect_rc 0 "rebuild" H match build "$C1" -o "$T/imp1b"
for f in "$T"/imp1/*.csv "$T"/imp1/hmis-csv/*.csv; do
	expect_rc 0 "rebuild identical: ${f#$T/imp1/}" cmp "$f" "$T/imp1b/${f#$T/imp1/}"
done
expect_eq "$(q "SELECT count(*) FROM match_enrollment")" 2 "rebuild replaced, not doubled"

# ---- the next cycle: only the changes ----
expect_rc 0 "client list 2" H match list "$C2" --from "$X" -o "$T/lists/list2.csv"
M2="$T/members2.csv"
cat >"$M2" <<EOF
$HDR
k1,Quillameth,,Dorvanse,,1977-08-19,Partnership,Medi-Cal,M0001,91000001A,2026-01-01,,enrolled,Harbor ECM,2026-02-01,2026-05-20,Housing Navigation,enrolled,Nav Co,2026-02-15,
k2,Threnody,,Aubergast,,1962-02-14,Partnership,D-SNP,M0002,91000002A,2026-02-01,2026-05-31,,,,,,,,,
k4,Ostravel,,Quimbley,,1984-04-04,Partnership,Medi-Cal,M0004,91000004A,2026-05-01,,,,,,,,,,
EOF
expect_rc 0 "import 2" H match import "$C2" "$M2"
expect_rc 0 "build 2" H match build "$C2" -o "$T/imp2"
expect_grep "new enrollments 1, exits 1 (destination 99 to follow up: 1), member changes 0, service changes 1" "$T/out" "delta counts"
expect_eq "$(tail -n +2 "$T/imp2/hmis-csv/Exit.csv" | cut -d, -f3,4,5)" "k2,2026-05-31,99" "exit of k2 on its termination date"
expect_eq "$(tail -n +2 "$T/imp2/hmis-csv/Enrollment.csv" | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')" "k2 k4 " "k4 new; k2's enrollment with its exit"
expect_grep '^service-end,k1,.*ECM,enrolled,Harbor ECM,2026-02-01,2026-05-20' "$T/imp2/mcp_companion.csv" "ECM discharge"
expect_grep '^exit,k2,.*destination 99: ask' "$T/imp2/mcp_companion.csv" "exit flagged"
expect_eq "$(grep -c 'k1' "$T/imp2/hmis-csv/Client.csv")" 0 "k1 unchanged: no client row"
expect_rc 0 "validate 2" H validate "$T/imp2/hmis-csv" --format json
expect_grep '"blocking":0' "$T/out" "cycle 2: no blocking finding"
expect_rc 2 "rebuild of an older cycle refused" H match build "$C1" -o "$T/imp1c"
expect_grep "later period" "$T/err" "refusal says why"

# ---- a custom mapping ----
sed '1s/HMIS Client ID/Client Ref/' "$M2" >"$T/m3.csv"
expect_rc 2 "default mapping: no ID column" H match import "$C2" "$T/m3.csv"
printf '[columns]\nclient_id = Client Ref\n[plan]\nmedi-cal = Medi-Cal\nd-snp = D-SNP\n[enrolled]\nyes = enrolled\nno = not enrolled\n' >"$T/cols.ini"
expect_rc 0 "--columns" H match import "$C2" "$T/m3.csv" --columns "$T/cols.ini"
expect_grep "3 matched" "$T/out" "mapped"

# ---- a generated export: every client consents, the MCP returns all ----
# (a workspace of its own: its period is older than the cycles built above)
DB1=$DB
DB="$T/ws2/hmx.db"
expect_rc 0 "init 2" H init
expect_rc 0 "agency 2" H project agency-add MCP "Partnership Health Plan"
expect_rc 0 "project 2" H project add mcp-proj --name "MCP members" --agency MCP --source hmis --hud-id 900
expect_rc 0 "config 2" H config set match.project mcp-proj
G="$T/gen"
"$HMXGEN" --out "$G" --clients 2000 --seed 4 --quiet --assets "$ASSETS" || bad "hmxgen"
CG=mcp-match-2025B2 # 2024-09-01 .. 2024-10-31; the export date is 2024-10-03
expect_rc 0 "cycle for the generated export" H cycle new mcp-match 2025B2
{
	echo "PersonalID,scope,start,end,revoked"
	tail -n +2 "$G/Client.csv" | cut -d, -f1 | tr -d '"' | awk '{ printf "%s,mcp-match,2020-01-01,,\n", $1 }'
} >"$T/genroster.csv"
expect_rc 0 "generated roster" H consent import "$T/genroster.csv"
expect_rc 0 "generated list" H match list "$CG" --from "$G" -o "$T/lists/gen.csv"
N=$(($(wc -l <"$T/lists/gen.csv") - 1))
# every third member closed on 2024-10-15; names and DOB as sent
tail -n +2 "$T/lists/gen.csv" | tr -d '\r' | awk -F'","' -v H="$HDR" 'BEGIN { print H }
	{ id = substr($1, 2); t = (NR % 3 == 0) ? "2024-10-15" : "";
	  printf "%s,%s,%s,%s,%s,%s,Plan,Medi-Cal,G%s,9%s,2024-01-01,%s,,,,,,,,,\n", id, $3, $4, $5, $6, $8, id, id, t }' >"$T/genmembers.csv"
expect_rc 0 "generated member list" H match import "$CG" "$T/genmembers.csv"
expect_grep "$N row(s), $N matched" "$T/out" "every generated row matched"
expect_grep "0 blocking, 0 errors, 0 warnings" "$T/out" "names and DOBs agree"
expect_rc 0 "generated build" H match build "$CG" -o "$T/genimp"
expect_eq "$(($(wc -l <"$T/genimp/hmis-csv/Enrollment.csv") - 1))" $((N - N / 3)) "open members enrolled"
expect_rc 0 "generated import files validate" H validate "$T/genimp/hmis-csv" --format json
expect_grep '"blocking":0' "$T/out" "generated: no blocking finding"
sqlite3 "$DB" .dump >"$T/dump2.sql"
for pii in $(sed -n '2,4p' "$T/genmembers.csv" | cut -d, -f2,4,6 | tr ',' ' '); do
	expect_eq "$(grep -c -- "$pii" "$T/dump2.sql")" 0 "generated: no $pii in the database"
done

# ---- no PII in the database ----
sqlite3 "$DB1" .dump >"$T/dump.sql"
for pii in Quillameth Threnody Dorvanse Aubergast Pellucida Marrowind Ostravel Nobody Unsent 1977-08-19 1962-02-14 09/09/1999 1984-04-05; do
	expect_eq "$(grep -c -- "$pii" "$T/dump.sql")" 0 "no $pii in the database"
done
finish match2
