#!/bin/sh
# tests/sftp/run.sh — sites and SFTP against a real OpenSSH server started
# for this run on 127.0.0.1 (TESTING.md "A real OpenSSH server in tests"):
# the site table from the command line, the host-key policy (unknown key
# refused in batch, accepted with --accept-new-host-key and then remembered
# in OpenSSH's known_hosts, changed key always refused), a wrong client key
# refused, ssh-agent authentication, hmx ls of a remote directory (names,
# sizes, JSON) and a remote name with control characters shown safely.
. "$(dirname "$0")/../lib.sh"
DB="$T/hmx.db"
H() { "$HMX" --db "$DB" "$@"; }
. "$(dirname "$0")/sshd.sh"

ssh-keygen -q -t ed25519 -N '' -f "$SRV/host" -C host
ssh-keygen -q -t ed25519 -N '' -f "$SRV/host2" -C host2
ssh-keygen -q -t ed25519 -N '' -f "$T/client" -C client
ssh-keygen -q -t ed25519 -N '' -f "$T/stranger" -C stranger
cp "$T/client.pub" "$SRV/authorized_keys"
start_sshd "$SRV/host"
FP=$(ssh-keygen -l -E sha256 -f "$SRV/host.pub" | awk '{print $2}')
FP2=$(ssh-keygen -l -E sha256 -f "$SRV/host2.pub" | awk '{print $2}')

# the remote directory
R="$T/remote"
mkdir -p "$R/sub"
printf 'abc' >"$R/three.csv"
: >"$R/empty.csv"
head -c 12345 /dev/zero >"$R/big.bin"
printf 'x' >"$R/$(printf 'evil\033[31mred\007')"

# --- the site table
expect_rc 0 "init" H init
expect_rc 0 "site list empty" H site list
expect_grep "no sites" "$T/out" "empty list says so"
expect_rc 0 "site add" H site add rdc --host 127.0.0.1 --port "$PORT" --user "$(id -un)" \
	--identity "$T/client" --remote-dir "$R" --role rdc
expect_rc 2 "site add twice" H site add rdc --host 127.0.0.1
expect_grep "already exists" "$T/err" "duplicate site"
expect_rc 2 "bad port" H site add x --host h --port 70000
expect_grep "1-65535" "$T/err" "bad port message"
expect_rc 2 "bad role" H site add x --host h --role boss
expect_rc 2 "bad name" H site add "a b" --host h
expect_rc 2 "host needed" H site add x
expect_rc 0 "site list" H site list
expect_grep "^rdc  *rdc  *127.0.0.1  *$PORT" "$T/out" "site listed"
expect_rc 0 "site list json" H site list --format json
expect_grep "\"name\":\"rdc\",\"host\":\"127.0.0.1\",\"port\":$PORT" "$T/out" "site json"
expect_rc 0 "site show" H site show rdc
expect_grep "^remote dir: $R" "$T/out" "show remote dir"
expect_rc 2 "show unknown" H site show nope
expect_one_line_err "unknown site"
expect_rc 0 "audit" H audit
expect_grep "site.add" "$T/out" "site.add audited"

# --- unknown host key: refused in batch, with the fingerprint
expect_rc 3 "first connect refused in batch" H site test rdc </dev/null
expect_grep "unknown host key" "$T/err" "unknown key named"
expect_grep "$FP" "$T/err" "refusal shows the SHA-256 fingerprint"
expect_grep "accept-new-host-key" "$T/err" "refusal names the flag"
[ -s "$HOME/.ssh/known_hosts" ] && bad "refused key written to known_hosts" || ok

# --- accepted with the flag, then remembered
expect_rc 0 "accept new host key" H site test rdc --accept-new-host-key </dev/null
expect_grep "$FP" "$T/out" "site test prints the fingerprint"
expect_grep "new, added" "$T/out" "key reported as added"
expect_grep "round trip" "$T/out" "round-trip time printed"
expect_grep "authenticated by: publickey" "$T/out" "identity file used"
ssh-keygen -F "[127.0.0.1]:$PORT" -f "$HOME/.ssh/known_hosts" >"$T/kh" 2>&1
expect_grep "ssh-ed25519" "$T/kh" "ssh-keygen -F finds the entry"
expect_rc 0 "second connect without flag" H site test rdc </dev/null
expect_grep "(known)" "$T/out" "key now known"
# AES-GCM first where the CPU has AES instructions, else libssh's order
if grep -qw aes /proc/cpuinfo 2>/dev/null; then
	expect_grep "cipher: aes128-gcm@openssh.com" "$T/out" "AES-GCM preferred (AES instructions)"
else
	expect_grep "cipher: chacha20-poly1305@openssh.com" "$T/out" "libssh's cipher order"
fi
HMX_SSH_DEFAULT_CIPHERS=1 H site test rdc </dev/null >"$T/out" 2>&1
expect_grep "cipher: chacha20-poly1305@openssh.com" "$T/out" "HMX_SSH_DEFAULT_CIPHERS keeps libssh's order"

# --- hmx ls: names, sizes, control characters
expect_rc 0 "ls" H ls rdc </dev/null
expect_grep " 3  .*  three.csv$" "$T/out" "ls size of three.csv"
expect_grep " 0  .*  empty.csv$" "$T/out" "ls size of empty.csv"
expect_grep " 12345  .*  big.bin$" "$T/out" "ls size of big.bin"
expect_grep "  sub/$" "$T/out" "directory marked"
expect_grep 'evil\\x1b\[31mred\\x07' "$T/out" "control characters escaped"
if grep -q "$(printf '\033')" "$T/out" || grep -q "$(printf '\007')" "$T/out"; then
	bad "raw control bytes printed"; else ok; fi
expect_rc 0 "ls json" H ls rdc --format json </dev/null
expect_grep '"name":"three.csv","size":3' "$T/out" "json entry"
expect_grep '"name":"evil\\u001b\[31mred\\u0007"' "$T/out" "json escapes control characters"
expect_rc 0 "ls subdir" H ls rdc "$R/sub" </dev/null
expect_eq "$(wc -c <"$T/out")" 0 "empty subdir lists nothing"
expect_rc 2 "ls missing dir" H ls rdc "$R/nope" </dev/null
expect_grep "no such file" "$T/err" "missing dir message"

# --- wrong client key refused
expect_rc 0 "site with a stranger's key" H site add wrong --host 127.0.0.1 --port "$PORT" \
	--user "$(id -un)" --identity "$T/stranger"
expect_rc 3 "wrong key refused" H site test wrong </dev/null
expect_grep "permission denied" "$T/err" "wrong key message"

# --- agent authentication: no --identity, no default key in ~/.ssh
eval "$(ssh-agent -s)" >/dev/null
agent_pid=$SSH_AGENT_PID
ssh-add -q "$T/client" 2>/dev/null
expect_rc 0 "site for the agent" H site add viaagent --host 127.0.0.1 --port "$PORT" --user "$(id -un)"
expect_rc 0 "agent auth" H site test viaagent </dev/null
expect_grep "authenticated by: agent" "$T/out" "agent used"
kill "$agent_pid" 2>/dev/null
agent_pid=""
unset SSH_AUTH_SOCK SSH_AGENT_PID

# --- a Host alias from ~/.ssh/config
cat >"$HOME/.ssh/config" <<CONF
Host rdc-alias
	HostName 127.0.0.1
	Port $PORT
	User $(id -un)
	IdentityFile $T/client
CONF
expect_rc 0 "site as a Host alias" H site add alias --host rdc-alias
expect_rc 0 "alias connects" H site test alias </dev/null
expect_grep "127.0.0.1 port $PORT" "$T/out" "alias resolved by ~/.ssh/config"
rm -f "$HOME/.ssh/config"

# --- hashed known_hosts (HashKnownHosts yes) still matches
ssh-keygen -q -H -f "$HOME/.ssh/known_hosts" >/dev/null 2>&1
rm -f "$HOME/.ssh/known_hosts.old"
expect_grep "^|1|" "$HOME/.ssh/known_hosts" "known_hosts hashed"
expect_rc 0 "hashed entry is known" H site test rdc </dev/null
expect_grep "(known)" "$T/out" "hashed key known"

# --- changed host key: always refused, flag or not
stop_sshd
start_sshd "$SRV/host2"
expect_rc 3 "changed host key refused" H site test rdc </dev/null
expect_grep "REMOTE HOST IDENTIFICATION HAS CHANGED" "$T/err" "OpenSSH's warning"
expect_grep "$FP2" "$T/err" "new fingerprint shown"
expect_grep "known_hosts:1" "$T/err" "known_hosts line named"
expect_rc 3 "changed key refused even with the flag" H site test rdc --accept-new-host-key </dev/null
expect_grep "host key verification failed" "$T/err" "no override"
grep -c . "$HOME/.ssh/known_hosts" >"$T/n"
expect_eq "$(cat "$T/n")" 1 "known_hosts untouched"

# --- remove
expect_rc 0 "site remove" H site remove wrong
expect_rc 2 "remove again" H site remove wrong
expect_rc 0 "audit" H audit
expect_grep "site.remove" "$T/out" "site.remove audited"

if [ "$_fail" -ne 0 ]; then echo "--- sshd log"; cat "$SRV/log"; fi
finish sftp
