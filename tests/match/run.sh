#!/bin/sh
# tests/match/run.sh — `hmx consent` and `hmx match` from the command line:
# a roster imported (bad rows reported by line, nothing loaded; re-import
# replaces its scopes), listed and shown; the MCP client list built from a
# small hand-made export (each consent verdict, inactive clients left out,
# --fields, the site default) and from an hmxgen export (counts add up);
# the file 0600 with nothing left under a temporary name, an existing file
# refused; the manifest printed (text and JSON); no name or DOB of either
# export in `sqlite3 .dump` of the database; purge asking first (No in
# batch), --yes, the purge step ticked once the list was sent.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
C=mcp-match-2026B5 # 2026-03-01 .. 2026-04-30 (July fiscal year)
q() { sqlite3 "$DB" "$1"; }
mode() { stat -c %a "$1"; }

expect_rc 0 "init" H init
expect_rc 0 "cycle new" H cycle new mcp-match 2026B5
expect_rc 2 "bad period refused" H cycle new mcp-match 2026M4

# ---- consent ----
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
cat >"$X/Enrollment.csv" <<'CSV'
EnrollmentID,PersonalID,ProjectID,EntryDate,DateDeleted
e1,k1,501,2026-01-10,
e2,k2,501,2026-01-10,
e3,k3,501,2026-01-10,
e4,k4,501,2026-01-10,
e5,k5,501,2026-01-10,
e6,k6,501,2024-01-10,
CSV
cat >"$X/Exit.csv" <<'CSV'
ExitID,EnrollmentID,ExitDate,DateDeleted
x6,e6,2025-02-01,
CSV
printf 'PersonalID,scope,start,end,revoked\n' >"$T/roster.csv"
cat >>"$T/roster.csv" <<'CSV'
k1,mcp-match,2026-04-02,,
k2,mcp-match,2025-01-01,2026-04-01,
k3,mcp-match,2025-01-01,,2026-03-20
k4,rdc-upload,2025-01-01,,
k6,mcp-match,2025-01-01,,
CSV

printf 'PersonalID,scope,start,end,revoked\nk1,mcp-match,2026-13-01,,\nk2,Bad Scope,2025-01-01,,\nk3,mcp-match,2025-01-01,,\n' >"$T/bad.csv"
expect_rc 2 "bad roster refused" H consent import "$T/bad.csv"
expect_grep "bad.csv:2: PersonalID k1: start" "$T/err" "bad roster: line 2 named"
expect_grep "bad.csv:3: .*bad scope" "$T/err" "bad roster: line 3 named"
expect_grep "2 bad row(s) of 3: nothing loaded" "$T/err" "bad roster: nothing loaded"
expect_eq "$(q 'SELECT count(*) FROM consent')" 0 "bad roster: no row stored"
printf 'PersonalID,scope,start\nk1,mcp-match,2026-01-01\n' >"$T/hdr.csv"
expect_rc 2 "roster without the full header" H consent import "$T/hdr.csv"
expect_grep ":1: the header must be" "$T/err" "header problem on line 1"
expect_rc 2 "missing roster" H consent import "$T/nope.csv"

expect_rc 0 "roster import" H consent import "$T/roster.csv"
expect_grep "5 release(s) loaded for mcp-match,rdc-upload (0 replaced)" "$T/out" "import summary"
expect_rc 0 "consent list" H consent list --scope mcp-match
expect_eq "$(grep -c mcp-match "$T/out")" 4 "list by scope"
expect_grep "k3 .*2026-03-20 *revoked" "$T/out" "revoked shown"
expect_rc 0 "consent list json" H consent list --format json
expect_grep '"personal_id":"k4","scope":"rdc-upload"' "$T/out" "json list"
expect_rc 0 "consent show" H consent show k2
expect_grep "k2 .*2026-04-01 .*expired" "$T/out" "show: expired today"
expect_rc 0 "consent show none" H consent show k5
expect_grep "no release" "$T/out" "show: no release"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action='consent.import'")" 1 "one audit row"
expect_grep "rows=5" "$(q "SELECT after FROM audit WHERE action='consent.import'" >"$T/a"; echo "$T/a")" "audit: counts"

# ---- the list ----
expect_rc 2 "list needs -o" H match list "$C" --from "$X"
expect_rc 2 "bad --active-since" H match list "$C" --from "$X" -o "$T/lists/l.csv" --active-since 2026-02-30
expect_rc 0 "match list" H match list "$C" --from "$X" -o "$T/lists/list.csv"
expect_grep "1 row(s), 0600" "$T/out" "rows printed"
expect_grep "clients   6" "$T/out" "manifest: clients"
expect_grep "inactive  1" "$T/out" "manifest: inactive"
expect_grep "eligible  5" "$T/out" "manifest: eligible"
expect_grep "sent      1" "$T/out" "manifest: sent"
expect_grep "left out  2 no-release" "$T/out" "manifest: no release (other scope, none)"
expect_grep "left out  1 expired" "$T/out" "manifest: expired"
expect_grep "left out  1 revoked" "$T/out" "manifest: revoked"
expect_eq "$(mode "$T/lists/list.csv")" 600 "list is 0600"
expect_eq "$(ls -A "$T/lists" | wc -l | tr -d ' ')" 1 "no temporary left"
expect_eq "$(sed -n 2p "$T/lists/list.csv" | cut -d, -f1)" '"k1"' "k1 (release starts on the export date) sent"
expect_eq "$(wc -l <"$T/lists/list.csv" | tr -d ' ')" 2 "header and one row"
expect_grep '"full name reported","1977-08-19","full DOB reported","female","2026-03-01"' "$T/lists/list.csv" "option words"
SHA=$(sha256sum "$T/lists/list.csv" | cut -d' ' -f1)
expect_eq "$(q "SELECT sha256 || ' ' || rows FROM match_list")" "$SHA 1" "recorded by hash and rows"
expect_rc 2 "existing list refused" H match list "$C" --from "$X" -o "$T/lists/list.csv"
expect_grep "never overwritten" "$T/err" "refusal says why"
expect_eq "$(sha256sum "$T/lists/list.csv" | cut -d' ' -f1)" "$SHA" "existing list untouched"
expect_rc 0 "active since 2025" H match list "$C" --from "$X" -o "$T/lists/since.csv" --active-since 2025-01-01 --format json
expect_grep '"inactive":0' "$T/out" "json manifest: k6 active since 2025"
expect_grep '"sent":2' "$T/out" "json manifest: k6 sent"
expect_rc 0 "fields" H match list "$C" --from "$X" -o "$T/lists/dob.csv" --fields dob
expect_eq "$(head -1 "$T/lists/dob.csv" | tr -d '\r')" "HMIS Client ID,Date of Birth" "fields narrowed"
expect_rc 2 "bad field" H match list "$C" --from "$X" -o "$T/lists/bad.csv" --fields ssn
expect_rc 0 "site add" H site add mcp --host sftp.example.org --role mcp
expect_rc 0 "site fields set" H match fields mcp last_name
expect_grep "mcp: client_id,last_name" "$T/out" "site fields shown"
expect_rc 0 "list with the site default" H match list "$C" --from "$X" -o "$T/lists/site.csv" --site mcp
expect_eq "$(head -1 "$T/lists/site.csv" | tr -d '\r')" "HMIS Client ID,Last Name" "site default applied"
expect_rc 2 "wrong cycle kind" sh -c "\"$HMX\" --db \"$DB\" cycle new rdc-upload 2026Q4 >/dev/null && \"$HMX\" --db \"$DB\" match list rdc-upload-2026Q4 --from \"$X\" -o \"$T/lists/r.csv\""

# ---- a generated export: the counts add up ----
G="$T/gen"
"$HMXGEN" --out "$G" --clients 300 --seed 9 --quiet --assets "$ASSETS" --zip "$T/gen.zip" || bad "hmxgen"
expect_rc 0 "cycle for the generated export" H cycle new mcp-match 2025B2
# every other client has a release; a few revoked
{
	echo "PersonalID,scope,start,end,revoked"
	tail -n +2 "$G/Client.csv" | cut -d, -f1 | tr -d '"' | awk 'NR % 2 == 0 { printf "%s,mcp-match,2020-01-01,,%s\n", $1, (NR % 10 == 0 ? "2024-01-01" : "") }'
} >"$T/genroster.csv"
expect_rc 0 "generated roster" H consent import "$T/genroster.csv"
expect_grep "(4 replaced)" "$T/out" "re-import replaced the scope's rows"
expect_eq "$(q "SELECT count(*) FROM consent WHERE scope='rdc-upload'")" 1 "other scope kept"
expect_rc 0 "generated list" H match list mcp-match-2025B2 --from "$G" -o "$T/lists/gen.csv" --format json
tr ',{}' '\n\n\n' <"$T/out" | tr -d '"' >"$T/kv"
val() { sed -n "s/^$1://p" "$T/kv" | head -1; }
CL=$(val clients); IN=$(val inactive); EL=$(val eligible); SE=$(val sent)
NR=$(val no-release); EX=$(val expired); NY=$(val not-yet); RV=$(val revoked)
expect_eq "$((IN + EL))" "$CL" "clients = inactive + eligible"
expect_eq "$((SE + NR + EX + NY + RV))" "$EL" "eligible = sent + left out"
expect_eq "$(($(wc -l <"$T/lists/gen.csv") - 1))" "$SE" "rows = sent"
expect_rc 0 "generated list from the zip" H match list mcp-match-2025B2 --from "$T/gen.zip" -o "$T/lists/genzip.csv"
expect_eq "$(sha256sum <"$T/lists/genzip.csv")" "$(sha256sum <"$T/lists/gen.csv")" "zip and folder give the same list"
[ "$SE" -gt 0 ] && [ "$RV" -gt 0 ] && [ "$NR" -gt 0 ] && ok || bad "generated: some sent, some revoked, some without release ($SE/$RV/$NR)"

# ---- no PII in the database ----
sqlite3 "$DB" .dump >"$T/dump.sql"
[ -s "$T/dump.sql" ] && ok || bad "empty dump"
for w in Quillameth Dorvanse Threnody Aubergast Pellucida Marrowind Brisendel Tollymore 1977-08-19 1962-02-14 1999-09-09 1988-08-08; do
	if grep -q "$w" "$T/dump.sql"; then bad "database holds '$w'"; else ok; fi
done
tail -n +2 "$G/Client.csv" | head -40 | awk -F, '{ print $2; print $4; print $9 }' | tr -d '"' | grep -v '^$' | sort -u >"$T/genpii"
n=0
while read -r w; do
	if grep -qF -- "$w" "$T/dump.sql"; then bad "database holds generated '$w'"; n=$((n + 1)); fi
done <"$T/genpii"
expect_eq "$n" 0 "no generated name or DOB in the database"

expect_rc 0 "match show" H match show "$C"
expect_eq "$(grep -c ' kept ' "$T/out")" 4 "four lists kept"
expect_rc 0 "match show json" H match show "$C" --format json
expect_grep '"manifest":{"scope":"mcp-match"' "$T/out" "json show: manifest"
expect_rc 2 "match show unknown cycle" H match show mcp-match-2030B1
expect_eq "$(q "SELECT count(*) FROM match_sent s JOIN match_list l ON l.id = s.list_id WHERE l.cycle = '$C'")" 5 "IDs sent kept (1+2+1+1)"

# ---- purge ----
expect_rc 1 "purge asks (No in batch)" H match purge "$C" </dev/null
expect_eq "$(ls "$T/lists"/*.csv | wc -l | tr -d ' ')" 6 "nothing removed without yes"
expect_rc 0 "purge --yes" H match purge "$C" --yes
expect_grep "4 file(s) removed" "$T/out" "purge count"
expect_grep "send-list" "$T/out" "step not ticked before the list is sent"
expect_eq "$(ls "$T/lists"/*.csv | wc -l | tr -d ' ')" 2 "the other cycle's lists kept"
expect_eq "$(q "SELECT count(*) FROM match_list WHERE cycle='$C' AND purged_at IS NULL")" 0 "purged_at set"
for s in confirm-releases build-list send-list; do H step set "$C" $s done >/dev/null || bad "step $s"; done
expect_rc 0 "list again" H match list "$C" --from "$X" -o "$T/lists/again.csv"
expect_rc 0 "purge ticks the step" H match purge "$C" --yes
expect_grep "step purge: done" "$T/out" "purge step done"
expect_rc 0 "step list" H step list "$C"
expect_grep "^purge  *done" "$T/out" "checklist shows purge done"
expect_rc 0 "match show after purge" H match show "$C"
expect_eq "$(grep -c ' kept ' "$T/out")" 0 "nothing kept"
expect_rc 0 "purge with nothing left" H match purge "$C"
expect_rc 2 "purge unknown cycle" H match purge mcp-match-2030B1 --yes

# ---- help ----
for v in "consent import" "consent list" "consent show" "match list" "match show" "match purge" "match fields"; do
	expect_rc 0 "help $v" "$HMX" help $v
done

finish match
