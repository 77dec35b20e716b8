#!/bin/sh
# tests/bench/bench.sh — `make bench`: builds a deterministic synthetic FY2024
# export of BENCH_MB megabytes with hmxgen (cached under build/bench/), then
# times the raw libcsv pass (tests/bench/rawcsv.c) and `hmx validate` on the
# same files and prints input MB, seconds, MB/s, the ratio to the raw pass,
# peak RSS and RSS as a percentage of the input. Each command runs twice
# (the first warms the page cache) and the faster run counts.
# Needs HMX, HMXGEN, RAWCSV (paths of the built programs).
set -eu
: "${HMX:?}" "${HMXGEN:?}" "${RAWCSV:?}"
MB=${BENCH_MB:-2000}
DIR=${BENCH_DIR:-build/bench/fy2024-${MB}mb}
if [ ! -f "$DIR/.complete" ]; then
	rm -rf "$DIR"
	mkdir -p "$DIR"
	echo "bench: generating a ${MB} MB FY2024 export in $DIR"
	"$HMXGEN" --out "$DIR" --spec FY2024 --mb "$MB" --seed 1 >/dev/null
	touch "$DIR/.complete"
fi
bytes=$(cat "$DIR"/*.csv | wc -c)
in_mb=$(awk "BEGIN { printf \"%.1f\", $bytes / 1048576 }")

# run NAME CMD...: best of two, prints "seconds maxrss_kb"
best() {
	best_s=""; best_k=""
	for _ in 1 2; do
		/usr/bin/time -f "%e %M" -o build/bench/time.out "$@" >/dev/null 2>build/bench/err.out || {
			rc=$?; [ "$rc" -le 1 ] || { cat build/bench/err.out; exit 1; }; }
		read -r s k <build/bench/time.out
		if [ -z "$best_s" ] || awk "BEGIN { exit !($s < $best_s) }"; then best_s=$s; best_k=$k; fi
	done
	echo "$best_s $best_k"
}

set -- $(best "$RAWCSV" "$DIR"); raw_s=$1; raw_k=$2
set -- $(best "$HMX" validate "$DIR" --quiet --format json --output build/bench/findings.json); val_s=$1; val_k=$2

row() { # name seconds rss_kb
	awk -v n="$1" -v s="$2" -v k="$3" -v mb="$in_mb" -v raw="$raw_s" 'BEGIN {
		mbs = s > 0 ? mb / s : 0; ratio = s > 0 ? raw / s * 100 : 0
		printf "| %-22s | %8.1f | %7.2f | %7.1f | %6.0f%% | %8.1f | %6.2f%% |\n", n, mb, s, mbs, ratio, k / 1024, k / 1024 / mb * 100
	}'
}
echo
echo "| step                   | input MB |       s |    MB/s | vs raw | peak RSS MB | RSS/input |"
echo "|------------------------|---------:|--------:|--------:|-------:|---------:|--------:|"
row "raw libcsv pass" "$raw_s" "$raw_k"
row "hmx validate" "$val_s" "$val_k"
echo
echo "targets: hmx validate >= 60% of the raw pass, peak RSS <= 15% of input"
