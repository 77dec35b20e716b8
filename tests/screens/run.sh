#!/bin/sh
# tests/screens/run.sh — screen tests: the real shell, headless, driven by
# the key scripts tests/screens/*.keys (tokens: see tui/script.h; a line
# "# args: ..." gives the hmx options), each screen dump compared with
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

finish "screens"
