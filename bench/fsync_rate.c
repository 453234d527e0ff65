/*
 * fsync_rate.c - the disk's rate of durable writes, the limit of one durable append per
 * event (figure 2 of docs/performance.md).
 *
 *   fsync_rate DIR SECONDS [BYTES]
 *
 * In a new file in DIR (removed at the end), preallocated to 4 MiB and synced: write
 * BYTES (default 4096) at the next offset (wrapping before 4 MiB) and fdatasync, for
 * SECONDS. With 4096 this is the least a WAL commit costs the disk: one page-sized
 * write that must be durable before the commit returns (SQLite's WAL in
 * synchronous=FULL syncs with fdatasync on Linux); with the bytes a commit really
 * writes (its WAL frames) it is that commit's physical limit. Prints
 * "syncs=N seconds=S rate=R bytes=B".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_BLOCK (1L << 20)
#define FILE_SIZE (4L << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char buf[MAX_BLOCK];
	char path[4096];
	double secs, t0, t;
	long n = 0, block = 4096;
	off_t off = 0;
	int fd, rc = 1;

	if (argc == 4)
		block = strtol(argv[3], NULL, 10);
	if (argc < 3 || argc > 4 || (secs = strtod(argv[2], NULL)) <= 0 || block < 1 ||
	    block > MAX_BLOCK) {
		fprintf(stderr, "usage: fsync_rate DIR SECONDS [BYTES]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/fsync_rate.%ld", argv[1], (long)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	memset(buf, 'w', sizeof(buf));
	for (off_t o = 0; o < FILE_SIZE; o += 4096)
		if (pwrite(fd, buf, 4096, o) != 4096)
			goto out;
	if (fsync(fd) != 0)
		goto out;
	t0 = now_s();
	do {
		buf[n % block] = (char)n;
		if (pwrite(fd, buf, (size_t)block, off) != block || fdatasync(fd) != 0)
			goto out;
		off += block;
		if (off + block > FILE_SIZE)
			off = 0;
		n++;
		t = now_s();
	} while (t - t0 < secs);
	printf("syncs=%ld seconds=%.6f rate=%.1f bytes=%ld\n", n, t - t0, (double)n / (t - t0),
	       block);
	rc = 0;
out:
	if (rc != 0)
		perror("fsync_rate");
	close(fd);
	unlink(path);
	return rc;
}
