#!/bin/sh
# tests/run.sh — runs every test of `make check`: the cmocka unit-test
# binaries given as arguments, then the shell suites (screen tests,
# end-to-end tests) found as tests/*/run.sh and tests/e2e/*.sh. Prints one
# closing line "check: N passed, M failed" and exits non-zero on any failure.
# Each PASS/FAIL line gives the seconds the test took.
# MEMCHECK=1 runs the unit binaries under valgrind and skips the shell suites.
set -u
pass=0
fail=0
failed=""
vg=""
if [ "${MEMCHECK:-}" = 1 ]; then
	vg="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp"
fi
run() { # name, command...
	name=$1; shift
	log=$(mktemp)
	t0=$(date +%s)
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1)); echo "PASS $name ($(( $(date +%s) - t0 )) s)"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL $name ($(( $(date +%s) - t0 )) s)"; sed 's/^/    /' "$log" | tail -60
	fi
	rm -f "$log"
}
for t in "$@"; do
	run "$(basename "$t")" $vg "$t"
done
if [ "${MEMCHECK:-}" != 1 ]; then
	for s in tests/*/run.sh tests/e2e/*.sh; do
		[ -f "$s" ] || continue
		case "$s" in tests/e2e/run.sh) continue;; esac
		run "$s" sh "$s"
	done
fi
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed:$failed"; exit 1; }
