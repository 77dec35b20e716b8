# tests/sftp/sshd.sh — a throwaway OpenSSH server on 127.0.0.1 for the shell
# suites that talk SFTP (sourced after tests/lib.sh; POSIX sh). Sets SSHD and
# SRV ($T/srv: config, host keys, authorized_keys, pid file and log), clears
# any ssh-agent from the environment, and installs an EXIT trap that stops
# the server (and an agent whose pid is in agent_pid) and removes $T.
#   start_sshd HOSTKEY   start on a free high port (tries a few); sets PORT;
#                        SFTP_FLAGS are given to internal-sftp (e.g. -R)
#   stop_sshd            stop it and wait for it to go
# No root needed; nothing outside $T is touched.
SSHD=/usr/sbin/sshd
if [ ! -x "$SSHD" ] || ! command -v ssh-keygen >/dev/null || ! command -v ssh-agent >/dev/null; then
	echo "sftp: openssh-server/openssh-client missing (make deps)"; exit 1
fi
unset SSH_AUTH_SOCK SSH_AGENT_PID
SRV="$T/srv"
mkdir -p "$SRV" "$HOME/.ssh"
chmod 700 "$HOME/.ssh"
sshd_pid=""
agent_pid=""

stop_sshd() {
	if [ -n "$sshd_pid" ]; then
		kill "$sshd_pid" 2>/dev/null
		_i=0
		while kill -0 "$sshd_pid" 2>/dev/null && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
		sshd_pid=""
	fi
	rm -f "$SRV/pid"
}
cleanup() {
	stop_sshd
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# start_sshd HOSTKEY: on a free port (tries a few), waits for the pid file
start_sshd() {
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	_try=0
	PORT=$((20000 + $$ % 10000))
	while [ $_try -lt 8 ]; do
		cat >"$SRV/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $1
AuthorizedKeysFile $SRV/authorized_keys
PidFile $SRV/pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp internal-sftp ${SFTP_FLAGS:-}
$( [ "$(id -u)" = 0 ] && echo "PermitRootLogin yes" )
CONF
		: >"$SRV/log"
		"$SSHD" -f "$SRV/sshd_config" -E "$SRV/log"
		_i=0
		while [ ! -s "$SRV/pid" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
		if [ -s "$SRV/pid" ]; then
			sshd_pid=$(cat "$SRV/pid")
			return 0
		fi
		_try=$((_try + 1))
		PORT=$((20000 + ($$ + _try * 997) % 10000))
	done
	echo "sftp: cannot start sshd"; cat "$SRV/log"; exit 1
}
