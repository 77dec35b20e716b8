# tests/lib.sh — helpers for the shell test suites (sourced, POSIX sh).
# Needs $HMX (the built binary). Gives a private temporary directory $T,
# removed on exit, a fixed clock and user, and small assertion helpers that
# count passes and failures and print "NAME: N passed, M failed" at the end.
set -u
: "${HMX:?set HMX to the hmx binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/hmxsh.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export HOME="$T/home" HMX_TODAY=2026-11-27 HMX_NOW=2026-11-27T12:00:00Z HMX_USER=admin
export NO_COLOR=1 TERM=xterm-256color
unset HMX_DB XDG_DATA_HOME
mkdir -p "$HOME"
_pass=0
_fail=0

ok() { _pass=$((_pass + 1)); }
bad() { _fail=$((_fail + 1)); echo "FAIL: $*"; }

# expect_rc WANT DESCRIPTION CMD... : runs CMD, stdout to $T/out, stderr to $T/err
expect_rc() {
	_want=$1; _desc=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	_got=$?
	if [ "$_got" = "$_want" ]; then ok; else
		bad "$_desc: exit $_got, wanted $_want"; sed 's/^/  stderr: /' "$T/err" | head -5; fi
}

# expect_grep PATTERN FILE DESCRIPTION
expect_grep() {
	if grep -q -- "$1" "$2"; then ok; else bad "$3: no '$1' in $(basename "$2")"; sed 's/^/  | /' "$2" | head -10; fi
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', wanted '$2'"; fi
}

# one line on stderr, naming the problem
expect_one_line_err() {
	_n=$(wc -l <"$T/err")
	if [ "$_n" -eq 1 ]; then ok; else bad "$1: stderr has $_n lines"; cat "$T/err"; fi
}

finish() {
	echo "$1: $_pass passed, $_fail failed"
	[ "$_fail" -eq 0 ]
}
