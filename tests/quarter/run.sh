#!/bin/sh
# tests/quarter/run.sh — a whole quarter walked with the real CLI on
# generated data (issue 6, "Done when", first bullet). The seed's registry
# (`hmx demo --seed-only`: six RDC-direct projects, three outside-agency
# projects, five HMIS projects); cycles rdc-download, agency-intake and
# rdc-upload for 2025Q1 (Jul-Sep 2024, what hmxgen's exports cover).
#   1. one RDC file per RDC-direct project and one file per outside-agency
#      project, each a generated export cut down to one project and its
#      linked rows; every file mapped (one through its HUD ProjectID, the
#      others by hand); download/<project> and receive/<project> ticked;
#      X01 and X02 counted before and after.
#   2. the next quarter: the same projects' new files; the remembered
#      aliases proposed first and `hmx map --accept` confirms them.
#   3. the HMIS export (reporting-group projects and, deliberately, one
#      project whose ProjectID is an RDC-direct project's HUD ProjectID)
#      intaken into rdc-upload, mapped and filtered by `hmx export build`:
#      none of the RDC-direct projects, every kept enrollment's linked rows,
#      and it re-validates with no X03 and no finding the input lacked.
. "$(dirname "$0")/../lib.sh"
DB="$T/ws/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
Q=2025Q1
Q2=2025Q2
D=rdc-download-$Q
A=agency-intake-$Q
U=rdc-upload-$Q
jcount() { grep -o -- "$1" "$T/out" | wc -l | tr -d ' '; }
# data lines of FILE of a zip or folder, without the line ending
lines() { # ZIP|DIR FILE
	if [ -d "$1" ]; then tail -n +2 "$1/$2"; else unzip -p "$1" "$2" | tail -n +2; fi | tr -d '\r'
}

gen() { # DIR SEED CLIENTS
	"$HMXGEN" --assets "$ASSETS" --out "$1" --clients "$3" --projects 10 --seed "$2" --quiet 2>"$T/err" ||
		{ bad "hmxgen --seed $2: $(cat "$T/err")"; finish quarter; exit 1; }
}

# only_project SRC DST PID: the export SRC cut down to project PID: its
# Project.csv row, the rows whose every ProjectID column is PID, its
# enrollments and every row linked to them, their clients; Export.csv,
# Organization.csv and User.csv whole. hmxgen quotes IDs and writes no
# comma inside a field.
only_project() {
	mkdir -p "$2"
	for f in Enrollment.csv $(cd "$1" && ls *.csv | grep -v '^Enrollment.csv$'); do
		awk -F, -v p="\"$3\"" -v f="$f" -v enr="$2/Enrollment.csv" '
			BEGIN { if (f != "Enrollment.csv") while ((getline l < enr) > 0) if (n++) {
				split(l, a, ","); e[a[1]] = 1; c[a[2]] = 1 } }
			NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h)
					if (h == "ProjectID" || h == "ResProjectID") pc[np++] = i
					if (h == "EnrollmentID") ec = i }
				print; next }
			f == "Project.csv" { if ($1 == p) print; next }
			np { for (i = 0; i < np; i++) if ($(pc[i]) != p) next; print; next }
			ec { if ($ec in e) print; next }
			f == "Client.csv" { if ($1 in c) print; next }
			{ print }' "$1/$f" >"$2/$f"
	done
}

# renumber DIR OLD=NEW...: every ProjectID and ResProjectID cell OLD becomes NEW
renumber() {
	_d=$1; shift
	for f in "$_d"/*.csv; do
		awk -F, -v OFS=, -v map="$*" '
			BEGIN { n = split(map, m, " "); for (i = 1; i <= n; i++) { split(m[i], kv, "=")
				to["\"" kv[1] "\""] = "\"" kv[2] "\"" } }
			NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h)
					if (h == "ProjectID" || h == "ResProjectID") pc[np++] = i }
				print; next }
			{ for (i = 0; i < np; i++) if ($(pc[i]) in to) $(pc[i]) = to[$(pc[i])]; print }' \
			"$f" >"$f.tmp" && mv "$f.tmp" "$f"
	done
}

# next_quarter DIR: Export.csv says it covers up to 2024-12-31, made 2025-01-03
next_quarter() {
	awk -F, -v OFS=, 'NR == 2 { $10 = "2025-01-03 02:15:00"; $12 = "2024-12-31" } { print }' \
		"$1/Export.csv" >"$1/Export.tmp" && mv "$1/Export.tmp" "$1/Export.csv"
}

# the SHA-256 of the file `hmx intake --format json` just took in ($T/out)
last_file() { grep -o '"file":"[0-9a-f]*"' "$T/out" | head -1 | cut -d'"' -f4; }

# findings of `hmx validate --format json` as "check file key" lines (an
# Export.csv finding is keyed by the export's own ExportID)
findings() { # PATH [--cycle C]
	_p=$1; shift
	"$HMX" --db "$DB" validate "$_p" --format json --quiet "$@" 2>/dev/null | tr '{' '\n' | grep '^"check"' |
		sed -e 's/"line":[0-9]*,//' -e 's/"severity":"[^"]*",//' -e 's/"detail":"[^"]*",*//' \
			-e 's/"project":"[^"]*",*//' -e 's/}.*//' |
		sed -e '/"file":"Export.csv"/s/"key":"[^"]*"/"key":"*"/' | sort -u
}

# --- the seed's registry and the quarter's cycles
expect_rc 0 "demo registry" H demo --seed-only
expect_rc 0 "project list" H project list
expect_eq "$(grep -c ' rdc-direct ' "$T/out")" 6 "six RDC-direct projects (footnote 1)"
expect_eq "$(grep -c ' outside-agency ' "$T/out")" 3 "three outside-agency projects (footnote 2)"
for c in rdc-download agency-intake rdc-upload; do
	expect_rc 0 "cycle new $c" H cycle new $c $Q
done
H step set $D meet-rdc done >/dev/null

# RDC-direct projects and outside-agency projects, with the generator's
# ProjectID each one's file carries (the HAC Carriage House file carries
# its HUD ProjectID 1101; the others the RDC's own numbers)
RDC="hac-carriage-house:1 hac-cataumet:2 hac-scattered:3 cacci-safe-harbor:4 vneoc-ssvf-hp:5 vneoc-ssvf-rrh:6"
AGY="hpc-case-mgmt:7 hpc-dyrs:8 hpc-mhsa:9"
srcid() { # PID -> the ProjectID in the file
	case $1 in 1) echo 1101 ;; *) echo "$1" ;; esac
}

# one file per project: generated, cut down to that project
mkfiles() { # QUARTER SEEDBASE
	for pp in $RDC $AGY; do
		pid=${pp#*:}
		gen "$T/gen/$1-$pid" $(($2 + pid)) 80
		only_project "$T/gen/$1-$pid" "$T/$1/$pid" "$pid"
		[ "$pid" = 1 ] && renumber "$T/$1/$pid" 1=1101
		[ "$1" = "$Q2" ] && next_quarter "$T/$1/$pid"
		n=$(lines "$T/$1/$pid" Enrollment.csv | wc -l | tr -d ' ')
		[ "$n" -gt 0 ] && ok || bad "$1 file of ProjectID $pid has no enrollment"
		expect_eq "$(lines "$T/$1/$pid" Project.csv | wc -l | tr -d ' ')" 1 "$1 file $pid: one project"
	done
}
mkfiles $Q 100

# --- before any file: X02 for each expected project
expect_rc 0 "map state, no file" H map $D --format json
expect_eq "$(jcount '"check":"X02"')" 6 "X02 per RDC-direct project without a file"
expect_rc 0 "agency map state, no file" H map $A --format json
expect_eq "$(jcount '"check":"X02"')" 3 "X02 per outside-agency project without a file"

# --- intake and map the six RDC files
for pp in $RDC; do
	proj=${pp%:*} pid=${pp#*:}
	sid=$(srcid "$pid")
	expect_rc 0 "intake RDC file $pid" H intake $D "$T/$Q/$pid" --received 2024-10-03 --format json
	expect_grep '"source":"rdc"' "$T/out" "RDC file $pid: source rdc"
	expect_grep '"counts":{"projects":1,' "$T/out" "RDC file $pid: one project counted"
	expect_grep '"findings":\[\]' "$T/out" "RDC file $pid: covers the quarter, on time"
	expect_grep '"validation":{"run":[0-9]*,"blocking":0,"errors":0,"warnings":0}' "$T/out" "RDC file $pid: validates clean"
	F=$(last_file)
	eval "F_$pid=$F"
	expect_rc 0 "map state after intake $pid" H map $D --format json
	expect_eq "$(jcount '"check":"X01"')" 1 "RDC file $pid: X01 until mapped"
	if [ "$pid" = 1 ]; then
		expect_grep "\"source_project_id\":\"1101\",[^}]*\"proposal\":{\"via\":\"hud-id\",\"project\":\"hac-carriage-house\"" \
			"$T/out" "HUD ProjectID proposed"
	fi
	expect_rc 0 "map RDC file $pid" H map $D "$F" "$sid" "$proj"
	expect_grep "step download/$proj: todo -> done" "$T/out" "download/$proj ticked"
done
expect_rc 0 "RDC step list" H step list $D --format json
for pp in $RDC; do
	proj=${pp%:*}
	expect_grep "\"code\":\"download/$proj\",\"parent\":\"download\"[^}]*\"state\":\"done\"" "$T/out" "download/$proj done"
done
expect_rc 0 "RDC map state" H map $D --format json
expect_eq "$(jcount '"check":"X0[12]"')" 0 "RDC cycle: no X01, no X02"
expect_eq "$(jcount '"state":"mapped"')" 6 "RDC cycle: six projects mapped"

# --- the three outside-agency files: X01 while unmapped, X02 until all came
for pp in $AGY; do
	proj=${pp%:*} pid=${pp#*:}
	expect_rc 0 "intake agency file $pid" H intake $A "$T/$Q/$pid" --received 2024-10-02 --format json
	expect_grep '"source":"agency:HPC"' "$T/out" "agency file $pid: source agency:HPC"
	expect_grep '"findings":\[\],"validation":{"run":[0-9]*,"blocking":0,"errors":0,"warnings":0}' "$T/out" \
		"agency file $pid: on time, validates clean"
	eval "F_$pid=$(last_file)"
done
expect_rc 0 "agency map state, unmapped" H map $A --format json
expect_eq "$(jcount '"check":"X01"')" 3 "X01 per unmapped agency project"
expect_eq "$(jcount '"check":"X02"')" 3 "X02 while nothing is mapped"
expect_rc 0 "accept takes no name match" H map $A --accept
expect_grep "accepted 0 " "$T/out" "nothing accepted without an alias"
for pp in $AGY; do
	proj=${pp%:*} pid=${pp#*:}
	eval "F=\$F_$pid"
	expect_rc 0 "map agency file $pid" H map $A "$F" "$pid" "$proj"
	expect_grep "step receive/$proj: todo -> done" "$T/out" "receive/$proj ticked"
done
expect_rc 0 "agency step list" H step list $A --format json
for pp in $AGY; do
	proj=${pp%:*}
	expect_grep "\"code\":\"receive/$proj\",\"parent\":\"receive\"[^}]*\"state\":\"done\"" "$T/out" "receive/$proj done"
done
expect_rc 0 "agency map state" H map $A --format json
expect_eq "$(jcount '"check":"X0[12]"')" 0 "agency cycle: no X01, no X02"

# --- the next quarter: aliases proposed first, accepted
mkfiles $Q2 200
D2=rdc-download-$Q2
A2=agency-intake-$Q2
H cycle new rdc-download $Q2 >/dev/null
H cycle new agency-intake $Q2 >/dev/null
H step set $D2 meet-rdc done >/dev/null
for pp in $RDC; do
	expect_rc 0 "next quarter RDC intake ${pp#*:}" H intake $D2 "$T/$Q2/${pp#*:}" --received 2025-01-03
done
for pp in $AGY; do
	expect_rc 0 "next quarter agency intake ${pp#*:}" H intake $A2 "$T/$Q2/${pp#*:}" --received 2025-01-03
done
for c in $D2 $A2; do
	case $c in rdc-*) set -- $RDC ;; *) set -- $AGY ;; esac
	expect_rc 0 "$c state" H map $c --format json
	expect_eq "$(jcount '"check":"X01"')" $# "$c: X01 before accepting"
	for pp in "$@"; do
		sid=$(srcid "${pp#*:}")
		expect_grep "\"source_project_id\":\"$sid\",[^}]*\"proposal\":{\"via\":\"alias\",\"project\":\"${pp%:*}\"" \
			"$T/out" "$c: alias proposed first for ${pp%:*}"
	done
	expect_rc 0 "$c accept" H map $c --accept
	expect_grep "accepted $# alias and HUD ProjectID proposals" "$T/out" "$c: every alias accepted"
	expect_rc 0 "$c state after" H map $c --format json
	expect_eq "$(jcount '"check":"X0[12]"')" 0 "$c: no X01, no X02"
	expect_eq "$(jcount '"state":"mapped"')" $# "$c: all mapped"
	expect_rc 0 "$c steps" H step list $c --format json
	for pp in "$@"; do
		expect_grep "\"code\":\"[a-z]*/${pp%:*}\",\"parent\":\"\(download\|receive\)\"[^}]*\"state\":\"done\"" \
			"$T/out" "$c: ${pp%:*} ticked"
	done
done

# --- the HMIS export into the upload
# ProjectIDs 2..6 become the HMIS projects' HUD ProjectIDs; 1 becomes 1101,
# HAC Carriage House's (an RDC-direct project's data in the HMIS too); 7..9
# the outside agencies' projects imported into the HMIS; 10 is not ours.
gen "$T/hmis" 3 300
renumber "$T/hmis" 1=1101 2=2001 3=2002 4=2003 5=3001 6=3002
KEPT='"2001" "2002" "2003" "3001" "3002" "7" "8" "9"'
expect_rc 0 "intake the HMIS export" H intake $U "$T/hmis" --source hmis --received 2024-10-03 --format json
expect_grep '"validation":{"run":[0-9]*,"blocking":0,"errors":0,"warnings":0}' "$T/out" "the HMIS export validates clean"
FH=$(last_file)
expect_rc 0 "accept HUD ProjectIDs" H map $U --accept
expect_grep "accepted 6 " "$T/out" "six HUD ProjectID proposals accepted"
for pp in $AGY; do
	expect_rc 0 "map HMIS project ${pp#*:}" H map $U "$FH" "${pp#*:}" "${pp%:*}"
done
expect_rc 0 "not ours" H map $U "$FH" 10 --not-ours "closed before the quarter"
expect_rc 0 "upload map state" H map $U --format json
expect_grep '"source_project_id":"1101",[^}]*"project":"hac-carriage-house"' "$T/out" "1101 mapped to the RDC-direct project"
expect_eq "$(jcount '"check":"X01"')" 0 "upload cycle: no X01"

UP="$T/upload.zip"
expect_rc 0 "export build" H export build $U --from "$FH" -o "$UP" --format json
expect_grep '"written":true' "$T/out" "upload written"
expect_grep '"counts":{"X03":0,"X04":0}' "$T/out" "no X03, no X04"
expect_eq "$(jcount '"reason":"rdc-direct"')" 1 "the RDC-direct project left out"
expect_eq "$(jcount '"reason":"not-ours"')" 1 "the not-ours project left out"
expect_eq "$(jcount '"state":"kept"')" 8 "eight projects kept"

# none of the RDC-direct projects; exactly the kept ones
RDCHUD='"1101" "1102" "1103" "1201" "1301" "1302"'
n=$(lines "$UP" Project.csv | awk -F, -v r="$RDCHUD" 'BEGIN { split(r, a, " "); for (i in a) x[a[i]] = 1 }
	($1 in x) { n++ } END { print n + 0 }')
expect_eq "$n" 0 "Project.csv holds no RDC-direct project"
expect_eq "$(lines "$UP" Project.csv | cut -d, -f1 | sort | tr '\n' ' ')" \
	"$(echo $KEPT | tr ' ' '\n' | sort | tr '\n' ' ')" "Project.csv holds the kept projects"
for f in Enrollment.csv Funder.csv Inventory.csv ProjectCoC.csv HMISParticipation.csv CEParticipation.csv Affiliation.csv; do
	n=$(lines "$UP" $f | awk -F, -v r="$RDCHUD" 'BEGIN { split(r, a, " "); for (i in a) x[a[i]] = 1 }
		{ for (i = 2; i <= 3; i++) if ($i in x) n++ } END { print n + 0 }')
	expect_eq "$n" 0 "$f names no RDC-direct project"
done

# every kept enrollment, with every linked row
lines "$T/hmis" Enrollment.csv | awk -F, -v k="$KEPT" 'BEGIN { split(k, a, " "); for (i in a) x[a[i]] = 1 }
	($3 in x) { print $1 }' | sort -u >"$T/kept.in"
lines "$UP" Enrollment.csv | cut -d, -f1 | sort -u >"$T/kept.up"
[ -s "$T/kept.in" ] && ok || bad "no kept enrollment in the HMIS export"
expect_eq "$(cmp -s "$T/kept.in" "$T/kept.up" && echo same)" same "every enrollment of a kept project, and no other"
for f in Exit.csv IncomeBenefits.csv HealthAndDV.csv EmploymentEducation.csv Disabilities.csv \
	Services.csv CurrentLivingSituation.csv Assessment.csv AssessmentQuestions.csv \
	AssessmentResults.csv Event.csv YouthEducationStatus.csv; do
	col=2
	case $f in AssessmentQuestions.csv | AssessmentResults.csv) col=3 ;; esac
	want=$(lines "$T/hmis" $f | awk -F, -v c=$col 'NR == FNR { k[$1] = 1; next } ($c in k) { n++ } END { print n + 0 }' \
		"$T/kept.in" -)
	got=$(lines "$UP" $f | awk -F, -v c=$col 'NR == FNR { k[$1] = 1; next } ($c in k) { n++ } END { print n + 0 }' \
		"$T/kept.in" -)
	expect_eq "$got" "$want" "$f: every linked row of the kept enrollments"
	expect_eq "$(lines "$UP" $f | wc -l | tr -d ' ')" "$want" "$f: nothing else"
done
[ "$(lines "$T/hmis" Exit.csv | wc -l)" -gt "$(lines "$UP" Exit.csv | wc -l)" ] && ok ||
	bad "the input has Exit rows of left-out enrollments (the test proves nothing otherwise)"

# re-validation: the input carries an X03 against the cycle, the upload
# none, and the upload has no finding the input did not already have
findings "$T/hmis" --cycle $U >"$T/in.f"
findings "$UP" --cycle $U >"$T/up.f"
expect_grep '"check":"X03"' "$T/in.f" "the HMIS export holds an RDC-direct project (X03)"
if grep -q '"check":"X03"' "$T/up.f"; then bad "X03 on the upload"; grep X03 "$T/up.f" | head -3; else ok; fi
expect_eq "$(comm -13 "$T/in.f" "$T/up.f" | wc -l | tr -d ' ')" 0 "no new finding on the upload"
comm -13 "$T/in.f" "$T/up.f" | head -5 | sed 's/^/  new: /'
expect_rc 0 "the upload validates against the cycle" H validate "$UP" --cycle $U --quiet

finish "quarter"
