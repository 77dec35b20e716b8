#!/bin/sh
# tests/transfer/run.sh — hmx pull, push and transfers against a real
# OpenSSH server started for this run (tests/sftp/sshd.sh): 0 bytes, 1 byte
# and a few MB each way compared by sha256sum; resume after kill -9 of hmx
# in the middle of a 200 MB pull (random trials: the final file always has
# the source's SHA-256, no partial file ever sits at the final name, the job
# table agrees); a remote file changed between attempts restarts instead of
# splicing; a remote name with "..", a leading dash and control characters
# made safe; an existing local or remote file kept without --overwrite;
# 100 MB each way; push resumed after kill -9 (random trials, never a short
# file under the final name; killed after the remote rename, the same push
# finishes the job, a different remote file is refused); a pull killed
# mid-run listed as interrupted, the same pull resuming it; the server killed and restarted mid-pull
# (--retries picks it up) or gone for good (failed, then 'hmx transfer
# retry'); 'hmx transfer cancel' from a second process; two runners of one
# job (one refused); a file-size limit as a full disk; permission denied;
# pull --cycle into intake with the site's role, push --cycle ticking the
# upload step only with --yes.
. "$(dirname "$0")/../lib.sh"
DB="$T/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
. "$(dirname "$0")/../sftp/sshd.sh"
TRIALS=${TRANSFER_TRIALS:-20}

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
recovered=0
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
		# nothing runs it now: never listed as running
		[ -n "$id" ] && [ "$(job_field "$id" state)" = running ] &&
			bad "trial $trial: a killed pull is listed as running"
		if [ -n "$id" ] && [ -e "$L/big.bin.hmx-partial" ]; then
			done_=$(job_field "$id" done)
			psize=$(wc -c <"$L/big.bin.hmx-partial")
			[ "$done_" -le "$psize" ] || bad "trial $trial: job says $done_ done, partial has $psize"
		fi
	done
	id=$(H transfers --format json | tr '{' '\n' | grep '"local":"'"$L"'/big.bin"' | tail -1 | sed 's/"id":\([0-9]*\),.*/\1/')
	if [ ! -e "$L/big.bin" ]; then
		expect_rc 0 "trial $trial: pull completes" H pull rdc big.bin --to "$L" </dev/null
	elif [ "$(job_field "$id" state)" != done ]; then
		# killed between the rename and the job's last save: the same
		# pull sees the final file is this download and finishes the job
		expect_rc 0 "trial $trial: pull again finishes the job" H pull rdc big.bin --to "$L" </dev/null
		recovered=$((recovered + 1))
	else
		ok # finished before a kill landed: the file was checked above
	fi
	expect_eq "$(sha "$L/big.bin")" "$BIG" "trial $trial: SHA-256 equals the source"
	[ -e "$L/big.bin.hmx-partial" ] && bad "trial $trial: partial left" || ok
	expect_eq "$(job_field "$id" state)" done "trial $trial: job done"
	expect_eq "$(job_field "$id" done)" 209715200 "trial $trial: job offset is the size"
	expect_eq "$(job_field "$id" sha256)" "$BIG" "trial $trial: job SHA-256"
	trial=$((trial + 1))
done
H audit | grep -q "running: from [1-9]" && resumed=1
expect_eq "$resumed" 1 "at least one pull resumed from a saved offset"

# --- killed between the rename and the job's last save, made certain: the
# job is put back to 'running' by hand (the random trials above hit this
# window only now and then, $recovered time(s) this run)
id=$(H transfers --format json | tr '{' '\n' | grep '"local":"'"$L"'/big.bin"' | tail -1 | sed 's/"id":\([0-9]*\),.*/\1/')
sqlite3 "$DB" "UPDATE transfer SET state='running' WHERE id=$id"
expect_rc 0 "rename window: the same pull finishes the job" H pull rdc big.bin --to "$L" </dev/null
expect_eq "$(job_field "$id" state)" done "rename window: job done"
expect_eq "$(sha "$L/big.bin")" "$BIG" "rename window: file untouched"
sqlite3 "$DB" "UPDATE transfer SET state='running' WHERE id=$id"
printf 'another file\n' >"$L/big.bin"
expect_rc 2 "rename window: a different file at the name is not taken for the download" \
	H pull rdc big.bin --to "$L" </dev/null
expect_eq "$(job_field "$id" state)" interrupted "rename window: job left for the admin (interrupted)"
expect_eq "$(cat "$L/big.bin")" "another file" "rename window: the other file is kept"
sqlite3 "$DB" "UPDATE transfer SET state='done' WHERE id=$id"
rm -f "$L/big.bin"

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


# last_id: the newest job's id
last_id() { H transfers --format json | tr '{' '\n' | grep '"id":' | tail -1 | sed 's/"id":\([0-9]*\),.*/\1/'; }
# wait_size FILE BYTES: until FILE has at least BYTES (10 s at most)
wait_size() {
	_w=0
	while [ $_w -lt 500 ]; do
		[ -e "$1" ] && [ "$(wc -c <"$1")" -ge "$2" ] && return 0
		sleep 0.02; _w=$((_w + 1))
	done
	return 1
}
# wait_pid PID SECONDS: until PID is gone; its exit code in $wrc
wait_pid() {
	_w=0
	while kill -0 "$1" 2>/dev/null && [ $_w -lt $(($2 * 10)) ]; do sleep 0.1; _w=$((_w + 1)); done
	if kill -0 "$1" 2>/dev/null; then kill -9 "$1"; wrc=124; wait "$1" 2>/dev/null; else wait "$1"; wrc=$?; fi
}
# kill_sshd_tree: the server and every session it runs, by pid
kill_sshd_tree() {
	_pids=$sshd_pid
	_all=""
	while [ -n "$_pids" ]; do
		_all="$_all $_pids"
		_next=""
		for _p in $_pids; do _next="$_next $(ps -o pid= --ppid "$_p" 2>/dev/null)"; done
		_pids=$(echo $_next)
	done
	for _p in $_all; do kill -9 "$_p" 2>/dev/null; done
	sshd_pid=""
	rm -f "$SRV/pid"
}

# --- 100 MB each way
head -c 100000000 /dev/urandom >"$R/hundred.bin"
expect_rc 0 "pull 100 MB" H pull rdc hundred.bin --to "$L" </dev/null
expect_eq "$(sha "$L/hundred.bin")" "$(sha "$R/hundred.bin")" "100 MB pull equals the source"
logins() { grep -c "Accepted publickey" "$SRV/log"; }
n0=$(logins)
expect_rc 0 "push 100 MB" H push rdc "$L/hundred.bin" --to "$R/up" </dev/null
expect_eq "$(sha "$R/up/hundred.bin")" "$(sha "$R/hundred.bin")" "100 MB push equals the source"
expect_eq "$(( $(logins) - n0 ))" 2 "100 MB push: two streams (a second login)"
# one stream (no second connection): the same bytes
mkdir -p "$R/up1"
n0=$(logins)
expect_rc 0 "push 100 MB, one stream" env HMX_PUSH_ONE_STREAM=1 "$HMX" --db "$DB" push rdc "$L/hundred.bin" --to "$R/up1" </dev/null
expect_eq "$(sha "$R/up1/hundred.bin")" "$(sha "$R/hundred.bin")" "one-stream push equals the source"
expect_eq "$(( $(logins) - n0 ))" 1 "one-stream push: one login"
rm -rf "$R/up1"
rm -f "$R/hundred.bin" "$L/hundred.bin" "$R/up/hundred.bin"

# --- push resumed after kill -9 (random trials on the 200 MB file)
cp "$R/big.bin" "$L/src.bin"
SRC=$(sha "$L/src.bin")
mkdir -p "$R/in"
trial=0
while [ $trial -lt "$TRIALS" ]; do
	rm -f "$R/in/src.bin"
	kills=0
	while [ $kills -lt 3 ]; do
		(exec "$HMX" --db "$DB" push rdc "$L/src.bin" --to "$R/in" </dev/null >/dev/null 2>&1) &
		pid=$!
		ms=$(( ( $(od -An -N2 -tu2 /dev/urandom) % 500 ) + 50 ))
		sleep "$(printf '0.%03d' "$ms")"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if [ -e "$R/in/src.bin" ]; then
			[ "$(sha "$R/in/src.bin")" = "$SRC" ] || bad "push trial $trial: wrong file at the final name"
			break
		fi
		kills=$((kills + 1))
	done
	if [ ! -e "$R/in/src.bin" ]; then
		expect_rc 0 "push trial $trial: completes" H push rdc "$L/src.bin" --to "$R/in" </dev/null
	elif [ "$(job_field "$(last_id)" state)" != done ]; then
		# killed between the rename and the job's last save: the same
		# push sees the final file is this upload and finishes the job
		expect_rc 0 "push trial $trial: push again finishes" H push rdc "$L/src.bin" --to "$R/in" </dev/null
	else
		ok
	fi
	expect_eq "$(sha "$R/in/src.bin")" "$SRC" "push trial $trial: SHA-256 equals the source"
	[ -e "$R/in/src.bin.part" ] && bad "push trial $trial: .part left" || ok
	expect_eq "$(job_field "$(last_id)" state)" done "push trial $trial: job done"
	trial=$((trial + 1))
done
H audit >"$T/audit"
grep "transfer.resume" "$T/audit" | grep -q "running: from [1-9]" && ok || bad "no push resumed from a saved offset"

# --- a push killed between the remote rename and the job's last save, made
# certain: the job put back to 'running' by hand; the same push finishes it
# when the remote file is this upload, and refuses when it is another file
id=$(last_id)
sqlite3 "$DB" "UPDATE transfer SET state='running' WHERE id=$id"
expect_eq "$(job_field "$id" state)" interrupted "push rename window: listed as interrupted"
touch -d '2026-01-02 00:00:00' "$R/in/src.bin"
before=$(stat -c %Y "$R/in/src.bin")
expect_rc 0 "push rename window: the same push finishes the job" H push rdc "$L/src.bin" --to "$R/in" </dev/null
expect_grep "pushed $R/in/src.bin (209715200 bytes, sha256 $SRC, job $id)" "$T/out" \
	"push rename window: reported as this job"
expect_eq "$(job_field "$id" state)" done "push rename window: job done"
expect_eq "$(last_id)" "$id" "push rename window: no new job"
expect_eq "$(stat -c %Y "$R/in/src.bin")" "$before" "push rename window: remote untouched"
expect_eq "$(sha "$R/in/src.bin")" "$SRC" "push rename window: remote file is the upload"
sqlite3 "$DB" "UPDATE transfer SET state='running' WHERE id=$id"
printf 'another file\n' >"$R/in/src.bin"
expect_rc 2 "push rename window: a different remote file is not taken for the upload" \
	H push rdc "$L/src.bin" --to "$R/in" </dev/null
expect_grep "remote .* exists (--overwrite" "$T/err" "push rename window: refusal names --overwrite"
expect_eq "$(job_field "$id" state)" interrupted "push rename window: job left for the admin"
expect_eq "$(cat "$R/in/src.bin")" "another file" "push rename window: the other file is kept"
sqlite3 "$DB" "UPDATE transfer SET state='done' WHERE id=$id"
rm -f "$R/in/src.bin"

# --- the server killed and restarted in the middle: retries pick it up
rm -f "$L/big.bin"
(HMX_RETRY_BASE_MS=400 HMX_TRANSFER_KBPS=40000 exec "$HMX" --db "$DB" pull rdc big.bin --to "$L" \
	--retries 5 </dev/null >"$T/bg.out" 2>"$T/bg.err") &
pid=$!
wait_size "$L/big.bin.hmx-partial" 30000000 || bad "restart: pull did not start"
kill_sshd_tree
sleep 0.5
start_sshd "$SRV/host"
wait_pid "$pid" 60
expect_eq "$wrc" 0 "restart: pull finished after the server came back"; [ "$wrc" = 0 ] || cat "$T/bg.err"
expect_grep "retry 1 of 5" "$T/bg.err" "restart: the retry is reported"
expect_eq "$(sha "$L/big.bin")" "$(sha "$R/big.bin")" "restart: SHA-256 equals the source"
H audit | grep "transfer.resume" >/dev/null; expect_eq "$(job_field "$(last_id)" state)" done "restart: job done"

# --- the server gone for good: failed after the retries, then 'transfer retry'
rm -f "$L/big.bin"
(HMX_RETRY_BASE_MS=100 HMX_TRANSFER_KBPS=40000 exec "$HMX" --db "$DB" pull rdc big.bin --to "$L" \
	--retries 2 </dev/null >"$T/bg.out" 2>"$T/bg.err") &
pid=$!
wait_size "$L/big.bin.hmx-partial" 30000000 || bad "gone: pull did not start"
kill_sshd_tree
wait_pid "$pid" 30
expect_eq "$wrc" 3 "gone: pull fails after its retries"
expect_grep "gave up after 2 retries" "$T/bg.err" "gone: the reason names the retries"
ID=$(last_id)
expect_eq "$(job_field "$ID" state)" failed "gone: job failed"
[ -e "$L/big.bin.hmx-partial" ] && ok || bad "gone: partial kept"
start_sshd "$SRV/host"
expect_rc 0 "transfer retry after the server is back" H transfer retry "$ID" </dev/null
expect_eq "$(sha "$L/big.bin")" "$(sha "$R/big.bin")" "retry: SHA-256 equals the source"
expect_eq "$(job_field "$ID" state)" done "retry: job done"
expect_rc 1 "retry of a done job refused" H transfer retry "$ID" </dev/null
expect_rc 2 "retry of an unknown job" H transfer retry 9999 </dev/null

# --- kill -9 in the middle of a pull: listed as interrupted (nothing runs
# it; the row still says running), with the hint; the same pull resumes it
rm -f "$L/big.bin" "$L/big.bin.hmx-partial"
(HMX_TRANSFER_KBPS=20000 exec "$HMX" --db "$DB" pull rdc big.bin --to "$L" </dev/null \
	>/dev/null 2>&1) &
pid=$!
wait_size "$L/big.bin.hmx-partial" 5000000 || bad "interrupted: pull did not start"
ID=$(last_id)
expect_eq "$(job_field "$ID" state)" running "interrupted: running while it runs"
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
expect_eq "$(sqlite3 "$DB" "SELECT state FROM transfer WHERE id=$ID")" running "interrupted: the row still says running"
expect_rc 0 "interrupted: transfers" H transfers
expect_grep "^$ID  *pull rdc  *interrupted " "$T/out" "interrupted: listed as interrupted"
expect_grep "hmx transfer retry $ID' resumes it" "$T/out" "interrupted: the hint names transfer retry"
expect_eq "$(job_field "$ID" state)" interrupted "interrupted: json state"
expect_rc 0 "interrupted: the same pull resumes it" H pull rdc big.bin --to "$L" </dev/null
expect_grep "job $ID)" "$T/out" "interrupted: resumed as the same job"
expect_eq "$(job_field "$ID" state)" done "interrupted: job done"
expect_eq "$(sha "$L/big.bin")" "$(sha "$R/big.bin")" "interrupted: SHA-256 equals the source"

# --- cancel from a second process, then two runners of one job
rm -f "$L/big.bin"
(HMX_TRANSFER_KBPS=20000 exec "$HMX" --db "$DB" pull rdc big.bin --to "$L" </dev/null \
	>"$T/bg.out" 2>"$T/bg.err") &
pid=$!
wait_size "$L/big.bin.hmx-partial" 5000000 || bad "cancel: pull did not start"
ID=$(last_id)
expect_rc 0 "transfer cancel" H transfer cancel "$ID"
expect_grep "cancelled transfer job $ID" "$T/out" "cancel reported"
wait_pid "$pid" 5
[ "$wrc" -ne 0 ] && [ "$wrc" -ne 124 ] && ok || bad "cancel: the running pull did not stop ($wrc)"
expect_grep "cancelled" "$T/bg.err" "cancel: the runner says so"
expect_eq "$(job_field "$ID" state)" cancelled "cancel: job cancelled"
[ -e "$L/big.bin.hmx-partial" ] && ok || bad "cancel: partial kept"
[ -e "$L/big.bin" ] && bad "cancel: final file made" || ok
expect_rc 1 "cancel of a cancelled job" H transfer cancel "$ID"
(HMX_TRANSFER_KBPS=20000 exec "$HMX" --db "$DB" transfer retry "$ID" </dev/null >"$T/bg.out" 2>"$T/bg.err") &
pid=$!
sleep 0.5
expect_rc 1 "a second runner of one job is refused" H transfer retry "$ID" </dev/null
expect_grep "being run by another hmx process" "$T/err" "refusal says why"
expect_rc 0 "cancel the first runner" H transfer cancel "$ID"
wait_pid "$pid" 5
expect_rc 0 "retry after the runner stopped" H transfer retry "$ID" </dev/null
expect_eq "$(sha "$L/big.bin")" "$(sha "$R/big.bin")" "cancelled then retried: SHA-256 equals the source"
H audit >"$T/audit"
expect_grep "transfer.cancel" "$T/audit" "cancel audited"

# --- the API a screen uses: a pull in a worker thread, progress hook, cancel flag
TT="$(dirname "$HMX")/tests/test_transfer"
if [ -x "$TT" ]; then
	mkdir -p "$L/w"
	HMX_XFER_DB="$DB" HMX_XFER_SITE=rdc HMX_XFER_REMOTE=big.bin HMX_XFER_DIR="$L/w" HMX_XFER_HOME="$HOME" "$TT" \
		>"$T/unit.out" 2>&1
	expect_eq "$?" 0 "worker thread: cancelled, then retried"
	grep -q "SKIPPED" "$T/unit.out" && bad "worker thread test skipped" || ok
	expect_eq "$(sha "$L/w/big.bin")" "$(sha "$R/big.bin")" "worker thread: SHA-256 equals the source"
	[ "$_fail" -ne 0 ] && cat "$T/unit.out"
else
	bad "no $TT (make all builds it)"
fi

# --- a full disk (file-size limit): failed with a clear message, partial kept
rm -f "$L/big.bin"
(ulimit -f 20000; trap '' XFSZ; exec "$HMX" --db "$DB" pull rdc big.bin --to "$L" --retries 0 \
	</dev/null >"$T/out" 2>"$T/err")
expect_eq "$?" 3 "full disk: pull fails"
expect_grep "disk full or over the file-size limit" "$T/err" "full disk: message names the disk"
[ -e "$L/big.bin" ] && bad "full disk: final file made" || ok
[ -e "$L/big.bin.hmx-partial" ] && ok || bad "full disk: partial kept"
expect_eq "$(job_field "$(last_id)" state)" failed "full disk: job failed"
rm -f "$L/big.bin.hmx-partial"

# --- permission denied on the remote directory (a 0555 dir; as root, where
# modes do not bind, a read-only SFTP server)
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$R/ro"
	chmod 0555 "$R/ro"
	expect_rc 3 "push into a read-only remote dir" H push rdc "$L/one.csv" --to "$R/ro" </dev/null
	expect_grep "permission denied" "$T/err" "0555: permission denied named"
	expect_eq "$(job_field "$(last_id)" state)" failed "0555: job failed"
	chmod 0755 "$R/ro"
fi
stop_sshd
SFTP_FLAGS=-R start_sshd "$SRV/host"
expect_rc 3 "push to a read-only server" H push rdc "$L/one.csv" --to "$R/ro2" </dev/null
expect_grep "permission denied" "$T/err" "permission denied named"
expect_eq "$(job_field "$(last_id)" state)" failed "permission denied: job failed"
stop_sshd
start_sshd "$SRV/host"

# --- pull --cycle: the export goes to intake with the site's role as source
HMXGEN=${HMXGEN:-$(dirname "$HMX")/hmxgen}
ASSETS=$(cd "$(dirname "$0")/../../assets" && pwd)
"$HMXGEN" --out "$T/gen" --clients 30 --projects 10 --zip "$R/export.zip" --assets "$ASSETS" --quiet
printf 'not an export' >"$R/notes.txt"
H cycle new rdc-download 2027Q1 >/dev/null
C=rdc-download-2027Q1
H step set $C meet-rdc done >/dev/null 2>&1
expect_rc 2 "--step without --cycle" H pull rdc export.zip --step download </dev/null
expect_rc 2 "unknown cycle refused before the pull" H pull rdc export.zip --cycle nope </dev/null
H site add vend --host 127.0.0.1 --port "$PORT" --user "$(id -un)" --identity "$T/client" \
	--remote-dir "$R" --role vendor >/dev/null
expect_rc 1 "a vendor site's files do not go to intake" H pull vend export.zip --to "$L" --cycle $C </dev/null
expect_grep 'role "vendor"' "$T/err" "refusal names the role"
[ -e "$L/export.zip" ] && bad "vendor: pulled anyway" || ok
expect_rc 0 "pull --cycle" H pull rdc export.zip notes.txt --to "$L" --cycle $C </dev/null
expect_grep "^pulled $L/export.zip" "$T/out" "export pulled"
expect_grep "^file [0-9]*: intake [0-9a-f]* into $C" "$T/out" "intake result printed"
expect_grep "source rdc," "$T/out" "source is the site's role"
expect_grep "mapping: 10 projects, 10 to decide" "$T/out" "mapping proposals counted"
expect_grep "not a zip: $L/notes.txt not taken" "$T/out" "a non-zip is noted, not taken in"
expect_rc 0 "files of the cycle" H files $C --format json
expect_grep '"source":"rdc"' "$T/out" "intake recorded with source rdc"
rm -f "$L/export.zip" "$L/notes.txt"
expect_rc 0 "pull --cycle --step" H pull rdc export.zip --to "$L" --cycle $C --step meet-rdc </dev/null
expect_grep "step meet-rdc of $C: done (transfer job $(last_id) from site rdc)" "$T/out" "step ticked with the job"

# --- push --cycle: the upload step ticked after confirmation
H cycle new rdc-upload 2027Q1 >/dev/null
U=rdc-upload-2027Q1
for st in dq-reports reporting-group build-export validate; do H step set $U $st done >/dev/null; done
expect_rc 0 "push --cycle without --yes" H push rdc "$R/export.zip" --to "$R/up" --cycle $U </dev/null
expect_grep "left as it was (--yes" "$T/out" "batch answers No"
expect_rc 0 "step untouched" H step list $U --format json
grep -o '"code":"upload"[^}]*' "$T/out" | grep -q '"state":"todo"' && ok || bad "upload step changed without --yes"
rm -f "$R/up/export.zip"
expect_rc 0 "push --cycle --yes" H push rdc "$R/export.zip" --to "$R/up" --cycle $U --yes </dev/null
expect_grep "step upload of $U: done (transfer job $(last_id) sha256 $(sha "$R/export.zip"))" "$T/out" \
	"upload step ticked with job and SHA-256"
expect_rc 2 "push --cycle of another kind needs --step" H push rdc "$R/export.zip" --cycle $C </dev/null

if [ "$_fail" -ne 0 ]; then echo "--- sshd log"; tail -20 "$SRV/log"; fi
[ -n "${TRANSFER_DEBUG:-}" ] && H audit | grep -c "transfer.resume"
finish transfer
