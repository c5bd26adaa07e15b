package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/smart90/smart90/bot"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a bot.Store on a PostgreSQL connection pool. It is safe for
// concurrent use by many goroutines and by many replicas sharing one
// database.
type DB struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	clock  func() time.Time // the time for instants a caller left zero
	tracer pgx.QueryTracer  // set by WithTracer, for the pool's connections
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

var _ bot.Store = (*DB)(nil)

// WithTracer has every statement the store sends traced by t (tests count
// them); t may also be a pgx.BatchTracer, which sees a batch's statements.
func WithTracer(t pgx.QueryTracer) Option {
	return func(db *DB) { db.tracer = t }
}

// Open connects to the database at url (a postgres:// URL or a keyword/value
// connection string, as pgxpool accepts) and checks it answers. It does not
// migrate; call Migrate for that. A nil logger discards logs. The clock is
// the wall clock unless an option gives another.
func Open(ctx context.Context, url string, logger *slog.Logger, opts ...Option) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db := &DB{logger: logger, clock: time.Now}
	for _, o := range opts {
		o(db)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres pool: %w", err)
	}
	if db.tracer != nil {
		cfg.ConnConfig.Tracer = db.tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	db.pool = pool
	return db, nil
}

// Pool returns the underlying pool, for code that needs PostgreSQL itself
// (advisory locks, LISTEN/NOTIFY). Closing the DB closes it.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Close closes every connection of the pool. It always returns nil.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Migrate applies every embedded migration the database has not seen yet.
// Replicas starting together are safe: a session advisory lock, one per
// schema, lets one of them migrate while the others wait, then find
// nothing left to do.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("open embedded migrations: %w", err)
	}
	var schema string
	if err := db.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("read current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("smart90 migrate " + schema))
	// One lock per schema, so that tests migrating their own schemas in
	// parallel do not queue behind one another.
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64())),
		lock.WithLockTimeout(1, 300),
	)
	if err != nil {
		return fmt.Errorf("create migration lock: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("create migration provider: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate postgres schema %q: %w", schema, err)
	}
	for _, r := range results {
		db.logger.InfoContext(ctx, "applied migration",
			"schema", schema, "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// tx runs fn in one transaction, committed when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// querier is what a pool and a transaction share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// row is what pgx.Row and pgx.CollectableRow share, so one scan function
// per type serves single rows and lists alike.
type row interface {
	Scan(dest ...any) error
}

// Error mapping.

// notFound maps pgx.ErrNoRows to an ENOTFOUND error whose message says
// what is missing, and anything else as wrap does.
func notFound(err error, message, action string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Errorf(bot.ENOTFOUND, "%s", message)
	}
	return wrap(err, action)
}

// wrap maps broken constraints to domain errors and wraps everything else
// with the action that failed (a verb and a noun: "create rock").
func wrap(err error, action string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return bot.Errorf(bot.ECONFLICT, "%s", conflictMessage(pgErr.ConstraintName))
		case "23503": // foreign_key_violation
			return referenceError(pgErr.ConstraintName)
		}
	}
	var botErr *bot.Error
	if errors.As(err, &botErr) {
		return err
	}
	return fmt.Errorf("%s: %w", action, err)
}

func conflictMessage(constraint string) string {
	switch constraint {
	case "engagements_one_live_per_client":
		return "That client already has a coach."
	case "people_installation_id_external_id_key":
		return "That person is already registered."
	case "installations_platform_external_id_key":
		return "That workspace is already installed."
	case "digests_coach_id_week_key":
		return "The digest for that week was already posted."
	case "deliveries_person_id_kind_period_key":
		return "That prompt is already scheduled."
	case "check_ins_engagement_id_day_key":
		return "That day's check-in already exists."
	case "weekly_reports_engagement_id_week_key":
		return "That week's report already exists."
	case "reviews_engagement_id_cycle_key":
		return "That cycle's review already exists."
	case "measurables_engagement_id_position_key":
		return "Another measurable took that number at the same moment; please try again."
	case "rocks_engagement_id_position_key":
		return "Another rock took that number at the same moment; please try again."
	}
	return "That already exists."
}

// referenceError explains a foreign-key violation: a reference to a rock
// of another engagement is bad input (EINVALID); a reference to a row that
// does not exist at all is ENOTFOUND.
func referenceError(constraint string) error {
	switch constraint {
	case "check_ins_priority_rock_fkey", "weekly_rock_updates_rock_fkey", "review_rocks_rock_fkey":
		return bot.Errorf(bot.EINVALID, "That rock is not one of this engagement's rocks.")
	case "measurable_values_measurable_fkey":
		return bot.Errorf(bot.EINVALID, "That measurable is not one of this engagement's.")
	case "people_installation_id_fkey":
		return bot.Errorf(bot.ENOTFOUND, "That installation does not exist.")
	case "engagements_coach_id_fkey", "engagements_client_id_fkey",
		"rock_changes_by_person_id_fkey", "deliveries_person_id_fkey", "digests_coach_id_fkey",
		"schedules_person_id_fkey", "webhooks_coach_id_fkey", "webhook_deliveries_client_id_fkey":
		return bot.Errorf(bot.ENOTFOUND, "That person does not exist.")
	case "rocks_engagement_id_fkey", "rock_changes_engagement_id_fkey", "check_ins_engagement_id_fkey",
		"weekly_reports_engagement_id_fkey", "reviews_engagement_id_fkey", "sessions_engagement_id_fkey",
		"deliveries_engagement_id_fkey", "schedules_engagement_id_fkey", "measurables_engagement_id_fkey":
		return bot.Errorf(bot.ENOTFOUND, "That engagement does not exist.")
	case "rock_changes_rock_id_fkey":
		return bot.Errorf(bot.ENOTFOUND, "That rock does not exist.")
	}
	return bot.Errorf(bot.EINVALID, "That refers to something that does not exist.")
}

// Values in and out.

// now is the time a method uses when its caller left the time zero.
func (db *DB) now() time.Time { return instant(db.clock()) }

// instant is t as the store keeps it: UTC, rounded to the microsecond
// (pgx would truncate instead).
func instant(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Round(time.Microsecond).UTC()
}

// orNow returns instant(t), or the current time when t is zero.
func (db *DB) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return db.now()
	}
	return instant(t)
}

// timeArg passes t as a timestamptz, NULL when zero.
func timeArg(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: instant(t), Valid: !t.IsZero()}
}

// dateArg passes d as a DATE, NULL for the zero Date.
func dateArg(d bot.Date) pgtype.Date {
	return pgtype.Date{Time: d.UTC(), Valid: !d.IsZero()}
}

// idArg passes an optional reference, NULL for 0.
func idArg(id int64) pgtype.Int8 {
	return pgtype.Int8{Int64: id, Valid: id != 0}
}

// timeDest scans a timestamptz into a time.Time: UTC, zero for NULL.
type timeDest struct{ t *time.Time }

func (d timeDest) ScanTimestamptz(v pgtype.Timestamptz) error {
	switch {
	case !v.Valid:
		*d.t = time.Time{}
	case v.InfinityModifier != pgtype.Finite:
		return fmt.Errorf("scan timestamptz: infinite instant")
	default:
		*d.t = v.Time.UTC()
	}
	return nil
}

// dateDest scans a DATE into a bot.Date: the zero Date for NULL.
type dateDest struct{ d *bot.Date }

func (d dateDest) ScanDate(v pgtype.Date) error {
	switch {
	case !v.Valid:
		*d.d = bot.Date{}
	case v.InfinityModifier != pgtype.Finite:
		return fmt.Errorf("scan date: infinite date")
	default:
		*d.d = bot.DateOf(v.Time)
	}
	return nil
}

// idDest scans an optional reference: 0 for NULL.
type idDest struct{ id *int64 }

func (d idDest) ScanInt64(v pgtype.Int8) error {
	*d.id = 0
	if v.Valid {
		*d.id = v.Int64
	}
	return nil
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
