/*
 * routine.h - steps the routine procedures share (runbook §2, §5): the health sweep as
 * a probe, the report hooks of their notify states, and the database backup steps of
 * migrate and backup-verify (flows/routine_db.c).
 */
#ifndef RUNBOOK_FLOWS_ROUTINE_H
#define RUNBOOK_FLOWS_ROUTINE_H

#include "flow.h"

#include <stddef.h>

/*
 * The whole health sweep (src/check.h) as a probe: outcome "ok" (every check ok),
 * "warn" (some warn, none fail) or "fail" (failed = 1). The data is `runbook check
 * --json`'s document with each check's figures. Falls back to manual when no check is
 * configured.
 */
void step_sweep(struct run *r, const struct state *s, struct outcome *out);

/* Only the certificates: data {"hosts": [...], "min_days"}; outcome ok / warn / fail. */
void step_certs(struct run *r, const struct state *s, struct outcome *out);

/*
 * Notify hooks (state.probe of a notify state): post the finding of the probe before
 * (sweep / check / watch) when it is not all ok. Outcome "ok" (nothing to report:
 * notify.skipped) or "alert" (posted).
 */
void report_sweep(struct run *r, const struct state *s, struct outcome *out);
void report_certs(struct run *r, const struct state *s, struct outcome *out);
/* Always posts: the watch window's failure and the rollback. */
void report_watch(struct run *r, const struct state *s, struct outcome *out);

/* ---- files (flows/routine_db.c) ---- */

/*
 * backup.dir (default ~/.local/state/runbook/backups) with ~ expanded, created with
 * missing parents 0700. Returns 0, or -1 with why in err.
 */
int backup_dir(const struct config *c, char *out, size_t len, char *err, size_t errlen);

/* Size and lowercase hex SHA-256 of a file. 0, or -1 with errno's text in err. */
int file_sha256(const char *path, char hex[65], long long *size, char *err, size_t errlen);

/*
 * The newest backup file of this incident: <dir>/<prefix>_*_<short id>.dump.
 * 0 and the path in out, or -1 when there is none.
 */
int backup_find(const char *dir, const char *prefix, const char *short_id, char *out,
                size_t len);

/* ---- database steps (flows/routine_db.c) ---- */

/* Action `backup` / `dump`: pg_dump -Fc of database.url into a new timestamped file
 * (<prefix>_YYYYmmdd_HHMMSS_<short id>.dump, 0600); size and SHA-256 journaled. The
 * prefix is the state id's: "backup" or "monthly_verify" (any other id). */
void plan_dump(struct run *r, const struct state *s, struct intent *in);
void act_dump(struct run *r, const struct state *s, const struct intent *in,
              struct outcome *out);

/* Probe `verify_backup`: pg_restore --list reads this run's backup; size, SHA-256. */
void step_verify_backup(struct run *r, const struct state *s, struct outcome *out);

/*
 * Actions running commands.migrate with DATABASE_URL = database.staging_url (state
 * `staging`) or database.url (state `production`, destructive, target database.name;
 * refused unless verify_backup passed in this run and the file's SHA-256 still matches).
 */
void plan_migrate(struct run *r, const struct state *s, struct intent *in);
void act_migrate(struct run *r, const struct state *s, const struct intent *in,
                 struct outcome *out);

/* Probe `verify` of migrate: commands.verify_schema (when set) and the sweep. */
void step_migrate_verify(struct run *r, const struct state *s, struct outcome *out);

/* Action `restore_staging`: pg_restore --clean --if-exists of this run's dump into
 * database.staging_url (destructive, target database.staging_name). */
void plan_restore(struct run *r, const struct state *s, struct intent *in);
void act_restore(struct run *r, const struct state *s, const struct intent *in,
                 struct outcome *out);

/* Probe `compare_counts`: count(*) of each backup.count_tables on both sides; outcome
 * "equal", "differ" or "fail". */
void step_compare_counts(struct run *r, const struct state *s, struct outcome *out);

#endif
