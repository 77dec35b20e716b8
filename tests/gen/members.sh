#!/bin/sh
# tests/gen/members.sh — a made-up MCP member list for a client list hmx
# sent (tests and the demo; issue 9). Usage:
#   sh tests/gen/members.sh CLIENT-LIST.csv OUT.csv [EFFECTIVE [TERMINATION]]
# Reads the list `hmx match list` wrote (header of the seed's titles,
# every value quoted, no embedded quotes or commas) and writes the seed's
# return elements (assets/match-columns.ini defaults) for the clients
# that are "members": every 4th row of the list is not (the MCP destroys
# non-member data). Names and DOB are copied from the list, so they
# match; plan Medi-Cal (D-SNP for every 5th row), member ID M + row,
# CIN 9 + row + A, effective EFFECTIVE (default 2026-09-01), a
# termination on every 7th row (TERMINATION, default 2026-10-31), ECM
# enrolled on every 3rd row, Housing Navigation (CS1) on rows 2, 7, 12...
# Deterministic: the same list gives the same bytes.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 CLIENT-LIST.csv OUT.csv [EFFECTIVE [TERMINATION]]" >&2; exit 2; }
eff=${3:-2026-09-01}
term=${4:-2026-10-31}
tmp="$2.tmp.$$"
umask 077
awk -v eff="$eff" -v term="$term" '
function val(t,   i) { i = col[t]; return i ? f[i] : "" }
{
	sub(/\r$/, "")
	if (NR == 1) {
		n = split($0, h, ",")
		for (i = 1; i <= n; i++) col[h[i]] = i
		if (!col["HMIS Client ID"]) { print "no HMIS Client ID column" > "/dev/stderr"; exit 2 }
		print "HMIS Client ID,First Name,Middle Name,Last Name,Suffix,Date of Birth,MCP," \
		      "MCP Coverage/Plan Type,MCP Member ID,CIN,MCP Date of Enrollment," \
		      "MCP Date of Exit,ECM,ECM Provider,Date of Enrollment for ECM," \
		      "Date of Discharge for ECM,CS1 Name,CS1 Enrolled,CS1 Provider," \
		      "CS1 Date of Enrollment,CS1 Date of Discharge\r"
		next
	}
	line = $0
	gsub(/^"|"$/, "", line)
	split(line, f, "\",\"")
	r = NR - 1
	if (r % 4 == 0)
		next
	ecm = r % 3 == 1
	cs = r % 5 == 2
	printf "%s,%s,%s,%s,%s,%s,Demo Health Plan,%s,M%06d,9%07dA,%s,%s,%s,%s,%s,,%s,%s,%s,%s,\r\n",
	       val("HMIS Client ID"), val("First Name"), val("Middle Name"), val("Last Name"),
	       val("Suffix"), val("Date of Birth"), r % 5 == 0 ? "D-SNP" : "Medi-Cal", r, r, eff,
	       r % 7 == 0 ? term : "", ecm ? "enrolled" : "not enrolled", ecm ? "Harbor ECM" : "",
	       ecm ? "2026-10-01" : "", cs ? "Housing Navigation" : "", cs ? "enrolled" : "",
	       cs ? "Cape Navigation" : "", cs ? "2026-10-15" : ""
}' "$1" >"$tmp"
mv "$tmp" "$2"
