# shellcheck shell=bash
# lib_smtp.sh - Debian's aiosmtpd as the SMTP server of integration tests; sourced after
# lib.sh.
#
#   . "$(dirname "$0")/../lib.sh"; . "$(dirname "$0")/../lib_smtp.sh"
#   case_x() { start_smtp starttls; ...; smtp_message >"$T/msg"; }
#
# The server delivers each message to $SMTP_DIR/maildir/new/ (a Mailbox handler; it
# creates the maildir itself) with X-MailFrom and X-RcptTo headers added. Certificates
# are self-signed for CN=localhost, IP 127.0.0.1 (make_cert).
# shellcheck disable=SC2154

# make_cert DIR: a self-signed certificate DIR/cert.pem and key DIR/key.pem (10 days).
make_cert() {
	mkdir -p "$1"
	[ -s "$1/cert.pem" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/key.pem" -out "$1/cert.pem" \
		-days 10 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$1/openssl.log" 2>&1
}

# start_smtp [plain|starttls|smtps]: start aiosmtpd on a free port of 127.0.0.1: plain
# (no TLS offered), starttls (STARTTLS offered and required before mail) or smtps
# (implicit TLS). Tracked by PID. Sets and exports SMTP_PORT, SMTP_PID, SMTP_DIR and
# SMTP_CERT (the certificate, for the TLS modes).
start_smtp() {
	local mode=${1:-plain} port pid _ tls=()
	SMTP_DIR=$T/smtp
	mkdir -p "$SMTP_DIR"
	SMTP_CERT=$SMTP_DIR/cert.pem
	case $mode in
	plain) ;;
	starttls)
		make_cert "$SMTP_DIR" || return 1
		tls=(--tlscert "$SMTP_DIR/cert.pem" --tlskey "$SMTP_DIR/key.pem")
		;;
	smtps)
		make_cert "$SMTP_DIR" || return 1
		tls=(--smtpscert "$SMTP_DIR/cert.pem" --smtpskey "$SMTP_DIR/key.pem")
		;;
	*)
		_why "start_smtp: unknown mode '$mode'"
		return 1
		;;
	esac
	port=$(free_port)
	"$PY" -m aiosmtpd -n -l "127.0.0.1:$port" "${tls[@]}" -c aiosmtpd.handlers.Mailbox \
		"$SMTP_DIR/maildir" >"$SMTP_DIR/out" 2>"$SMTP_DIR/err" &
	pid=$!
	track_pid "$pid"
	for _ in $(seq 100); do
		if ! alive "$pid"; then
			_why "start_smtp: exited: $(cat "$SMTP_DIR/err")"
			return 1
		fi
		"$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' \
			"$port" 2>/dev/null && break
		sleep 0.1
	done
	SMTP_PORT=$port SMTP_PID=$pid
	export SMTP_PORT SMTP_PID SMTP_DIR SMTP_CERT
}

# smtp_count: how many messages were delivered.
smtp_count() {
	find "$SMTP_DIR/maildir/new" -type f 2>/dev/null | wc -l
}

# smtp_message: print the (only, else the latest) delivered message.
smtp_message() {
	local f
	f=$(ls -t "$SMTP_DIR/maildir/new/"* 2>/dev/null | head -n 1)
	[ -n "$f" ] || {
		_why "no message delivered"
		return 1
	}
	cat "$f"
}

# mail_header FILE NAME: the value of header NAME in the message FILE (first one).
mail_header() {
	"$PY" - "$1" "$2" <<'PYEOF'
import email, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
v = msg.get(sys.argv[2])
print("" if v is None else str(v))
PYEOF
}
