#!/usr/bin/env bash
# reliability_tamper.sh - tamper evidence (docs/reliability.md, item 5). Edits made
# behind runbook's back (the append-only triggers dropped by hand, then put back) at
# the first, a middle and the last event: one byte of each of the 15 columns flipped,
# a row deleted, two rows swapped, a forged row inserted. `verify` exits 5 and names
# the first bad seq every time; deleting the newest rows is caught by `verify --head`;
# with an HMAC key, a chain recomputed without the key fails.
# shellcheck disable=SC2154,SC2317
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../lib_reliability.sh
. "$ROOT/tests/lib_reliability.sh"

EVENTS=12

# base: $T/base.db, a journal of $EVENTS events (every column non-empty).
base() {
	need_tools
	mkdir -m 700 "$T/j"
	"$JTOOL" append "$T/j/base.db" "$EVENTS" >/dev/null
	cp "$T/j/base.db" "$T/base.db"
	[ ! -e "$T/j/base.db-wal" ] || { _why "the base journal kept a -wal"; return 1; }
}

# tamper.py: the edits, and a re-hash of the chain that follows docs/journal-format.md.
write_tamper_py() {
	cat >"$T/tamper.py" <<'PYEOF'
import hashlib, json, os, shutil, sqlite3, struct, subprocess, sys

COLS = ["seq", "id", "incident", "ts", "mono_ns", "operator", "os_user", "host", "pid",
        "flow", "state", "kind", "data", "prev_hash", "hash"]
INTS = {"seq", "mono_ns", "pid"}
BLOBS = {"prev_hash", "hash"}


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.text_factory = bytes
    return db


def drop_triggers(db):
    sqls = [r[0].decode() for r in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute('DROP TRIGGER "%s"' % name.decode())
    return sqls


def restore_triggers(db, sqls):
    for s in sqls:
        db.execute(s)


def row(db, seq):
    r = db.execute("SELECT %s FROM events WHERE seq = ?" % ", ".join(COLS), (seq,)).fetchone()
    return dict(zip(COLS, r))


def canonical(r):
    def text(b):
        return struct.pack(">I", len(b)) + b

    def num(v):
        return struct.pack(">q", v)

    return (text(b"runbook.journal.event.v1") + num(r["seq"]) + text(r["id"]) +
            text(r["incident"]) + text(r["ts"]) + num(r["mono_ns"]) + text(r["operator"]) +
            text(r["os_user"]) + text(r["host"]) + num(r["pid"]) + text(r["flow"]) +
            text(r["state"]) + text(r["kind"]) + text(r["data"]) + r["prev_hash"])


def chain_hash(r):
    return hashlib.sha256(b"\x00" + r["prev_hash"] + canonical(r)).digest()


def put(db, r):
    db.execute("INSERT INTO events (%s) VALUES (%s)" % (", ".join(COLS), ", ".join("?" * 15)),
               [r[c] if c in INTS or c in BLOBS else r[c].decode("utf-8", "surrogateescape")
                for c in COLS])


def flip(col, v):
    """One byte of the column's value changed."""
    if col in INTS:
        b = bytearray(struct.pack(">q", v))
        b[0 if col == "seq" else 7] ^= 0x01  # seq: far away (2^56 on); others: +-1
        return struct.unpack(">q", bytes(b))[0]
    b = bytearray(v)
    b[len(b) // 2] ^= 0x01
    return bytes(b)


def rechain(db, start):
    """Recompute prev_hash and hash from seq `start` on, with plain SHA-256."""
    prev = row(db, start - 1)["hash"] if start > 1 else b"\x00" * 32
    for (seq,) in db.execute("SELECT seq FROM events WHERE seq >= ? ORDER BY seq",
                             (start,)).fetchall():
        r = row(db, seq)
        r["prev_hash"] = prev
        r["hash"] = chain_hash(r)
        db.execute("DELETE FROM events WHERE seq = ?", (seq,))
        put(db, r)
        prev = r["hash"]


def mutate(db, what, p, n):
    """Apply one edit at position p of n events; return the seq verify must name."""
    if what.startswith("flip:"):
        col = what[5:]
        r = row(db, p)
        db.execute("DELETE FROM events WHERE seq = ?", (p,))
        r[col] = flip(col, r[col])
        put(db, r)
        return p
    if what == "delete":
        db.execute("DELETE FROM events WHERE seq = ?", (p,))
        return p
    if what == "swap":
        a = p if p < n else p - 1
        ra, rb = row(db, a), row(db, a + 1)
        db.execute("DELETE FROM events WHERE seq IN (?, ?)", (a, a + 1))
        ra["seq"], rb["seq"] = a + 1, a
        put(db, ra)
        put(db, rb)
        return a
    if what in ("forge", "forge-rehashed"):
        # a new row at seq p: the rows from p on move up one; the forgery copies row p
        # with other data, and its hash is garbage or correctly chained (no key needed)
        r = row(db, p) if p <= n else row(db, n)
        for (seq,) in db.execute("SELECT seq FROM events WHERE seq >= ? ORDER BY seq DESC",
                                 (p,)).fetchall():
            old = row(db, seq)
            db.execute("DELETE FROM events WHERE seq = ?", (seq,))
            old["seq"] = seq + 1
            put(db, old)
        r["seq"] = p
        r["data"] = b'{"forged": true}'
        r["prev_hash"] = row(db, p - 1)["hash"] if p > 1 else b"\x00" * 32
        r["hash"] = chain_hash(r) if what == "forge-rehashed" else hashlib.sha256(b"x").digest()
        put(db, r)
        return p if what == "forge" else (p + 1 if p <= n else 0)
    raise SystemExit("unknown edit " + what)


def verify(runbook, path, *extra):
    out = subprocess.run([runbook, "--journal", path, "--json", "verify", *extra],
                         capture_output=True, text=True)
    hum = subprocess.run([runbook, "--journal", path, "verify", *extra],
                         capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout), hum.returncode, hum.stderr


def matrix(runbook, base, work, n):
    positions = [1, n // 2, n]
    edits = ["flip:" + c for c in COLS] + ["delete", "swap", "forge", "forge-rehashed"]
    done = 0
    for p in positions:
        for what in edits:
            path = os.path.join(work, "t.db")
            shutil.copy(base, path)
            db = connect(path)
            sqls = drop_triggers(db)
            expect = mutate(db, what, p if what != "forge-rehashed" or p < n else n + 1, n)
            if what == "delete" and p == n:
                expect = 0  # the newest row gone: the chain alone cannot tell (see --head)
            restore_triggers(db, sqls)
            db.close()
            rc, j, hrc, herr = verify(runbook, path)
            label = "%s at seq %d" % (what, p)
            if expect == 0:
                if rc != 0:
                    sys.exit("%s: expected verify to pass, got %d %s" % (label, rc, j))
                continue
            if rc != 5 or hrc != 5:
                sys.exit("%s: verify exit %d/%d, expected 5: %s" % (label, rc, hrc, j))
            if j.get("first_bad_seq") != expect:
                sys.exit("%s: first_bad_seq %s, expected %d (%s)" % (
                    label, j.get("first_bad_seq"), expect, j.get("reason")))
            if "journal broken at seq %d:" % expect not in herr:
                sys.exit("%s: the message does not name seq %d: %s" % (label, expect, herr))
            done += 1
    print(done)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "matrix":
        matrix(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif cmd == "edit":  # edit PATH WHAT P N [keep-triggers-dropped]
        db = connect(sys.argv[2])
        sqls = drop_triggers(db)
        print(mutate(db, sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
        if len(sys.argv) < 7:
            restore_triggers(db, sqls)
    elif cmd == "rechain":  # rechain PATH SEQ: change SEQ's data, re-hash from there
        db = connect(sys.argv[2])
        sqls = drop_triggers(db)
        seq = int(sys.argv[3])
        r = row(db, seq)
        db.execute("DELETE FROM events WHERE seq = ?", (seq,))
        r["data"] = b'{"rewritten": true}'
        put(db, r)
        rechain(db, seq)
        restore_triggers(db, sqls)
    elif cmd == "unkey":  # the meta rows of an unkeyed journal
        db = connect(sys.argv[2])
        sqls = drop_triggers(db)
        db.execute("UPDATE meta SET value = 'sha256' WHERE key = 'chain'")
        db.execute("DELETE FROM meta WHERE key = 'key_check'")
        rechain(db, 1)
        restore_triggers(db, sqls)
PYEOF
}

# Every edit at the first, middle and last event: exit 5, first bad seq named.
case_edit_matrix() {
	base
	write_tamper_py
	assert_exit 0 "$RUNBOOK" --journal "$T/base.db" verify
	n=$("$PY" "$T/tamper.py" matrix "$RUNBOOK" "$T/base.db" "$T/j" "$EVENTS" 2>&1) ||
		{ _why "$n"; return 1; }
	# 3 positions x (15 columns + delete + swap + forge + forge-rehashed), less the
	# two the chain alone cannot see (the newest row deleted, a rehashed row appended)
	assert_eq 55 "$n" "edits detected"
	echo "  $n edits detected, each at its first bad seq" >&2
}

# With the triggers left dropped, verify says so, and still names the seq.
case_triggers_left_dropped() {
	base
	write_tamper_py
	cp "$T/base.db" "$T/t.db"
	"$PY" "$T/tamper.py" edit "$T/t.db" flip:data 6 "$EVENTS" keep-dropped >/dev/null
	assert_exit 5 "$RUNBOOK" --journal "$T/t.db" verify
	assert_contains "$(cat "$T/err")" "journal broken at seq 6:" "seq named"
	assert_contains "$(cat "$T/err")" "trigger 'events_no_update' is missing" "trigger named"
}

# Deleting the newest rows leaves a valid chain: verify --head catches it.
case_truncation_needs_head() {
	base
	write_tamper_py
	assert_exit 0 "$RUNBOOK" --journal "$T/base.db" --json verify
	head=$(json_get "$T/out" "j['head']['hash']")
	for k in 1 3; do
		cp "$T/base.db" "$T/t.db"
		for _ in $(seq "$k"); do
			last=$(sqlite3 "$T/t.db" 'SELECT max(seq) FROM events')
			"$PY" "$T/tamper.py" edit "$T/t.db" delete "$last" "$last" >/dev/null
		done
		assert_exit 0 "$RUNBOOK" --journal "$T/t.db" verify
		assert_exit 5 "$RUNBOOK" --journal "$T/t.db" verify --head "$head"
		assert_contains "$(cat "$T/err")" "head hash $head not found" "the head is named"
	done
	assert_exit 0 "$RUNBOOK" --journal "$T/base.db" verify --head "$head"
}

# Keyed: a chain recomputed with plain SHA-256 (no key) fails; unkeyed, the same
# recomputation passes (the control: the re-hash is right, only the key is missing).
case_hmac_recompute_without_key() {
	need_tools
	write_tamper_py
	mkdir -m 700 "$T/j" "$T/k"
	head -c 32 /dev/urandom >"$T/k/key"
	chmod 600 "$T/k/key"
	RUNBOOK_JOURNAL_KEY=$T/k/key "$JTOOL" append "$T/j/keyed.db" "$EVENTS" >/dev/null
	"$JTOOL" append "$T/j/plain.db" "$EVENTS" >/dev/null
	RUNBOOK_JOURNAL_KEY=$T/k/key assert_exit 0 "$RUNBOOK" --journal "$T/j/keyed.db" verify
	assert_contains "$(cat "$T/out")" "HMAC-SHA256" "keyed chain"

	"$PY" "$T/tamper.py" rechain "$T/j/plain.db" 6
	assert_exit 0 "$RUNBOOK" --journal "$T/j/plain.db" verify

	"$PY" "$T/tamper.py" rechain "$T/j/keyed.db" 6
	RUNBOOK_JOURNAL_KEY=$T/k/key assert_exit 5 "$RUNBOOK" --journal "$T/j/keyed.db" --json verify
	assert_eq 6 "$(json_get "$T/out" "j['first_bad_seq']")" "first bad seq"
	assert_contains "$(json_get "$T/out" "j['reason']")" "seq 6: hash mismatch" "reason"
	# without the key it does not even open
	assert_exit 4 "$RUNBOOK" --journal "$T/j/keyed.db" verify
	assert_contains "$(cat "$T/err")" "is keyed" "needs its key"
	# turned into an unkeyed journal (meta rewritten, whole chain re-hashed): the key
	# holder sees it at once
	"$PY" "$T/tamper.py" unkey "$T/j/keyed.db"
	RUNBOOK_JOURNAL_KEY=$T/k/key assert_exit 4 "$RUNBOOK" --journal "$T/j/keyed.db" verify
	assert_contains "$(cat "$T/err")" "is not keyed, but RUNBOOK_JOURNAL_KEY names a key" "unkeyed"
}

run_cases case_edit_matrix case_triggers_left_dropped case_truncation_needs_head \
	case_hmac_recompute_without_key
