/*
 * migrate.c - database migrations (runbook §2.3: "never run migrations directly in
 * production without backup"): backup, verify it, staging, then production, which is
 * refused unless this run's backup exists, was verified and is unchanged.
 */
#include "routine.h"

static const struct transition from_backup[] = {
        {"ok", "verify_backup"}, {"*", "aborted"}, {NULL, NULL}};
static const struct transition from_verify_backup[] = {
        {"ok", "staging"}, {"*", "aborted"}, {NULL, NULL}};
static const struct transition from_staging[] = {
        {"ok", "production"}, {"*", "aborted"}, {NULL, NULL}};
static const struct transition from_production[] = {
        {"refused", "aborted"}, {"fail", "escalated"}, {"*", "verify"}, {NULL, NULL}};
static const struct transition from_verify[] = {
        {"ok", "resolved"}, {"*", "escalated"}, {NULL, NULL}};

static const struct state states[] = {
        {.id = "backup",
         .kind = KIND_ACTION,
         .section = "2.3",
         .title = "Step 1: Take backup",
         .text = "Run: railway run pg_dump -Fc $DATABASE_URL -f backup_$(date "
                 "+%Y%m%d_%H%M).dump "
                 "and keep the file. Answer ok when the backup is taken.",
         .plan = plan_dump,
         .act = act_dump,
         .next = from_backup},
        {.id = "verify_backup",
         .kind = KIND_PROBE,
         .section = "2.3",
         .title = "The backup reads back (pg_restore --list)",
         .text = "Run: pg_restore --list <backup file> and check it lists the tables.",
         .probe = step_verify_backup,
         .next = from_verify_backup},
        {.id = "staging",
         .kind = KIND_ACTION,
         .section = "2.3",
         .title = "Step 2: Test migration on staging",
         .text = "Run: railway run --environment staging npx prisma migrate deploy. Answer ok "
                 "when it passed.",
         .plan = plan_migrate,
         .act = act_migrate,
         .next = from_staging},
        {.id = "production",
         .kind = KIND_ACTION,
         .section = "2.3",
         .title = "Step 3: Apply to production (after staging verification)",
         .text = "Run: railway run npx prisma migrate deploy. Answer ok when done.",
         .plan = plan_migrate,
         .act = act_migrate,
         .next = from_production,
         .flags = ST_DESTRUCTIVE,
         .target_key = "database.name"},
        {.id = "verify",
         .kind = KIND_PROBE,
         .section = "2.3",
         .title = "Step 4: Verify",
         .text = "Run: railway run npx prisma db pull and confirm the schema matches; check "
                 "health. Press Enter when checked, or type what you found.",
         .probe = step_migrate_verify,
         .next = from_verify},
        {.id = "resolved",
         .kind = KIND_END,
         .section = "2.3",
         .title = "Migrated, with a verified backup, and healthy",
         .end = "resolved"},
        {.id = "escalated",
         .kind = KIND_END,
         .section = "2.3",
         .title = "The production migration or its verification failed",
         .end = "escalated"},
        {.id = "aborted",
         .kind = KIND_END,
         .section = "2.3",
         .title = "Stopped before production: a safeguard did not pass",
         .end = "aborted"},
        {.id = NULL},
};

const struct flow flow_migrate = {
        .name = "migrate",
        .section = "2.3",
        .summary = "Database migration: verified backup, staging, then production",
        .severity = "P2",
        .routine = 1,
        .states = states,
};
