#!/bin/sh
# Install every Debian package that building, testing and the demo need.
# Idempotent: does nothing when everything is present. Runs apt-get update first
# when it has to install. Uses sudo when not root.
set -eu

PKGS="build-essential pkg-config libsqlite3-dev libcurl4-openssl-dev libpq-dev
libcjson-dev uuid-dev libssl-dev sqlite3 postgresql-15 postgresql-client-15
python3 python3-aiosmtpd openssl curl clang-format
chromium fonts-dejavu-core
clang libclang-rt-14-dev valgrind
time"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

# Node.js runs the S3-compatible test server. A machine may carry a Node.js that
# bundles npm (NodeSource) and conflicts with Debian's npm: ask for the commands.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing packages:$missing; run as root or install sudo" >&2
	exit 1
fi

echo "deps: installing$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
