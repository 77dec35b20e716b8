#!/bin/sh
# tests/bench/bench.sh — `make bench`: builds a deterministic synthetic FY2024
# export of BENCH_MB megabytes with hmxgen (cached under build/bench/), then
# times the raw libcsv pass (tests/bench/rawcsv.c), `hmx validate` and
# `hmx export build` (with a registry of the generator's projects, a third
# of them rdc-direct) on the same files and prints input MB, seconds, MB/s,
# the ratio to the raw pass, peak RSS and RSS as a percentage of the input. Each command runs twice
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

# The upload export on the same files with a realistic registry: the
# generator's projects (HUD ProjectIDs 1..N) registered, every third one
# rdc-direct, so about a third of the data is left out.
WS=build/bench/ws
rm -rf "$WS"
mkdir -p "$WS"
nproj=$(($(wc -l <"$DIR/Project.csv") - 1))
HMX_DB="$WS/hmx.db" "$HMX" init >/dev/null
HMX_DB="$WS/hmx.db" "$HMX" project agency-add BENCH "Bench agency" >/dev/null
i=1
while [ "$i" -le "$nproj" ]; do
	src=hmis
	[ $((i % 3)) -eq 0 ] && src=rdc-direct
	HMX_DB="$WS/hmx.db" "$HMX" project add "p$i" --name "Project $i" --agency BENCH --source $src \
		--hud-id "$i" >/dev/null
	i=$((i + 1))
done
HMX_DB="$WS/hmx.db" "$HMX" cycle new rdc-upload 2025Q1 >/dev/null
set -- $(best env HMX_DB="$WS/hmx.db" "$HMX" export build rdc-upload-2025Q1 --from "$DIR" \
	-o build/bench/upload.zip --quiet); exp_s=$1; exp_k=$2

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
row "hmx export build" "$exp_s" "$exp_k"
echo
echo "targets: hmx validate >= 60% of the raw pass, hmx export build >= 50%, peak RSS <= 15% of input"
echo "export build: $nproj projects registered, every third rdc-direct; upload $(wc -c <build/bench/upload.zip) bytes"
