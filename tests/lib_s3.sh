# shellcheck shell=bash
# lib_s3.sh - the SigV4-checking S3 server (stands in for Cloudflare R2) for integration
# tests; sourced after lib.sh.
#
#   . "$(dirname "$0")/../lib.sh"; . "$(dirname "$0")/../lib_s3.sh"
#   s3_install || exit 1
#   case_x() { start_s3 AK SK; ...; stop_s3; start_s3 AK SK bilko-receipts "$S3_PORT"; }
#
# The server is @20minutes/s3rver@4.0.4 (pinned in tests/s3/package-lock.json, installed
# by tests/s3/install.sh with npm ci) run by tests/s3/s3rver.js on 127.0.0.1. It checks
# SigV4 signatures: a wrong secret gets 403 SignatureDoesNotMatch, an unknown key 403
# InvalidAccessKeyId, a missing bucket 404 NoSuchBucket. Objects live on disk under
# $S3_DIR/<bucket>/<key>._S3rver_object, so a test can see what is left behind.
# shellcheck disable=SC2154

S3_NODE=${S3_NODE:-node}

# s3_install: install the pinned server (idempotent; a no-op when already installed).
s3_install() {
	if ! "$ROOT/tests/s3/install.sh" >"$T_ROOT/s3-install.log" 2>&1; then
		echo "s3 install failed: $(tail -n 5 "$T_ROOT/s3-install.log")" >&2
		return 1
	fi
}

# start_s3 ACCESS SECRET [BUCKET] [PORT]: start the server accepting only that key pair,
# with BUCKET (default bilko-receipts) created, data in $S3_DIR (default $T/s3, kept
# across restarts), on PORT (default a free one). Tracked by PID (stopped at the end of
# the case). Sets and exports S3_PORT, S3_PID, S3_URL (http://127.0.0.1:PORT), S3_DIR.
start_s3() {
	local ak=$1 sk=$2 bucket=${3:-bilko-receipts} port=${4:-0} pid out _
	S3_DIR=${S3_DIR:-$T/s3}
	mkdir -p "$S3_DIR"
	out=$T/s3rver.$RANDOM.out
	"$S3_NODE" "$ROOT/tests/s3/s3rver.js" "$port" "$S3_DIR" "$ak" "$sk" "$bucket" \
		>"$out" 2>"$T/s3rver.err" &
	pid=$!
	track_pid "$pid"
	for _ in $(seq 150); do
		grep -q '^READY ' "$out" 2>/dev/null && break
		if ! alive "$pid"; then
			_why "start_s3: exited: $(cat "$T/s3rver.err")"
			return 1
		fi
		sleep 0.1
	done
	if ! grep -q '^READY ' "$out"; then
		_why "start_s3: not ready after 15 s"
		return 1
	fi
	S3_PORT=$(awk '/^READY /{print $2; exit}' "$out")
	S3_PID=$pid
	S3_URL=http://127.0.0.1:$S3_PORT
	export S3_PORT S3_PID S3_URL S3_DIR
}

# stop_s3: stop the server started last (its data stays in $S3_DIR).
stop_s3() {
	stop_pid "$S3_PID"
}

# s3_objects [BUCKET]: the keys stored in BUCKET (default bilko-receipts), one a line,
# sorted; nothing when the bucket is empty or does not exist.
s3_objects() {
	local dir=$S3_DIR/${1:-bilko-receipts}
	[ -d "$dir" ] || return 0
	(cd "$dir" && find . -type f -name '*._S3rver_object' | sed -e 's|^\./||' \
		-e 's|\._S3rver_object$||' | sort)
}
