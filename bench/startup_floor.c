/*
 * startup_floor.c - an empty program linked exactly like runbook (the same objects and
 * shared libraries), so that its start-up time is the floor the dynamic loader puts
 * under `runbook --version` (figure 7 of docs/performance.md).
 */
int main(void)
{
	return 0;
}
