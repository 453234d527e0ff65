/* fuzz_answers.c - libFuzzer target: an --answers file, checked against every flow. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "answers.h"
#include "flow.h"

/* One input: the file's bytes, loaded and validated against each registered flow. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct answers a = {NULL, 0};
	char err[512];

	if (fd < 0) {
		fd = memfd_create("answers", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (answers_load_file(&a, path, err, sizeof(err)) == 0) {
		for (const struct flow *const *f = flow_all(); *f != NULL; f++)
			(void)answers_validate(&a, *f, err, sizeof(err));
		for (size_t i = 0; i < a.n; i++)
			(void)answers_take(&a, a.v[i].state);
	}
	answers_release(&a);
	return 0;
}
