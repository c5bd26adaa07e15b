// Package postgres implements bot.Store on PostgreSQL through pgx's native
// interface and a pgxpool.Pool, for deployments that run several replicas
// against one database.
//
// The schema lives in migrations/, embedded in the binary and applied by
// DB.Migrate with goose. Open never migrates by itself, so a deployment
// chooses when its schema changes (the migrate command, or serve at start).
// goose talks database/sql, so migrations run over a *sql.DB borrowed from
// the pool; every query of the store itself goes through pgx.
//
// Mapping to the domain: instants are timestamptz, returned in UTC and
// rounded to the microsecond; a bot.Date is a DATE, NULL for the zero Date;
// a zero time.Time in an optional field (AcceptedAt, LeaseUntil, ...) is
// NULL; an ID of 0 in an optional reference (CoachID, PriorityRockID,
// EngagementID of a digest delivery) is NULL. Errors are mapped to bot
// error codes: a missing row is ENOTFOUND, a broken unique key ECONFLICT,
// a reference to a row of the wrong engagement EINVALID.
//
// Deliveries are claimed with FOR UPDATE SKIP LOCKED under a lease, so any
// number of replicas can send from the same table without sending twice.
// Schedules are taken the same way for the length of one planning
// transaction, whose writes go in one statement each (arrays unnested), so
// a batch costs the same few round trips whatever its size.
//
// Package pgtest gives tests a migrated DB in a schema of their own.
package postgres
