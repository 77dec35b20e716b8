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
DB="$T/hmx.db"
"$HMX" --db "$DB" init >/dev/null || exit 1
"$HMX" --db "$DB" site add bench --host 127.0.0.1 --port "$PORT" --user "$USER_NAME" --identity "$T/client" --remote-dir "$R" >/dev/null || exit 1
SFTP_OPTS="-q -i $T/client -P $PORT -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$KH -o IdentitiesOnly=yes -o GlobalKnownHostsFile=/dev/null"
for i in 1 2; do
echo "get $R/src.bin $L/ossh.bin" >"$T/batch"
/usr/bin/time -f "ossh %e s %U u %S s" sftp $SFTP_OPTS -b "$T/batch" "$USER_NAME@127.0.0.1"; rm -f $L/ossh.bin
mkdir -p $L/hmx
/usr/bin/time -f "hmx %e s %U u %S s" $PREFIX "$HMX" --db "$DB" pull bench src.bin --to "$L/hmx" --overwrite >/dev/null; rm -f $L/hmx/src.bin
done
eval "$EXTRA"
