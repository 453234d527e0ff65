/*
 * testvfs.c - an SQLite VFS for the reliability tests, loaded with LD_PRELOAD into
 * tests/tools/jtool or the real ./runbook. Never linked into runbook itself: the
 * product has no hook; this library registers itself as the default VFS from a
 * constructor, so the journal's ordinary sqlite3_open_v2 goes through it.
 *
 * It wraps "unix" and counts the write operations (xWrite, xSync, xTruncate) of the
 * process, numbered from 1. Environment (all optional; without any it only counts):
 *
 *   TESTVFS_POWERLOSS_AT=N   before operation N, "lose power": every write not yet
 *                            made durable by an xSync of its file is undone (the old
 *                            bytes put back, the file cut to its synced size), then
 *                            the process exits 77 at once, as if the machine stopped
 *   TESTVFS_KEEP=prefix      ... but a random prefix (per file, in issue order) of the
 *                            unsynced writes reached the disk (TESTVFS_SEED picks it)
 *   TESTVFS_FAIL_AT=N        operation N fails: SQLITE_IOERR_WRITE / _FSYNC / _TRUNCATE
 *                            (TESTVFS_FAIL_CODE=full: SQLITE_FULL); later ones succeed
 *                            unless TESTVFS_FAIL_STICKY=1
 *   TESTVFS_COUNT_FILE=PATH  at exit, write the number of operations seen to PATH
 *   TESTVFS_SYNC_DOWNGRADE=1 sqlite3_exec("PRAGMA synchronous = FULL") runs
 *                            "PRAGMA synchronous = NORMAL" instead (to prove the
 *                            journal reads the setting back and refuses)
 *
 * The power-loss model: writes reach the disk in order, and an xSync makes everything
 * before it durable; deletions are durable at once; the -shm file is not modelled (it
 * is rebuilt from the WAL by the first connection after a crash).
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EXIT_POWERLOSS 77

struct undo {
	sqlite3_int64 off;      /* where the operation wrote */
	sqlite3_int64 pre_size; /* the file's size before it */
	unsigned char *old;     /* the bytes it overwrote (those below pre_size) */
	int oldlen;
};

struct tfile {
	sqlite3_file base;
	struct tfile *next; /* every open file, and closed ones with pending writes */
	char *path;
	int open;
	sqlite3_int64 synced_size;
	struct undo *u;
	size_t nu, cap;
	sqlite3_file *real; /* the unix file, right after this struct */
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs test_vfs;
static struct sqlite3_io_methods test_io;
static struct tfile *files;
static long ops;
static long powerloss_at, fail_at;
static int keep_prefix, fail_full, fail_sticky, enabled_undo;
static unsigned long long seed = 88172645463325252ull;

static unsigned long long rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static long env_long(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : 0;
}

static void undo_clear(struct tfile *f)
{
	for (size_t i = 0; i < f->nu; i++)
		free(f->u[i].old);
	f->nu = 0;
}

/* Put one file back as it was on the disk: its first `keep` unsynced writes stay. */
static void undo_apply(struct tfile *f, size_t keep)
{
	int fd;

	if (f->path == NULL || keep >= f->nu)
		return;
	fd = open(f->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (size_t i = f->nu; i-- > keep;) {
		if (f->u[i].oldlen > 0 &&
		    pwrite(fd, f->u[i].old, (size_t)f->u[i].oldlen, f->u[i].off) < 0)
			break;
	}
	if (ftruncate(fd, f->u[keep].pre_size) != 0)
		fprintf(stderr, "testvfs: cannot cut %s\n", f->path);
	fsync(fd);
	close(fd);
}

static void power_loss(void)
{
	for (struct tfile *f = files; f != NULL; f = f->next)
		undo_apply(f, keep_prefix ? (size_t)(rnd() % (f->nu + 1)) : 0);
	fprintf(stderr, "testvfs: power lost before operation %ld\n", ops);
	_exit(EXIT_POWERLOSS);
}

/* Count one operation; returns the error to fail it with, or SQLITE_OK. */
static int op_begin(int ioerr)
{
	ops++;
	if (powerloss_at > 0 && ops == powerloss_at)
		power_loss();
	if (fail_at > 0 && (ops == fail_at || (fail_sticky && ops > fail_at)))
		return fail_full ? SQLITE_FULL : ioerr;
	return SQLITE_OK;
}

/* Remember what [off, off + n) holds now, so that a power loss can put it back. */
static void undo_push(struct tfile *f, sqlite3_int64 off, sqlite3_int64 n)
{
	sqlite3_int64 size = 0;
	struct undo *u;

	if (!enabled_undo)
		return;
	if (f->nu == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->u = realloc(f->u, f->cap * sizeof(*f->u));
		if (f->u == NULL)
			abort();
	}
	f->real->pMethods->xFileSize(f->real, &size);
	u = &f->u[f->nu++];
	u->off = off;
	u->pre_size = size;
	u->oldlen = off < size ? (int)(size - off < n ? size - off : n) : 0;
	u->old = NULL;
	if (u->oldlen > 0) {
		u->old = malloc((size_t)u->oldlen);
		if (u->old == NULL ||
		    f->real->pMethods->xRead(f->real, u->old, u->oldlen, off) != SQLITE_OK)
			abort();
	}
}

static int t_close(sqlite3_file *p)
{
	struct tfile *f = (struct tfile *)p;
	int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
	struct tfile **pp;

	/* unlink it; a closed file with unsynced writes stays known (a copy) */
	for (pp = &files; *pp != NULL && *pp != f; pp = &(*pp)->next)
		;
	if (*pp == f)
		*pp = f->next;
	if (f->nu > 0 && f->path != NULL) {
		struct tfile *keep = calloc(1, sizeof(*keep));

		if (keep != NULL) {
			*keep = *f;
			keep->open = 0;
			keep->path = strdup(f->path);
			keep->next = files;
			files = keep;
			f->u = NULL;
			f->nu = f->cap = 0;
		}
	}
	undo_clear(f);
	free(f->u);
	free(f->path);
	return rc;
}

static int t_read(sqlite3_file *p, void *buf, int n, sqlite3_int64 off)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xRead(f->real, buf, n, off);
}

static int t_write(sqlite3_file *p, const void *buf, int n, sqlite3_int64 off)
{
	struct tfile *f = (struct tfile *)p;
	int rc = op_begin(SQLITE_IOERR_WRITE);

	if (rc != SQLITE_OK)
		return rc;
	undo_push(f, off, n);
	return f->real->pMethods->xWrite(f->real, buf, n, off);
}

static int t_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct tfile *f = (struct tfile *)p;
	int rc = op_begin(SQLITE_IOERR_TRUNCATE);
	sqlite3_int64 cur = 0;

	if (rc != SQLITE_OK)
		return rc;
	f->real->pMethods->xFileSize(f->real, &cur);
	if (cur > size)
		undo_push(f, size, cur - size);
	return f->real->pMethods->xTruncate(f->real, size);
}

static int t_sync(sqlite3_file *p, int flags)
{
	struct tfile *f = (struct tfile *)p;
	int rc = op_begin(SQLITE_IOERR_FSYNC);

	if (rc != SQLITE_OK)
		return rc;
	rc = f->real->pMethods->xSync(f->real, flags);
	if (rc == SQLITE_OK) {
		undo_clear(f);
		f->real->pMethods->xFileSize(f->real, &f->synced_size);
	}
	return rc;
}

static int t_size(sqlite3_file *p, sqlite3_int64 *size)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xFileSize(f->real, size);
}

static int t_lock(sqlite3_file *p, int l)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xLock(f->real, l);
}

static int t_unlock(sqlite3_file *p, int l)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xUnlock(f->real, l);
}

static int t_reserved(sqlite3_file *p, int *out)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int t_fcntl(sqlite3_file *p, int op, void *arg)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int t_sector(sqlite3_file *p)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xSectorSize(f->real);
}

static int t_devchar(sqlite3_file *p)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int t_shm_map(sqlite3_file *p, int pg, int sz, int extend, void volatile **out)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xShmMap(f->real, pg, sz, extend, out);
}

static int t_shm_lock(sqlite3_file *p, int off, int n, int flags)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xShmLock(f->real, off, n, flags);
}

static void t_shm_barrier(sqlite3_file *p)
{
	struct tfile *f = (struct tfile *)p;

	f->real->pMethods->xShmBarrier(f->real);
}

static int t_shm_unmap(sqlite3_file *p, int del)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xShmUnmap(f->real, del);
}

static int t_fetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xFetch(f->real, off, n, out);
}

static int t_unfetch(sqlite3_file *p, sqlite3_int64 off, void *ptr)
{
	struct tfile *f = (struct tfile *)p;

	return f->real->pMethods->xUnfetch(f->real, off, ptr);
}

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *oflags)
{
	struct tfile *f = (struct tfile *)p;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, oflags);
	if (rc != SQLITE_OK || f->real->pMethods == NULL) {
		p->pMethods = NULL;
		return rc;
	}
	test_io.iVersion = f->real->pMethods->iVersion < 3 ? f->real->pMethods->iVersion : 3;
	p->pMethods = &test_io;
	f->open = 1;
	f->path = name != NULL ? strdup(name) : NULL;
	f->real->pMethods->xFileSize(f->real, &f->synced_size);
	f->next = files;
	files = f;
	return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int syncdir)
{
	(void)vfs;
	/* a deletion is durable at once: forget the pending writes of closed copies */
	for (struct tfile *f = files; f != NULL; f = f->next) {
		if (!f->open && f->path != NULL && strcmp(f->path, name) == 0)
			undo_clear(f);
	}
	return real_vfs->xDelete(real_vfs, name, syncdir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int v_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int v_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static void write_count(void)
{
	const char *path = getenv("TESTVFS_COUNT_FILE");
	FILE *fp;

	if (path == NULL || *path == '\0')
		return;
	fp = fopen(path, "w");
	if (fp != NULL) {
		fprintf(fp, "%ld\n", ops);
		fclose(fp);
	}
}

__attribute__((constructor)) static void testvfs_init(void)
{
	const char *keep = getenv("TESTVFS_KEEP");
	const char *code = getenv("TESTVFS_FAIL_CODE");
	long s = env_long("TESTVFS_SEED");

	real_vfs = sqlite3_vfs_find("unix");
	if (real_vfs == NULL) {
		fprintf(stderr, "testvfs: no unix vfs\n");
		_exit(70);
	}
	powerloss_at = env_long("TESTVFS_POWERLOSS_AT");
	fail_at = env_long("TESTVFS_FAIL_AT");
	fail_sticky = env_long("TESTVFS_FAIL_STICKY") != 0;
	fail_full = code != NULL && strcmp(code, "full") == 0;
	keep_prefix = keep != NULL && strcmp(keep, "prefix") == 0;
	enabled_undo = powerloss_at > 0;
	if (s != 0)
		seed = (unsigned long long)s * 2654435761ull + 1;

	test_io.xClose = t_close;
	test_io.xRead = t_read;
	test_io.xWrite = t_write;
	test_io.xTruncate = t_truncate;
	test_io.xSync = t_sync;
	test_io.xFileSize = t_size;
	test_io.xLock = t_lock;
	test_io.xUnlock = t_unlock;
	test_io.xCheckReservedLock = t_reserved;
	test_io.xFileControl = t_fcntl;
	test_io.xSectorSize = t_sector;
	test_io.xDeviceCharacteristics = t_devchar;
	test_io.xShmMap = t_shm_map;
	test_io.xShmLock = t_shm_lock;
	test_io.xShmBarrier = t_shm_barrier;
	test_io.xShmUnmap = t_shm_unmap;
	test_io.xFetch = t_fetch;
	test_io.xUnfetch = t_unfetch;

	test_vfs.iVersion = 2;
	test_vfs.szOsFile = (int)sizeof(struct tfile) + real_vfs->szOsFile;
	test_vfs.mxPathname = real_vfs->mxPathname;
	test_vfs.zName = "testvfs";
	test_vfs.xOpen = v_open;
	test_vfs.xDelete = v_delete;
	test_vfs.xAccess = v_access;
	test_vfs.xFullPathname = v_fullpath;
	test_vfs.xRandomness = v_random;
	test_vfs.xSleep = v_sleep;
	test_vfs.xCurrentTime = v_time;
	test_vfs.xGetLastError = v_lasterr;
	test_vfs.xCurrentTimeInt64 = v_time64;
	if (sqlite3_vfs_register(&test_vfs, 1) != SQLITE_OK) {
		fprintf(stderr, "testvfs: cannot register\n");
		_exit(70);
	}
	atexit(write_count);
}

/*
 * Interposes on the library's sqlite3_exec (this file is preloaded): with
 * TESTVFS_SYNC_DOWNGRADE=1 the journal's "PRAGMA synchronous = FULL" becomes NORMAL.
 * Everything else is passed through unchanged.
 */
int sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **),
                 void *arg, char **errmsg)
{
	static int (*next)(sqlite3 *, const char *, int (*)(void *, int, char **, char **),
	                   void *, char **);
	const char *down = getenv("TESTVFS_SYNC_DOWNGRADE");

	if (next == NULL)
		*(void **)&next = dlsym(RTLD_NEXT, "sqlite3_exec");
	if (next == NULL)
		return SQLITE_ERROR;
	if (down != NULL && strcmp(down, "1") == 0 && sql != NULL &&
	    strcasecmp(sql, "PRAGMA synchronous = FULL") == 0)
		sql = "PRAGMA synchronous = NORMAL";
	return next(db, sql, cb, arg, errmsg);
}
