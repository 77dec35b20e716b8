#!/bin/sh
# tests/bench/sftp.sh — `make bench-sftp`: hmx pull/push against OpenSSH's
# own sftp client, on the same throwaway loopback sshd (tests/sftp/sshd.sh),
# the same client key and the same file of BENCH_SFTP_MB MiB (default 1024,
# from /dev/urandom). Each of the four transfers runs BENCH_SFTP_RUNS times
# (default 3, best counts), under a timeout (BENCH_SFTP_TIMEOUT seconds per
# transfer, default 900); every copy's SHA-256 must equal the source's.
# Prints direction, OpenSSH MB/s, hmx MB/s, ratio and the target (download
# >= 90%, upload >= 70%), then the same with hmx held to OpenSSH's default
# cipher (HMX_SSH_DEFAULT_CIPHERS=1) for comparison. BENCH_SFTP_OSSH_OPTS
# adds options to OpenSSH's sftp (e.g. "-c aes128-gcm@openssh.com"). Then, as root with tc netem, the same again with
# 10 ms added each way (20 ms RTT) on the sshd's port only — a prio qdisc
# on lo with a u32 filter; without sch_prio, a plain netem root qdisc on lo
# (all loopback traffic) — removed by the EXIT trap whatever happens —
# else "netem: skipped (reason)". Exit 1 when a copy is wrong or a transfer
# fails or times out; a ratio below target is reported, not fatal.
# Needs HMX. Temporary files live under BENCH_SFTP_TMP (default build/bench).
: "${HMX:?set HMX to the hmx binary}"
HMX=$(cd "$(dirname "$HMX")" && pwd)/$(basename "$HMX")
MB=${BENCH_SFTP_MB:-1024}
RUNS=${BENCH_SFTP_RUNS:-3}
TMO=${BENCH_SFTP_TIMEOUT:-900}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "${BENCH_SFTP_TMP:-build/bench}"
TMPDIR=$(cd "${BENCH_SFTP_TMP:-build/bench}" && pwd)
export TMPDIR
. "$here/../lib.sh"
. "$here/../sftp/sshd.sh"
unset HMX_TODAY HMX_NOW
set +u

netem_on=""
netem_off() {
	if [ -n "$netem_on" ]; then
		tc qdisc del dev lo root handle 1: 2>/dev/null
		netem_on=""
	fi
}
bench_cleanup() {
	netem_off
	cleanup # sshd.sh: stops sshd, removes $T (the big files)
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM HUP

for p in sftp timeout sha256sum; do
	command -v $p >/dev/null || { echo "bench-sftp: $p missing (make deps)"; exit 1; }
done

ssh-keygen -q -t ed25519 -N '' -f "$SRV/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C client
cp "$T/client.pub" "$SRV/authorized_keys"
start_sshd "$SRV/host"
USER_NAME=$(id -un)
# one known_hosts for both clients: hmx reads $HOME/.ssh/known_hosts
KH="$HOME/.ssh/known_hosts"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$SRV/host.pub")" >"$KH"

R="$T/remote"
L="$T/local"
mkdir -p "$R/up" "$L"
echo "bench-sftp: ${MB} MiB test file, best of $RUNS, sshd on 127.0.0.1:$PORT"
head -c $((MB * 1048576)) /dev/urandom >"$R/src.bin" || exit 1
cp "$R/src.bin" "$L/src.bin" || exit 1
SUM=$(sha256sum "$R/src.bin" | cut -d' ' -f1)
bytes=$((MB * 1048576))

DB="$T/hmx.db"
"$HMX" --db "$DB" init >/dev/null || exit 1
"$HMX" --db "$DB" site add bench --host 127.0.0.1 --port "$PORT" --user "$USER_NAME" \
	--identity "$T/client" --remote-dir "$R" >/dev/null || exit 1

failed=0
SFTP_OPTS="-q -i $T/client -P $PORT -o BatchMode=yes -o StrictHostKeyChecking=yes \
-o UserKnownHostsFile=$KH -o IdentitiesOnly=yes -o GlobalKnownHostsFile=/dev/null \
${BENCH_SFTP_OSSH_OPTS:-}"

now() { date +%s.%N; }

# timed DEST CMD...: runs CMD under the timeout, then checks DEST's SHA-256;
# prints the seconds, or nothing when it failed
timed() {
	_dest=$1; shift
	rm -f "$_dest"
	_t0=$(now)
	if ! timeout -k 5 "$TMO" "$@" >"$T/out" 2>"$T/err" </dev/null; then
		echo "bench-sftp: FAILED (or timed out after ${TMO}s): $*" >&2
		sed 's/^/  /' "$T/err" | head -5 >&2
		return 1
	fi
	_t1=$(now)
	_sum=$(sha256sum "$_dest" 2>/dev/null | cut -d' ' -f1)
	if [ "$_sum" != "$SUM" ]; then
		echo "bench-sftp: WRONG COPY $_dest (sha256 $_sum, want $SUM)" >&2
		return 1
	fi
	awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# best KIND: best seconds of RUNS runs of one transfer kind, or "fail"
best() {
	_best=""
	_r=0
	while [ $_r -lt "$RUNS" ]; do
		case $1 in
		ossh-get)
			echo "get $R/src.bin $L/ossh.bin" >"$T/batch"
			_s=$(timed "$L/ossh.bin" sftp $SFTP_OPTS -b "$T/batch" "$USER_NAME@127.0.0.1") ;;
		ossh-put)
			echo "put $L/src.bin $R/up/ossh.bin" >"$T/batch"
			_s=$(timed "$R/up/ossh.bin" sftp $SFTP_OPTS -b "$T/batch" "$USER_NAME@127.0.0.1") ;;
		hmx-pull)
			mkdir -p "$L/hmx"
			_s=$(timed "$L/hmx/src.bin" "$HMX" --db "$DB" pull bench src.bin --to "$L/hmx" \
				--overwrite) ;;
		hmx-push)
			mkdir -p "$R/up/hmx"
			_s=$(timed "$R/up/hmx/src.bin" "$HMX" --db "$DB" push bench "$L/src.bin" \
				--to "$R/up/hmx" --overwrite) ;;
		# hmx held to OpenSSH's cipher (chacha20-poly1305), for comparison
		cc-pull)
			mkdir -p "$L/hmx"
			_s=$(timed "$L/hmx/src.bin" env HMX_SSH_DEFAULT_CIPHERS=1 "$HMX" --db "$DB" \
				pull bench src.bin --to "$L/hmx" --overwrite) ;;
		cc-push)
			mkdir -p "$R/up/hmx"
			_s=$(timed "$R/up/hmx/src.bin" env HMX_SSH_DEFAULT_CIPHERS=1 "$HMX" --db "$DB" \
				push bench "$L/src.bin" --to "$R/up/hmx" --overwrite) ;;
		esac
		if [ -z "$_s" ]; then
			echo fail
			return 1
		fi
		if [ -z "$_best" ] || awk -v a="$_s" -v b="$_best" 'BEGIN { exit !(a < b) }'; then
			_best=$_s
		fi
		_r=$((_r + 1))
	done
	rm -f "$L/ossh.bin" "$R/up/ossh.bin" "$L/hmx/src.bin" "$R/up/hmx/src.bin"
	echo "$_best"
}

# row DIRECTION OSSH_S HMX_S TARGET%
row() {
	awk -v d="$1" -v o="$2" -v h="$3" -v t="$4" -v b="$bytes" 'BEGIN {
		if (o == "fail" || h == "fail") {
			printf "| %-9s | %12s | %8s | %5s | %7s | %-6s |\n", d, o == "fail" ? "FAIL" : sprintf("%.1f", b / 1048576 / o), h == "fail" ? "FAIL" : sprintf("%.1f", b / 1048576 / h), "-", ">= " t "%", "FAIL"
			exit
		}
		om = b / 1048576 / o; hm = b / 1048576 / h; r = hm / om * 100
		printf "| %-9s | %12.1f | %8.1f | %4.0f%% | %7s | %-6s |\n", d, om, hm, r, ">= " t "%", (r >= t ? "PASS" : "BELOW")
	}'
}

# table TITLE: the four transfers, then the two rows
table() {
	og=$(best ossh-get) || failed=1
	hg=$(best hmx-pull) || failed=1
	op=$(best ossh-put) || failed=1
	hp=$(best hmx-push) || failed=1
	cg=$(best cc-pull) || failed=1
	cp_=$(best cc-push) || failed=1
	echo
	echo "$1"
	echo "| direction | OpenSSH MB/s | hmx MB/s | ratio | target  | result |"
	echo "|-----------|-------------:|---------:|------:|--------:|--------|"
	row download "$og" "$hg" 90
	row upload "$op" "$hp" 70
	echo "hmx held to OpenSSH's cipher (chacha20-poly1305; by default hmx prefers AES-GCM"
	echo "when the CPU has AES instructions), for comparison:"
	row download "$og" "$cg" 90
	row upload "$op" "$cp_" 70
}

table "loopback, no added latency (${MB} MiB, best of $RUNS; MB = MiB)"

# --- the same with 20 ms RTT, on the sshd's port only
reason=""
if [ "$(id -u)" != 0 ]; then
	reason="not root"
elif ! command -v tc >/dev/null; then
	reason="no tc (iproute2)"
elif ! tc qdisc show dev lo | grep -q '^qdisc noqueue 0: root'; then
	reason="lo already has a root qdisc, left alone: $(tc qdisc show dev lo | head -1);
if a killed bench left it: tc qdisc del dev lo root"
elif tc qdisc add dev lo root handle 1: prio bands 4 2>"$T/tcerr"; then
	netem_on=1
	scope="port $PORT only"
	if ! tc qdisc add dev lo parent 1:4 handle 40: netem delay 10ms 2>"$T/tcerr"; then
		reason="netem refused: $(head -1 "$T/tcerr")"
	elif ! tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dport "$PORT" 0xffff \
		flowid 1:4 2>"$T/tcerr" ||
		! tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip sport "$PORT" 0xffff \
		flowid 1:4 2>>"$T/tcerr"; then
		reason="tc u32 filter refused: $(head -1 "$T/tcerr")"
	fi
	[ -n "$reason" ] && netem_off
# no prio qdisc: the plain form, which delays all loopback traffic meanwhile
elif tc qdisc add dev lo root handle 1: netem delay 10ms 2>"$T/tcerr"; then
	netem_on=1
	scope="all of lo"
else
	reason="tc netem on lo refused: $(head -1 "$T/tcerr")"
fi
if [ -n "$reason" ]; then
	echo
	echo "netem: skipped ($reason)"
else
	_t0=$(now)
	timeout 10 ssh -q -i "$T/client" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$KH" -o IdentitiesOnly=yes "$USER_NAME@127.0.0.1" true \
		</dev/null >/dev/null 2>&1
	table "netem: 10 ms each way on $scope (20 ms RTT; an ssh login took $(awk -v a="$_t0" \
		-v b="$(now)" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms)"
	netem_off
fi
echo
echo "targets: download >= 90% of OpenSSH sftp, upload >= 70%; every copy's SHA-256 checked"
exit $failed
