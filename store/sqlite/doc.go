// Package sqlite implements bot.Store on an embedded SQLite file, the
// default store when no database URL is configured, so a solo coach runs a
// single binary with nothing else to install.
//
// It uses modernc.org/sqlite (pure Go, no cgo). The file runs in WAL mode
// with foreign keys on, a busy timeout, and BEGIN IMMEDIATE for every
// transaction: writers queue on the database lock up front instead of
// failing with SQLITE_BUSY when a read transaction tries to upgrade.
//
// Instants are stored as INTEGER unix microseconds in UTC, so they sort and
// compare in SQL and round-trip at the precision PostgreSQL keeps; Dates are
// TEXT YYYY-MM-DD (empty for no date). The schema lives in migrations/ and is
// applied by Migrate with goose, never implicitly by Open.
package sqlite
