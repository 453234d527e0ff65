#!/bin/sh
# valgrind-runbook.sh - ./runbook under valgrind's memcheck, as $RUNBOOK for the
# integration tests (`make valgrind`). It execs valgrind, so the test's PID is the
# running tool (kill -9 and Ctrl-C reach it). Exit 99 on a memory error or a definite
# or indirect leak; each run's report goes to $VALGRIND_LOG_DIR/vg.PID.log, empty when
# clean (`make valgrind` fails when any is not). VALGRIND_RUNBOOK names the binary
# (default ./runbook): a private copy is safer in a working tree where ./runbook may be
# rebuilt meanwhile.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGDIR=${VALGRIND_LOG_DIR:-$ROOT/build/valgrind}
mkdir -p "$LOGDIR"
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes \
	--log-file="$LOGDIR/vg.%p.log" "${VALGRIND_RUNBOOK:-$ROOT/runbook}" "$@"
