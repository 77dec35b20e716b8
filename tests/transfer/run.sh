#!/bin/sh
# tests/transfer/run.sh — hmx pull, push and transfers against a real
# OpenSSH server started for this run (tests/sftp/sshd.sh): 0 bytes, 1 byte
# and a few MB each way compared by sha256sum; resume after kill -9 of hmx
# in the middle of a 200 MB pull (random trials: the final file always has
# the source's SHA-256, no partial file ever sits at the final name, the job
# table agrees); a remote file changed between attempts restarts instead of
# splicing; a remote name with "..", a leading dash and control characters
# made safe; an existing local or remote file kept without --overwrite.
. "$(dirname "$0")/../lib.sh"
DB="$T/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
. "$(dirname "$0")/../sftp/sshd.sh"
TRIALS=${TRANSFER_TRIALS:-4}

ssh-keygen -q -t ed25519 -N '' -f "$SRV/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C client
cp "$T/client.pub" "$SRV/authorized_keys"
start_sshd "$SRV/host"

R="$T/remote"
L="$T/local"
mkdir -p "$R/up" "$L"
sha() { sha256sum "$1" | cut -d' ' -f1; }
# job_field ID FIELD: one field of one job, from the JSON listing
job_field() {
	H transfers --format json | tr '{' '\n' | grep "\"id\":$1," |
		sed 's/.*"'"$2"'":"\{0,1\}\([^",]*\).*/\1/'
}

expect_rc 0 "init" H init
expect_rc 0 "site add" H site add rdc --host 127.0.0.1 --port "$PORT" --user "$(id -un)" \
	--identity "$T/client" --remote-dir "$R" --role rdc
expect_rc 0 "no transfers" H transfers
expect_grep "no transfers yet" "$T/out" "empty list says so"

# --- unknown host key: refused in batch without the flag, no job made
: >"$R/zero.csv"
expect_rc 3 "pull refused on an unknown host key" H pull rdc zero.csv --to "$L" </dev/null
expect_grep "unknown host key" "$T/err" "host key named"
expect_eq "$(H transfers --format json)" '{"transfers":[]}' "no job without a connection"

# --- 0 bytes, 1 byte, 5 MB down
printf 'x' >"$R/one.csv"
head -c 5000000 /dev/urandom >"$R/five.bin"
expect_rc 0 "pull 0 and 1 byte" H pull rdc zero.csv one.csv --to "$L" --accept-new-host-key </dev/null
expect_eq "$(wc -c <"$L/zero.csv")" 0 "0-byte file pulled"
expect_eq "$(cat "$L/one.csv")" x "1-byte file pulled"
expect_grep "pulled $L/one.csv (1 bytes, sha256 $(sha "$R/one.csv")" "$T/out" "SHA-256 reported"
expect_rc 0 "pull 5 MB" H pull rdc five.bin --to "$L" </dev/null
expect_eq "$(sha "$L/five.bin")" "$(sha "$R/five.bin")" "5 MB pull equals the source"
ls "$L" | grep -q 'hmx-partial' && bad "partial left behind" || ok

# --- existing local file kept without --overwrite, replaced with it
echo keep >"$L/mine.csv"
printf 'theirs' >"$R/mine.csv"
expect_rc 2 "existing local file not overwritten" H pull rdc mine.csv --to "$L" </dev/null
expect_grep "exists (--overwrite" "$T/err" "refusal names --overwrite"
expect_eq "$(cat "$L/mine.csv")" keep "local file untouched"
expect_rc 0 "pull --overwrite" H pull rdc mine.csv --to "$L" --overwrite </dev/null
expect_eq "$(cat "$L/mine.csv")" theirs "replaced with --overwrite"

# --- a hostile remote name: "..", leading dash, control characters
evil=$(printf -- '-..evil\033[2J\001name.csv')
printf 'evil' >"$R/$evil"
expect_rc 0 "pull a hostile name via ../" H pull rdc "up/../$evil" --to "$L" </dev/null
expect_grep "renamed: remote name" "$T/out" "name change reported"
expect_grep 'saved as _._evil_\[2J_name.csv' "$T/out" "sanitized name reported"
expect_eq "$(cat "$L/_._evil_[2J_name.csv" 2>/dev/null)" evil "saved under the safe name"
expect_eq "$(ls "$L" | grep -c "$(printf '\033')")" 0 "no control character in a local name"
expect_eq "$(ls -a "$T" | grep -c evil)" 0 "nothing written outside --to"

# --- 0 bytes, 1 byte, 5 MB up
expect_rc 0 "push 0, 1 byte and 5 MB" H push rdc "$L/zero.csv" "$L/one.csv" "$L/five.bin" --to "$R/up" </dev/null
expect_eq "$(wc -c <"$R/up/zero.csv")" 0 "0-byte file pushed"
expect_eq "$(cat "$R/up/one.csv")" x "1-byte file pushed"
expect_eq "$(sha "$R/up/five.bin")" "$(sha "$R/five.bin")" "5 MB push equals the source"
ls "$R/up" | grep -q '\.part$' && bad ".part left on the server" || ok
expect_grep "sha256 $(sha "$R/five.bin")" "$T/out" "push reports the local SHA-256"
echo other >"$L/one.csv"
expect_rc 2 "existing remote file not overwritten" H push rdc "$L/one.csv" --to "$R/up" </dev/null
expect_eq "$(cat "$R/up/one.csv")" x "remote file untouched"
expect_rc 0 "push --overwrite" H push rdc "$L/one.csv" --to "$R/up" --overwrite </dev/null
expect_eq "$(cat "$R/up/one.csv")" other "remote replaced with --overwrite"
expect_rc 2 "push of a missing file" H push rdc "$L/nope" </dev/null

# --- the job table
expect_rc 0 "transfers" H transfers
expect_grep "^1  *pull rdc  *done  *0  *0  " "$T/out" "first job listed as done"
expect_grep " push rdc  *done  *5000000  *5000000 " "$T/out" "push job listed"
expect_rc 0 "transfers json" H transfers --format json
expect_grep "\"sha256\":\"$(sha "$R/five.bin")\",\"state\":\"done\"" "$T/out" "json carries SHA-256 and state"
expect_rc 0 "audit" H audit
expect_grep "transfer.new" "$T/out" "job creation audited"
expect_grep "transfer.state" "$T/out" "state changes audited"

# --- resume after kill -9, random trials on a 200 MB sparse-ish file
truncate -s 200M "$R/big.bin"
for i in 0 3 7 12 30 55 80 120 160 199; do
	dd if=/dev/urandom of="$R/big.bin" bs=1M count=1 seek=$i conv=notrunc status=none
done
BIG=$(sha "$R/big.bin")
trial=0
resumed=0
while [ $trial -lt "$TRIALS" ]; do
	rm -f "$L/big.bin"
	kills=0
	while [ $kills -lt 3 ]; do
		(exec "$HMX" --db "$DB" pull rdc big.bin --to "$L" </dev/null >/dev/null 2>&1) &
		pid=$!
		# 50-650 ms, from the shell's own counter
		ms=$(( ( $(od -An -N2 -tu2 /dev/urandom) % 600 ) + 50 ))
		sleep "$(printf '0.%03d' "$ms")"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if [ -e "$L/big.bin" ]; then
			[ "$(sha "$L/big.bin")" = "$BIG" ] || bad "trial $trial: wrong file at the final name"
			break
		fi
		kills=$((kills + 1))
		id=$(H transfers --format json | tr '{' '\n' | grep '"local":"'"$L"'/big.bin"' | tail -1 | sed 's/"id":\([0-9]*\),.*/\1/')
		if [ -n "$id" ] && [ -e "$L/big.bin.hmx-partial" ]; then
			done_=$(job_field "$id" done)
			psize=$(wc -c <"$L/big.bin.hmx-partial")
			[ "$done_" -le "$psize" ] || bad "trial $trial: job says $done_ done, partial has $psize"
		fi
	done
	# finished before a kill landed: the file was checked above
	if [ -e "$L/big.bin" ]; then ok; else
		expect_rc 0 "trial $trial: pull completes" H pull rdc big.bin --to "$L" </dev/null; fi
	expect_eq "$(sha "$L/big.bin")" "$BIG" "trial $trial: SHA-256 equals the source"
	[ -e "$L/big.bin.hmx-partial" ] && bad "trial $trial: partial left" || ok
	id=$(H transfers --format json | tr '{' '\n' | grep '"local":"'"$L"'/big.bin"' | tail -1 | sed 's/"id":\([0-9]*\),.*/\1/')
	expect_eq "$(job_field "$id" state)" done "trial $trial: job done"
	expect_eq "$(job_field "$id" done)" 209715200 "trial $trial: job offset is the size"
	expect_eq "$(job_field "$id" sha256)" "$BIG" "trial $trial: job SHA-256"
	trial=$((trial + 1))
done
H audit | grep -q "running: from [1-9]" && resumed=1
expect_eq "$resumed" 1 "at least one pull resumed from a saved offset"

# --- remote file changed between attempts: restart, not splice
rm -f "$L/big.bin"
(exec "$HMX" --db "$DB" pull rdc big.bin --to "$L" </dev/null >/dev/null 2>&1) &
pid=$!
i=0
while [ $i -lt 100 ]; do
	[ -e "$L/big.bin.hmx-partial" ] && [ "$(wc -c <"$L/big.bin.hmx-partial")" -gt 40000000 ] && break
	sleep 0.02; i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
dd if=/dev/urandom of="$R/big.bin" bs=1M count=1 seek=1 conv=notrunc status=none
touch -d '2026-01-01 00:00:00' "$R/big.bin"
BIG2=$(sha "$R/big.bin")
expect_rc 0 "pull after the remote changed" H pull rdc big.bin --to "$L" </dev/null
expect_eq "$(sha "$L/big.bin")" "$BIG2" "restarted: the new remote content, not a splice"
H audit >"$T/audit"
expect_grep "running: from 0" "$T/audit" "restart from 0 audited"

if [ "$_fail" -ne 0 ]; then echo "--- sshd log"; tail -20 "$SRV/log"; fi
[ -n "${TRANSFER_DEBUG:-}" ] && H audit | grep -c "transfer.resume"
finish transfer
