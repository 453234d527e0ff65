/* backup_verify.c - monthly backup verification (runbook §5.1): dump, restore into
 * staging, compare the row counts. */
#include "routine.h"

static const struct transition from_dump[] = {
        {"ok", "restore_staging"}, {"*", "aborted"}, {NULL, NULL}};
static const struct transition from_restore[] = {
        {"refused", "aborted"}, {"fail", "escalated"}, {"*", "compare_counts"}, {NULL, NULL}};
static const struct transition from_compare[] = {
        {"equal", "resolved"}, {"differ", "escalated"}, {"fail", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "dump",
         .kind = KIND_ACTION,
         .section = "5.1",
         .title = "Download backup",
         .text = "Run: railway run pg_dump -Fc $DATABASE_URL -f monthly_verify_$(date "
                 "+%Y%m).dump. "
                 "Answer ok when done.",
         .plan = plan_dump,
         .act = act_dump,
         .next = from_dump},
        {.id = "restore_staging",
         .kind = KIND_ACTION,
         .section = "5.1",
         .title = "Restore to staging",
         .text = "Run: pg_restore --clean --if-exists -d $STAGING_DB_URL "
                 "monthly_verify_<month>.dump. Answer ok when done.",
         .plan = plan_restore,
         .act = act_restore,
         .next = from_restore,
         .flags = ST_DESTRUCTIVE,
         .target_key = "database.staging_name"},
        {.id = "compare_counts",
         .kind = KIND_PROBE,
         .section = "5.1",
         .title = "Verify counts",
         .text = "Run: psql $STAGING_DB_URL -c \"SELECT COUNT(*) FROM organizations;\" (and "
                 "invoices), the same on production, and compare.",
         .probe = step_compare_counts,
         .next = from_compare},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "5.1",
         .title = "The backup restores with the same row counts",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "5.1",
         .title = "The restore failed or the counts differ",
         .end = "escalated"},
        {.id = "aborted",
         .kind = KIND_END,
         .section = "5.1",
         .title = "Stopped: no dump, or the restore was refused",
         .end = "aborted"},
        {.id = NULL},
};

const struct flow flow_backup_verify = {
        .name = "backup-verify",
        .section = "5.1",
        .summary = "Monthly backup verification: restore into staging, compare counts",
        .severity = "P3",
        .routine = 1,
        .states = states,
};
