#!/bin/sh
# tests/golden/run.sh — the golden test of the validator: hmxgen writes a
# whole export with every data-seedable defect and a manifest of the exact
# number of findings each check must give (checks.md's counting); hmx
# validate must report exactly those counts, on the folder and on the zip,
# and nothing on the clean export of the same seed. Also: same input, same
# output byte for byte.
. "$(dirname "$0")/../lib.sh"
GEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS="$(dirname "$0")/../../assets"

counts() { # json file -> "CHECK,N" lines, sorted
	sed -n 's/.*"counts":{\([^}]*\)}.*/\1/p' "$1" | tr ',' '\n' | sed 's/"//g; s/:/,/' | grep . | sort
}

for spec in FY2024 FY2026; do
	d="$T/$spec"
	"$GEN" --out "$d/clean" --spec $spec --clients 300 --seed 7 --assets "$ASSETS" --quiet
	expect_rc 0 "$spec clean export validates" "$HMX" validate "$d/clean" --format json --quiet
	counts "$T/out" >"$T/got"
	expect_eq "$(cat "$T/got")" "" "$spec clean export has no findings"

	"$GEN" --out "$d/bad" --spec $spec --clients 300 --seed 7 --defects all --assets "$ASSETS" \
		--zip "$d/bad.zip" --manifest "$d/manifest.csv" --quiet
	grep -v '^check,' "$d/manifest.csv" | sort >"$T/want"
	for input in "$d/bad" "$d/bad.zip"; do
		"$HMX" validate "$input" --format json --quiet >"$T/out" 2>"$T/err"
		rc=$?
		expect_eq "$rc" 1 "$spec $(basename "$input"): blocking findings exit 1"
		counts "$T/out" >"$T/got"
		# P08 is seeded in the zip only
		if [ "$input" = "$d/bad" ]; then grep -v '^P08,' "$T/want" >"$T/want2"; else cp "$T/want" "$T/want2"; fi
		if diff "$T/want2" "$T/got" >"$T/diff"; then ok; else
			bad "$spec $(basename "$input"): counts differ from the manifest (< want, > got)"; cat "$T/diff"; fi
	done
	"$HMX" validate "$d/bad.zip" --format json --quiet >"$T/run2" 2>/dev/null
	"$HMX" validate "$d/bad.zip" --format json --quiet >"$T/run3" 2>/dev/null
	if cmp -s "$T/run2" "$T/run3"; then ok; else bad "$spec: two runs differ"; fi
done
finish golden
