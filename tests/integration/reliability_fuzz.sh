#!/usr/bin/env bash
# reliability_fuzz.sh - hostile input (docs/reliability.md, item 8): the smoke of every
# libFuzzer target (tests/fuzz/), 30 seconds in all (FUZZ_SMOKE), after each target's
# regression inputs. `make fuzz` runs them longer; `make test` builds them
# (make fuzz-build). Prints SKIP when they are not built.
exec env FUZZ_TOTAL="${FUZZ_SMOKE:-30}" "$(dirname "$0")/../fuzz/run.sh"
