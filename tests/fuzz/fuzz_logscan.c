/* fuzz_logscan.c - libFuzzer target: the API log scan (log_scan_text). */
#include <stdint.h>
#include <string.h>

#include "logscan.h"

/* One input: the log text (not NUL-terminated: the scan is bounded by its length). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_scan scan;

	log_scan_text((const char *)data, size, &scan);
	for (int f = 0; f < LOG_FINDING__LAST; f++) {
		if (scan.hits[f].count > 0 && scan.hits[f].first_line > scan.hits[f].last_line)
			__builtin_trap();
		if (memchr(scan.hits[f].sample, '\0', sizeof(scan.hits[f].sample)) == NULL)
			__builtin_trap();
	}
	return 0;
}
