#!/bin/sh
# .ci/deps.sh — `make deps`: installs the Debian packages hmx needs to build
# and test, only when something is missing. Checks with dpkg; installs with
# apt-get (via sudo when not root). Does nothing, and needs no root, when
# everything is already there.
set -eu
PKGS="build-essential pkg-config libncurses-dev libsqlite3-dev libcsv-dev libssh-dev libzip-dev
libssl-dev libcmocka-dev sqlite3 tmux valgrind openssh-server openssh-client clang procps unzip"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	exit 0
fi
echo "make deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "make deps: missing packages:$missing; install them as root (apt-get install$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# an old or empty package list finds nothing: refresh it once if needed
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
	$SUDO apt-get update
	$SUDO apt-get install -y --no-install-recommends $missing
fi
