/* fuzz_health.c - libFuzzer target: the API health response (api_health_judge). */
#include <stdint.h>
#include <string.h>

#include "common.h"

/* One input: two bytes of HTTP status, then the body. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome out;
	long status;

	if (size < 2)
		return 0;
	status = 100 + (data[0] << 8 | data[1]) % 500;
	memset(&out, 0, sizeof(out));
	out.data = cJSON_CreateObject();
	api_health_judge(status, (const char *)data + 2, size - 2, 12.5, &out);
	if (out.name == NULL)
		__builtin_trap(); /* every response gets a verdict */
	cJSON_Delete(out.data);
	return 0;
}
