package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/smart90/smart90/bot"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ bot.Store = (*DB)(nil)

// DB is a bot.Store on one SQLite file. It is safe for concurrent use.
type DB struct {
	db     *sql.DB
	logger *slog.Logger
	clock  func() time.Time // the time for instants a caller left zero
}

// Option configures a DB at Open.
type Option func(*DB)

// WithClock makes the DB read the time from now, for the instants a caller
// leaves zero, instead of from the wall clock: the service passes the clock
// it runs on, so that every instant it stores comes from one clock. now must
// be safe for concurrent use.
func WithClock(now func() time.Time) Option {
	return func(db *DB) { db.clock = now }
}

// Open opens the SQLite database at path, creating the file when missing.
// It does not migrate; call Migrate before use. The clock is the wall clock
// unless an option gives another.
func Open(ctx context.Context, path string, logger *slog.Logger, opts ...Option) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("open sqlite %s: a path with '?' cannot be told from DSN options", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	sdb, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	logger.Debug("sqlite opened", "path", path)
	db := &DB{db: sdb, logger: logger, clock: time.Now}
	for _, o := range opts {
		o(db)
	}
	return db, nil
}

// Migrate applies the embedded migrations that are not applied yet,
// recording them in goose's version table.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.db, fsys,
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	for _, r := range results {
		db.logger.Info("migration applied", "version", r.Source.Version, "duration", r.Duration)
	}
	return nil
}

// Ping checks the database is reachable.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	return db.db.Close()
}

// queryer is what *sql.DB and *sql.Tx share, so readers run in or out of a
// transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in one (immediate) transaction, committing when fn returns
// nil. fn's error is returned as is, so domain errors keep their code.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// readTx runs fn in one read-only (deferred) transaction, so reads made
// of several queries see one snapshot without taking the write lock.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// failure says how to translate a database error for one operation.
type failure struct {
	op       string // verb + noun for internal errors, e.g. "create rock"
	missing  string // ENOTFOUND message for no rows or a missing parent row
	conflict string // ECONFLICT message for a broken uniqueness rule
}

// wrap translates err: no rows and foreign-key violations become ENOTFOUND,
// uniqueness violations ECONFLICT (when f has a message for them), domain
// errors pass through, and anything else is wrapped with f.op.
func (f failure) wrap(err error) error {
	if err == nil {
		return nil
	}
	var be *bot.Error
	if errors.As(err, &be) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) && f.missing != "" {
		return &bot.Error{Code: bot.ENOTFOUND, Message: f.missing}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			if f.conflict != "" {
				return &bot.Error{Code: bot.ECONFLICT, Message: f.conflict}
			}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			if f.missing != "" {
				return &bot.Error{Code: bot.ENOTFOUND, Message: f.missing}
			}
		}
	}
	return fmt.Errorf("%s: %w", f.op, err)
}

// notFound is the ENOTFOUND error with message msg.
func notFound(msg string) error {
	return &bot.Error{Code: bot.ENOTFOUND, Message: msg}
}

// checkAffected turns an UPDATE that touched no row into ENOTFOUND.
func checkAffected(res sql.Result, msg string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(msg)
	}
	return nil
}

// utc returns t in UTC rounded to the microsecond, the precision stored.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Round(time.Microsecond).UTC()
}

// stamp returns the first non-zero of ts, as stored (see utc), or the
// clock's now.
func (db *DB) stamp(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return utc(t)
		}
	}
	return utc(db.clock())
}

// micros is t as a column value: unix microseconds, or NULL for zero.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return unixMicro(t)
}

// unixMicro is t as a bound or a NOT NULL column value; the zero time maps
// to a value before every other instant and scans back as the zero time.
func unixMicro(t time.Time) int64 {
	return t.Round(time.Microsecond).UnixMicro()
}

// nullID is an id as a column value, NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// instant scans a micros column into a time.Time (zero for NULL).
type instant struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s instant) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("scan instant: unexpected %T", v)
	}
	return nil
}

// date scans a TEXT YYYY-MM-DD column into a bot.Date (zero for an empty string or NULL).
type date struct{ d *bot.Date }

// Scan implements sql.Scanner.
func (s date) Scan(v any) error {
	var str string
	switch v := v.(type) {
	case nil:
	case string:
		str = v
	case []byte:
		str = string(v)
	default:
		return fmt.Errorf("scan date: unexpected %T", v)
	}
	if str == "" {
		*s.d = bot.Date{}
		return nil
	}
	t, err := time.Parse(time.DateOnly, str)
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	*s.d = bot.DateOf(t)
	return nil
}

// ref scans a nullable reference into an int64 (0 for NULL).
type ref struct{ n *int64 }

// Scan implements sql.Scanner.
func (s ref) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.n = 0
	case int64:
		*s.n = v
	default:
		return fmt.Errorf("scan id: unexpected %T", v)
	}
	return nil
}

// integer scans an INTEGER column into any integer-kinded field.
func integer[T ~int | ~int64 | ~uint8](p *T) sql.Scanner { return intScanner[T]{p} }

type intScanner[T ~int | ~int64 | ~uint8] struct{ p *T }

// Scan implements sql.Scanner.
func (s intScanner[T]) Scan(v any) error {
	n, ok := v.(int64)
	if !ok {
		return fmt.Errorf("scan integer: unexpected %T", v)
	}
	*s.p = T(n)
	return nil
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface {
	Scan(dest ...any) error
}

// collect scans every row of rows with scan; no rows is an empty,
// non-nil slice.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (*T, error)) ([]*T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
