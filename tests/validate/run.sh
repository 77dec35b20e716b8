#!/bin/sh
# tests/validate/run.sh — `hmx validate` from the command line: the three
# formats, exit codes (0 clean or non-blocking, 1 blocking, 2 usage, 3
# unreadable input), --output written whole or not at all, --cycle storing
# the run and its findings, and no progress noise when stderr is no
# terminal. The export is written here from the spec tables in assets/.
. "$(dirname "$0")/../lib.sh"
SPEC=assets/spec/hmis_csv_fy2024_columns.csv
CODES=assets/spec/hud_codes_fy2024.csv
X="$T/export"
mkdir -p "$X"

# hdr FILE: the spec's header line
hdr() { awk -F, -v f="$1" 'NR > 1 && $1 == f { printf "%s%s", (n++ ? "," : ""), $3 } END { print "" }' "$SPEC"; }

# row FILE "Col=v;Col=v": one data row, defaults for the other columns
row() {
	awk -F, -v f="$1" -v kv="$2" -v codes="$CODES" '
	BEGIN {
		while ((getline l < codes) > 0) {
			split(l, c, ",")
			if (!((c[1] SUBSEP c[2]) in first)) first[c[1] SUBSEP c[2]] = c[4]
		}
		n = split(kv, parts, ";")
		for (i = 1; i <= n; i++) { p = index(parts[i], "="); if (p) ov[substr(parts[i], 1, p - 1)] = substr(parts[i], p + 1) }
		id["ExportID"] = "E1"; id["UserID"] = "U1"; id["OrganizationID"] = "O1"; id["ProjectID"] = "P1"
		id["ResProjectID"] = "P1"; id["PersonalID"] = "C1"; id["EnrollmentID"] = "EN1"
		id["HouseholdID"] = "H1"; id["AssessmentID"] = "A1"
	}
	NR > 1 && $1 == f {
		col = $3; v = ""
		if ($7 ~ /PK \(unique\)/) v = "X1"
		else if (col in id) v = id[col]
		else if ($6 == "Y") v = ""
		else if ((f SUBSEP col) in first) v = first[f SUBSEP col]
		else if ($4 == "integer") v = "1"
		else if ($4 == "date") v = "2024-01-15"
		else if ($4 == "datetime") v = "2024-01-15 09:00:00"
		else if ($4 == "money") v = "10.00"
		else v = "x"
		if (col in ov) v = ov[col]
		printf "%s%s", (k++ ? "," : ""), v
	}
	END { print "" }' "$SPEC"
}

# put FILE ROWSPEC...: the file with its header and these rows
put() {
	_f=$1; shift
	hdr "$_f" >"$X/$_f"
	for _r in "$@"; do row "$_f" "$_r" >>"$X/$_f"; done
}

put Export.csv "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1;SourceName=Test CoC;ExportDate=2024-10-01 08:00:00;ExportStartDate=2023-10-01;ExportEndDate=2024-09-30"
put Organization.csv "OrganizationID=O1;OrganizationName=Org One;VictimServiceProvider=0"
put User.csv "UserID=U1"
put Project.csv "ProjectID=P1;ProjectName=Shelter One;ProjectType=1;ContinuumProject=1;HousingType=1" \
	"ProjectID=P2;ProjectName=Housing Two;ProjectType=3;ContinuumProject=1;HousingType=2"
put Funder.csv "FunderID=F1"
# D-clean project descriptors: geography, inventories that add up
put ProjectCoC.csv "ProjectCoCID=PC1;ProjectID=P1;CoCCode=XX-501;Geocode=250001;GeographyType=1" \
	"ProjectCoCID=PC2;ProjectID=P2;CoCCode=XX-501;Geocode=250001;GeographyType=2"
put Inventory.csv "InventoryID=I1;ProjectID=P1;CoCCode=XX-501;UnitInventory=8;BedInventory=10;CHBedInventory=2;OtherBedInventory=8" \
	"InventoryID=I2;ProjectID=P2;CoCCode=XX-501;UnitInventory=4;BedInventory=4;VetBedInventory=4"
put Affiliation.csv "AffiliationID=AF1;ResProjectID=P2"
put HMISParticipation.csv "HMISParticipationID=HP1"
put CEParticipation.csv "CEParticipationID=CE1"
# Q-clean clients, enrollments (adult heads of household), exit and income records
put Client.csv "PersonalID=C1;FirstName=Ann;LastName=Smith;DOB=1980-01-01;SSN=215567890;White=1;Woman=1" \
	"PersonalID=C2;FirstName=Bob;LastName=Jones;DOB=1990-06-30;SSN=318204417;Asian=1;Man=1"
QE="EnrollmentCoC=XX-501;LivingSituation=116;LengthOfStay=2;DateToStreetESSH=2023-12-01;TimesHomelessPastThreeYears=1;MonthsHomelessPastThreeYears=101"
QI="IncomeFromAnySource=0;BenefitsFromAnySource=0;InsuranceFromAnySource=0"
put Enrollment.csv "EnrollmentID=EN1;EntryDate=2024-01-15;$QE" "EnrollmentID=EN2;PersonalID=C2;ProjectID=P2;HouseholdID=H2;EntryDate=2024-03-01;DateCreated=2024-03-01 09:00:00;$QE"
put Exit.csv "ExitID=X1;ExitDate=2024-02-15;Destination=410"
put IncomeBenefits.csv "IncomeBenefitsID=IB1;InformationDate=2024-01-15;DataCollectionStage=1;$QI" "IncomeBenefitsID=IB2;InformationDate=2024-02-15;DataCollectionStage=3;$QI" \
	"IncomeBenefitsID=IB3;EnrollmentID=EN2;PersonalID=C2;InformationDate=2024-03-01;DataCollectionStage=1;$QI"
put HealthAndDV.csv "HealthAndDVID=HD1;InformationDate=2024-01-15;DataCollectionStage=1"
put EmploymentEducation.csv "EmploymentEducationID=EE1;InformationDate=2024-01-15;DataCollectionStage=1"
put Disabilities.csv "DisabilitiesID=D1;InformationDate=2024-01-15;DisabilityType=5;DisabilityResponse=1;DataCollectionStage=1"
put Services.csv "ServicesID=S1;RecordType=200;TypeProvided=200"
put CurrentLivingSituation.csv "CurrentLivingSitID=CL1"
put Assessment.csv "AssessmentID=A1"
put AssessmentQuestions.csv "AssessmentQuestionID=AQ1"
put AssessmentResults.csv "AssessmentResultID=AR1"
put Event.csv "EventID=EV1"
put YouthEducationStatus.csv "YouthEducationStatusID=Y1;InformationDate=2024-01-15;DataCollectionStage=1"

V() { "$HMX" validate "$@"; }

# --- a clean export
expect_rc 0 "clean export" V "$X"
expect_grep "^Verdict: CLEAN" "$T/out" "clean verdict"
expect_grep "^Export E1 from Test CoC" "$T/out" "export facts"
expect_eq "$(wc -c <"$T/err")" 0 "no progress or noise on a pipe"
expect_rc 0 "json" V "$X" --format json
expect_grep '^{"version":"2024 v1.3","spec":"FY2024","files":{"Export.csv":{"rows":1,' "$T/out" "json shape"
expect_grep '"counts":{},' "$T/out" "json counts"
expect_grep '"findings":\[\]}$' "$T/out" "json empty findings"
expect_rc 0 "csv" V "$X" --format csv
expect_eq "$(cat "$T/out")" "check,severity,file,line,key,column,detail,project" "csv header only"

# --- blocking, error and warning findings
row Client.csv "PersonalID=C1" >>"$X/Client.csv"                       # K01, blocking
row Event.csv "EventID=EV2;DateUpdated=2024-02-30 10:00:00" >>"$X/Event.csv" # S11, error
printf 'note\n' >"$X/Notes.txt"                                        # P04, warning
expect_rc 1 "blocking finding" V "$X" --max-examples 1
expect_grep "^Verdict: BLOCKED: 1 blocking finding" "$T/out" "blocked verdict"
expect_grep "^  K01           1  duplicate primary key" "$T/out" "check line"
expect_grep "Client.csv:4  PersonalID=C1" "$T/out" "example with file:line and key"
expect_grep "^  P1 " "$T/out" "per project"
expect_rc 1 "json with findings" V "$X" --format json
expect_grep '"counts":{"P04":1,"S11":1,"K01":1}' "$T/out" "json counts"
expect_grep '{"check":"K01","severity":"blocking","file":"Client.csv","line":4,"key":"PersonalID=C1"}' "$T/out" "json finding"
expect_rc 1 "csv with findings" V "$X" --format csv
expect_eq "$(wc -l <"$T/out")" 4 "csv: header + 3 findings"
expect_grep "^S11,error,Event.csv,3,EventID=EV2,DateUpdated,,P1$" "$T/out" "csv finding"
for t in 1 2 4; do V "$X" --format json --threads $t >"$T/j$t"; done
expect_eq "$(cat "$T/j1" | md5sum)" "$(cat "$T/j4" | md5sum)" "same output whatever the thread count"

# only warnings and errors: exit 0
sed -i '$d' "$X/Client.csv"
expect_rc 0 "errors and warnings do not block" V "$X"
expect_grep "^Verdict: PASSED WITH ERRORS" "$T/out" "passed-with-errors verdict"

# --- --spec forces the version
expect_rc 1 "forced FY2026" V "$X" --spec FY2026 --format json
expect_grep '"spec":"FY2026"' "$T/out" "forced spec in json"
expect_grep '"check":"S05"' "$T/out" "FY2026 columns missing"

# --- unreadable input and usage errors
expect_rc 3 "missing path" V "$T/nope"
expect_one_line_err "missing path"
expect_grep "P01" "$T/err" "unreadable names P01"
expect_grep "^  P01  " "$T/out" "P01 in the report"
expect_rc 3 "missing path, json" V "$T/nope" --format json
expect_grep '"unreadable":true' "$T/out" "json says unreadable"
printf 'not a zip' >"$T/bad.zip"
expect_rc 3 "not a zip" V "$T/bad.zip"
expect_rc 2 "bad format" V "$X" --format xml
expect_one_line_err "bad format"
expect_rc 2 "bad spec" V "$X" --spec FY1999
expect_rc 2 "bad max-examples" V "$X" --max-examples lots
expect_rc 2 "no path" V
expect_rc 2 "two paths" V "$X" "$X"
expect_rc 0 "help validate" "$HMX" help validate
expect_grep "usage: hmx validate PATH" "$T/out" "validate usage"

# --- --output: written whole, by rename, or not at all
expect_rc 0 "output file" V "$X" --format json --output "$T/report.json"
expect_eq "$(wc -c <"$T/out")" 0 "nothing on stdout with --output"
expect_grep '"spec":"FY2024"' "$T/report.json" "report file"
expect_eq "$(ls "$T" | grep -c 'report.json.tmp')" 0 "no temporary file left"
expect_rc 3 "output into a missing directory" V "$X" --output "$T/no/such/dir/r.txt"
expect_one_line_err "unwritable output"
[ ! -e "$T/no/such/dir/r.txt" ] && ok || bad "partial output left"

# --- --cycle: the run and its findings in the database
DB="$T/ws/hmx.db"
expect_rc 0 "init" "$HMX" --db "$DB" init
expect_rc 0 "cycle" "$HMX" --db "$DB" cycle new rdc-upload 2027Q2
row Client.csv "PersonalID=C1" >>"$X/Client.csv"
expect_rc 1 "validate into a cycle" "$HMX" --db "$DB" validate "$X" --cycle rdc-upload-2027Q2 --format json
n=$(grep -o '"check":' "$T/out" | wc -l)
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM finding')" "$n" "every finding stored"
expect_eq "$(sqlite3 "$DB" "SELECT status || ' ' || blocking || ' ' || spec FROM validation_run")" "done 1 FY2024" "run row"
expect_eq "$(sqlite3 "$DB" "SELECT key FROM finding WHERE check_id = 'K01'")" "PersonalID=C1" "finding row"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action IN ('validation.start','validation.run') AND object LIKE 'rdc-upload-2027Q2/validation/%'")" 2 "audited"
expect_rc 0 "audit by cycle" "$HMX" --db "$DB" audit --cycle rdc-upload-2027Q2
expect_grep "validation.run" "$T/out" "run in the cycle's audit log"
expect_rc 2 "unknown cycle" "$HMX" --db "$DB" validate "$X" --cycle nope-2027Q2
expect_grep "nope-2027Q2" "$T/err" "unknown cycle named"
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM validation_run')" 1 "no run row for an unknown cycle"
expect_rc 2 "cycle without a database" "$HMX" --db "$T/none.db" validate "$X" --cycle rdc-upload-2027Q2

# --output onto a device or pipe writes into it and never replaces it
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fromfifo" &
"$HMX" validate "$X" --format json --quiet --output "$T/fifo" >/dev/null 2>&1
wait
[ -p "$T/fifo" ] && ok || bad "--output replaced a FIFO with a regular file"
expect_grep '"findings"' "$T/fromfifo" "--output into a FIFO delivers the report"

# X03: with --cycle, a project the registry knows as rdc-direct (by its HUD
# ProjectID) is blocking in any export; without --cycle nothing is known
expect_rc 0 "agency for X03" "$HMX" --db "$DB" project agency-add HAC "Housing Assistance Corporation"
expect_rc 0 "rdc-direct project" "$HMX" --db "$DB" project add hac-ch --name "HAC Carriage House" --agency HAC --source rdc-direct --hud-id P2
expect_rc 1 "X03 blocks" "$HMX" --db "$DB" validate "$X" --cycle rdc-upload-2027Q2 --format json --quiet
expect_grep '"check":"X03","severity":"blocking","file":"Project.csv","line":3,"key":"ProjectID=P2"' "$T/out" "X03 finding at the project's row"
expect_grep '"counts":{[^}]*"X03":1}' "$T/out" "one X03 per project"
"$HMX" validate "$X" --format json --quiet >"$T/out" 2>/dev/null
if grep -q '"X03"' "$T/out"; then bad "X03 without a cycle"; else ok; fi
expect_rc 0 "hmis project is fine" "$HMX" --db "$DB" project set hac-ch source hmis
"$HMX" --db "$DB" validate "$X" --cycle rdc-upload-2027Q2 --format json --quiet >"$T/out" 2>/dev/null
if grep -q '"X03"' "$T/out"; then bad "X03 once the project is not rdc-direct"; else ok; fi

# the policy limits are options
expect_rc 2 "bad --timeliness-days" "$HMX" validate "$X" --timeliness-days x
expect_rc 2 "bad --inactive-days" "$HMX" validate "$X" --inactive-days 0

finish "validate"
