/*
 * test_hooks.c - linked into build/tools/runbook-hooks only: runbook itself, with the
 * test clock and ids on (runbook_test_hooks, src/util.h). The golden exports need a
 * clock that reads the same in every run; the shipped ./runbook ignores
 * RUNBOOK_FAKE_NOW, RUNBOOK_FAKE_STEP_MS and RUNBOOK_FAKE_SEED.
 */
#include "util.h"

__attribute__((constructor)) static void test_hooks_on(void)
{
	runbook_test_hooks = 1;
}
