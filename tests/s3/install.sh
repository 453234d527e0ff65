#!/bin/sh
# install.sh - install the pinned S3-compatible test server (@20minutes/s3rver, see
# package.json and package-lock.json) into tests/s3/node_modules with `npm ci`.
# Idempotent: does nothing when node_modules was installed from this very lock file.
# Concurrent callers wait for each other (flock on the lock file).
set -eu
cd "$(dirname "$0")"

stamp=node_modules/.runbook-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)

installed() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
		[ -f node_modules/@20minutes/s3rver/package.json ]
}

installed && exit 0
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	echo "s3 install: node and npm are needed (run scripts/deps.sh)" >&2
	exit 1
fi
exec 9<package-lock.json
flock 9
installed && exit 0
echo "s3 install: npm ci in tests/s3" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
