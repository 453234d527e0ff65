#!/usr/bin/env bash
# check-style.sh - for `make check`: no banned string functions, and clang-format clean.
# Looks at the tracked and untracked-but-not-ignored C files (.c, .h) under src/,
# journal/, flows/, tests/unit/ and tests/tools/. Prints "style: ok" when clean.
set -u
cd "$(dirname "$0")/.." || exit 1

dirs=(src journal flows tests/unit tests/tools)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t listed < <(git ls-files --cached --others --exclude-standard -- \
		"${dirs[@]/%//*.c}" "${dirs[@]/%//*.h}" | sort -u)
else
	mapfile -t listed < <(find "${dirs[@]}" -name '*.[ch]' 2>/dev/null | sort)
fi
files=()
for f in "${listed[@]}"; do
	[ -f "$f" ] && files+=("$f")
done
if [ "${#files[@]}" = 0 ]; then
	echo "style: no C files found" >&2
	exit 1
fi

rc=0
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\('
if grep -n -H -E "$banned" "${files[@]}"; then
	echo "style: banned function (use snprintf with a truncation check, strtol)" >&2
	rc=1
fi

if ! command -v clang-format >/dev/null 2>&1; then
	echo "style: clang-format not installed" >&2
	rc=1
elif ! diags=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
	# One line per file: where the first difference is and how many there are.
	printf '%s\n' "$diags" | grep -o '^[^ :]*:[0-9]*:[0-9]*: error' | awk -F: '
		!($1 in n) { order[++k] = $1; first[$1] = $2 }
		{ n[$1]++ }
		END { for (i = 1; i <= k; i++)
			printf "%s:%s: not clang-formatted (%d places)\n", order[i], first[order[i]], n[order[i]] }'
	echo "style: not formatted; run 'make format' (details: clang-format --dry-run FILE)" >&2
	rc=1
fi

[ "$rc" = 0 ] && echo "style: ok"
exit "$rc"
