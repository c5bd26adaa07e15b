// smart90 backup: a consistent copy of the embedded SQLite database, taken
// while serve keeps writing to it.

package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// pgDumpHint is what backup says when the store is PostgreSQL.
const pgDumpHint = `pg_dump -Fc -f smart90.dump "$SMART90_DATABASE_URL"`

// runBackup copies the SQLite file that serve and chat use (-sqlite, env
// SMART90_SQLITE_PATH) to a new file with VACUUM INTO: one read
// transaction, so the copy is the database as it was at one instant, even
// while serve writes. It refuses a FILE that exists, a database file that
// does not, and a PostgreSQL store (pg_dump backs that up).
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc storeConfig
	sc.bind(fs, getenv)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: smart90 backup [-sqlite smart90.db] FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("backup: give the one FILE to write")
	}
	if sc.DatabaseURL != "" {
		return fmt.Errorf("backup: the store is PostgreSQL (SMART90_DATABASE_URL is set); back it up with pg_dump instead:\n  %s", pgDumpHint)
	}
	dst := fs.Arg(0)
	if err := backupSQLite(ctx, sc.SQLitePath, dst); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", sc.SQLitePath, dst)
	return nil
}

// backupSQLite writes a consistent copy of the SQLite database at src to
// the new file dst.
func backupSQLite(ctx context.Context, src, dst string) error {
	if strings.Contains(src, "?") {
		return fmt.Errorf("backup: a path with '?' cannot be told from DSN options: %s", src)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: database %s: %w", src, err)
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("backup: %s: %w", dst, err)
	}
	// Claim the name first, readable by its owner only (the copy holds
	// people's words): VACUUM INTO fills an empty file, and a failure
	// removes only a file this run created.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s already exists; give a new file", dst)
	}
	if err != nil {
		return fmt.Errorf("backup: create %s: %w", dst, err)
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", src+"?"+q.Encode())
	if err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: open %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		os.Remove(abs) // a partial copy is no backup
		return fmt.Errorf("backup: copy %s to %s: %w", src, dst, err)
	}
	return nil
}
