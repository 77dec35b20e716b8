#!/bin/sh
# tests/tscreen/run.sh — the transfers screen (screens/transfers.c), headless,
# with its jobs running against a real OpenSSH server started for this run
# (tests/sftp/sshd.sh, stopped on exit): the sites and the remote folder
# listed by the worker thread, the `/` filter, two files marked with Space
# and pulled (the job table shows them done with the SHA-256 of the
# source, the folder marks them pulled); a throttled pull (HMX_TRANSFER_KBPS)
# cancelled with x leaves a cancelled job with its partial, and R in a new
# session resumes it to the source's SHA-256; P picks a local file and
# pushes it; t tests the site; closing the screen while a job runs asks
# first (No keeps it running); a job left running by a killed hmx shows as
# interrupted and R finishes it; with --cycle a pulled export goes to intake
# with the site's role; an unknown host key is shown by its fingerprint and
# the question defaults to No (known_hosts untouched), y accepts it, and
# only the key shown: a server whose key changed before y is refused. Each case's key script is tests/tscreen/NAME.keys,
# its dumps compared with NAME.expected after masking the port, the
# temporary directory and host-key fingerprints (UPDATE=1 rewrites them).
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C.UTF-8
DB="$T/db/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
. "$(dirname "$0")/../sftp/sshd.sh"

ssh-keygen -q -t ed25519 -N '' -f "$SRV/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C client
cp "$T/client.pub" "$SRV/authorized_keys"
start_sshd "$SRV/host"

R="$T/remote"
mkdir -p "$R/sub" "$T/db" "$T/local/exports"
seq 1 5000 >"$T/local/upload-2027Q1.zip"
sha() { sha256sum "$1" | cut -d' ' -f1; }
seq 1 2000 >"$R/hac-501.csv"
seq 1 3000 >"$R/hac-502.csv"
printf 'readme\n' >"$R/readme.txt"
head -c 400000 /dev/zero | tr '\0' 'x' >"$R/big.bin"
cp "$R/big.bin" "$R/big2.bin"
touch -d "2026-11-20 10:00:00 UTC" "$R"/* "$R/sub"

mkdir -p "$T/db"
H init >/dev/null || { echo "init failed"; exit 1; }
H site add rdc --host 127.0.0.1 --port "$PORT" --user "$(id -un)" --identity "$T/client" \
	--remote-dir "$R" --role rdc >/dev/null || { echo "site add failed"; exit 1; }
H site test rdc --accept-new-host-key >/dev/null 2>&1 || { echo "site test failed"; exit 1; }

# job_field ID FIELD: one field of one job, from the JSON listing
job_field() {
	H transfers --format json | tr '{' '\n' | grep "\"id\":$1," |
		sed 's/.*"'"$2"'":"\{0,1\}\([^",]*\).*/\1/'
}

mask() {
	sed -e "s/$PORT/PORT/g" -e "s|$T|/TMP/hmxsh.XXXXXX|g" \
		-e 's|SHA256:[A-Za-z0-9+/]\{1,43\}…\{0,1\}|SHA256:<fingerprint>|g' \
		-e 's/\(upload-2027Q1.zip  *[0-9.]* [KMG]*i*B\) [0-9-]* [0-9:]*/\1 YYYY-MM-DD HH:MM/' \
		-e 's|\[[#.]*\]  *[0-9.]* [KMG]*i*B/\([0-9.]* [KMG]*i*B cancelled\)|[partial] N/\1|' "$1"
}
# (the pushed file's mtime on the server is the time of the run; how far a
# cancelled throttled job got depends on timing)

# run_case NAME [ENV=VALUE...]: hmx on the transfers screen with NAME.keys;
# its dumps compared with NAME.expected when the keys say "# compare"
# (the timing of a throttled transfer is checked with grep and the job
# table instead)
run_case() {
	name=$1
	shift
	if ! (cd "$T/local" && env "$@" "$HMX" --db "${CASE_DB:-$DB}" --keys "$here/$name.keys" --dump-screen "$T/$name.raw" \
		--size 100x30 --screen transfers 2>"$T/err"); then
		bad "$name: hmx exited non-zero"
		sed 's/^/  stderr: /' "$T/err"
		return
	fi
	mask "$T/$name.raw" >"$T/$name.out"
	if ! grep -q '^# compare' "$here/$name.keys"; then
		ok
	elif [ "${UPDATE:-}" = 1 ]; then
		cp "$T/$name.out" "$here/$name.expected"
		echo "updated tests/tscreen/$name.expected"
		ok
	elif diff -u "$here/$name.expected" "$T/$name.out"; then
		ok
	else
		bad "$name: screen differs from tests/tscreen/$name.expected (diff above)"
	fi
}

# --- list, filter, mark two files, pull them
run_case pull
I="$T/db/incoming"
expect_eq "$(sha "$I/hac-501.csv")" "$(sha "$R/hac-501.csv")" "hac-501.csv pulled whole"
expect_eq "$(sha "$I/hac-502.csv")" "$(sha "$R/hac-502.csv")" "hac-502.csv pulled whole"
expect_eq "$(job_field 1 state) $(job_field 2 state)" "done done" "two jobs done"
expect_eq "$(job_field 1 sha256)" "$(sha "$R/hac-501.csv")" "job 1 records the source's SHA-256"
expect_eq "$(job_field 2 sha256)" "$(sha "$R/hac-502.csv")" "job 2 records the source's SHA-256"
[ -e "$I/readme.txt" ] && bad "a file filtered out was pulled" || ok
expect_grep "hac-501.csv.*pulled $(sha "$R/hac-501.csv" | cut -c1-12)" "$T/pull.out" \
	"the folder shows the file pulled with its SHA-256"

# --- t: host key, connect time, authentication, round-trip time
run_case test
fp=$(ssh-keygen -lf "$SRV/host.pub" | cut -d' ' -f2)
# (the message takes two lines: joined)
tail -3 "$T/test.raw" | head -2 | tr '\n' ' ' | sed 's/  */ /g' >"$T/test.msg"
expect_grep "Test rdc: ssh-ed25519 key $fp, connected in [0-9]* ms (publickey), RTT [0-9.]* ms" \
	"$T/test.msg" "t shows the fingerprint, connect time and RTT"

# --- a throttled pull cancelled with x: cancelled, partial kept, resumable
run_case cancel HMX_TRANSFER_KBPS=32
expect_grep "transfer job 3 cancelled at [0-9]* of 400000 bytes" "$T/cancel.out" \
	"x: the worker says where the job stopped"
expect_eq "$(job_field 3 state)" cancelled "throttled pull cancelled"
d=$(job_field 3 done)
if [ -n "$d" ] && [ "$d" -gt 0 ] && [ "$d" -lt 400000 ]; then ok; else
	bad "cancelled job: done=$d, wanted between 0 and 400000"; fi
[ -f "$I/big.bin.hmx-partial" ] && ok || bad "partial kept after the cancel"
[ -e "$I/big.bin" ] && bad "a cancelled pull renamed into place" || ok
run_case retry
expect_eq "$(job_field 3 state)" done "R completes the cancelled job"
expect_eq "$(sha "$I/big.bin")" "$(sha "$R/big.bin")" "resumed file equals the source"
expect_eq "$(H transfers --format json | grep -o '"id":' | wc -l | tr -d ' ')" 3 \
	"retry resumed the job rather than making a new one"

# --- P: the local file picker (started in the current folder), the push
run_case push
expect_grep "upload-2027Q1.zip  *23.3 KiB" "$T/push.out" "the folder listed again after the push"
expect_eq "$(sha "$R/upload-2027Q1.zip")" "$(sha "$T/local/upload-2027Q1.zip")" \
	"pushed file on the server equals the local one"
expect_eq "$(job_field 4 state) $(job_field 4 direction)" "done push" "push job done"
expect_eq "$(job_field 4 sha256)" "$(sha "$T/local/upload-2027Q1.zip")" "push job records the SHA-256"
# --- a job left running by an hmx that was killed (after the rename, so
# the file in place is the download): interrupted on screen, R finishes it
sqlite3 "$DB" "UPDATE transfer SET state='running' WHERE id=3"
run_case interrupted
expect_grep "#3 .*big.bin .*interrupted  *R resumes it" "$T/interrupted.out" "shown as interrupted"
expect_eq "$(job_field 3 state)" done "R finishes the interrupted job"
expect_eq "$(sha "$I/big.bin")" "$(sha "$R/big.bin")" "the file in place is kept"
[ -e "$R/upload-2027Q1.zip.part" ] && bad "remote .part left behind" || ok

# --- quitting while a job runs asks (No keeps the screen and the job)
run_case quit HMX_TRANSFER_KBPS=32
expect_grep "Job #5 is running" "$T/quit.raw" "q during a transfer asks first"
expect_grep "Cancel it and close" "$T/quit.raw" "the question says what yes does"
expect_grep "Cancelled; nothing changed" "$T/quit.raw" "No keeps the screen open"
expect_eq "$(job_field 5 state)" cancelled "the job cancelled when the screen finally closed"

# --- a second site: the folder follows the selected site
H site add vendor --host 127.0.0.1 --port "$PORT" --user "$(id -un)" --identity "$T/client" \
	--remote-dir "$R/sub" --role vendor >/dev/null || bad "site add vendor"
run_case sites

# --- with --cycle: a pulled export goes on to intake with the site's role
H cycle new rdc-download 2027Q1 >/dev/null || bad "cycle new"
ASSETS=$(cd "$here/../../assets" && pwd)
"$(dirname "$HMX")/hmxgen" --out "$T/gen" --quiet --assets "$ASSETS" --spec FY2024 \
	--project-id 1101 --project-name "HAC Carriage House" --clients 20 --seed 3 \
	--zip "$R/rdc-1101.zip" >/dev/null || bad "hmxgen"
touch -d "2026-11-20 10:00:00 UTC" "$R/rdc-1101.zip"
(cd "$T/local" && "$HMX" --db "$DB" --keys "$here/cycle.keys" --dump-screen "$T/cycle.out" \
	--size 100x30 --screen transfers --cycle rdc-download-2027Q1 2>"$T/err") ||
	{ bad "cycle: hmx exited non-zero"; cat "$T/err"; }
expect_grep "rdc-1101.zip taken into rdc-download-2027Q1" "$T/cycle.out" "the pull taken into the cycle"
H files rdc-download-2027Q1 --format json >"$T/files.json"
expect_grep "$(sha "$R/rdc-1101.zip")" "$T/files.json" "the cycle holds the pulled file"
expect_grep '"source":"rdc"' "$T/files.json" "intake with the site's role as source"

# --- an unknown host key: fingerprint shown, default No, y accepts (a
# workspace of its own: no jobs on screen)
mkdir -p "$T/db2"
CASE_DB="$T/db2/hmx.db"
"$HMX" --db "$CASE_DB" init >/dev/null
"$HMX" --db "$CASE_DB" site add rdc --host 127.0.0.1 --port "$PORT" --user "$(id -un)" \
	--identity "$T/client" --remote-dir "$R" --role rdc >/dev/null
: >"$HOME/.ssh/known_hosts"
run_case hostkey
CASE_DB=""
expect_grep "Host key SHA256:.* of rdc accepted" "$T/hostkey.out" "y accepts the key"
expect_grep "hac-501.csv" "$T/hostkey.out" "the folder listed once the key is accepted"
[ "$(grep -c 'Cancelled; nothing changed' "$T/hostkey.out")" = 1 ] && ok ||
	bad "Enter on the host-key question did not answer No"
fp=$(ssh-keygen -lf "$SRV/host.pub" | cut -d' ' -f2)
expect_grep "$fp" "$T/hostkey.raw" "the server's SHA-256 fingerprint shown"
expect_grep "Cancelled; nothing changed" "$T/hostkey.out" "Enter answers No"
if ssh-keygen -F "[127.0.0.1]:$PORT" -f "$HOME/.ssh/known_hosts" >/dev/null; then ok; else
	bad "y did not add the host key to known_hosts"; fi
expect_eq "$(grep -c . "$HOME/.ssh/known_hosts")" 1 "one line added to known_hosts"

# --- the key accepted is the one shown: the server's key changes between
# the question and y (a new sshd with another host key on the same port),
# so the new unknown key is refused, shown, and nothing is added
ssh-keygen -q -t ed25519 -N '' -f "$SRV/host2" -C host2
: >"$HOME/.ssh/known_hosts"
printf 'wait\nsleep:4000\nkey:a\nkey:y\nwait\ndump\n' >"$T/swap.keys"
(cd "$T/local" && "$HMX" --db "$T/db2/hmx.db" --keys "$T/swap.keys" --dump-screen "$T/swap.out" \
	--size 100x30 --screen transfers 2>"$T/swap.err") &
hmx_pid=$!
sleep 2
old_port=$PORT
stop_sshd
start_sshd "$SRV/host2"
wait $hmx_pid || bad "swap: hmx exited non-zero"
if [ "$PORT" != "$old_port" ]; then
	echo "tscreen: the new sshd took another port; key-swap case skipped"
else
	fp2=$(ssh-keygen -lf "$SRV/host2.pub" | cut -d' ' -f2)
	tail -3 "$T/swap.out" | head -2 | tr '\n' ' ' | sed 's/  */ /g' >"$T/swap.msg"
	expect_grep "Unknown host key of rdc: ssh-ed25519 $fp2" "$T/swap.msg" \
		"the other key is shown, not accepted"
	expect_eq "$(grep -c . "$HOME/.ssh/known_hosts")" 0 "nothing added to known_hosts"
fi

finish "tscreen"
