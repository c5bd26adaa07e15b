package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/sqlite"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

// TestBackupWhileWriting backs up a SQLite database while another
// connection keeps writing rows one after another, then opens the backup
// with the sqlite store: it passes SQLite's integrity check and holds
// every row written before the backup began and, being one instant's
// copy, an unbroken run of the rows after (never a later row without an
// earlier one).
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	db, path := sqlitetest.NewFile(t)
	ctx := t.Context()
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "local", Status: bot.InstallationActive, CreatedAt: time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)}
	if err := db.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	put := func(i int) error {
		return db.PutAddress(ctx, &bot.Address{InstallationID: inst.ID, Key: fmt.Sprintf("channel:%d", i), Data: []byte(fmt.Sprintf(`{"n":%d}`, i)), UpdatedAt: inst.CreatedAt})
	}
	const before = 200
	for i := range before {
		if err := put(i); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	written := make(chan int)
	go func() {
		i := before
		defer func() { written <- i }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := put(i); err != nil {
				t.Errorf("write %d during the backup: %v", i, err)
				return
			}
			i++
		}
	}()
	dst := filepath.Join(t.TempDir(), "backup.db")
	var out, errOut bytes.Buffer
	err := Run(ctx, []string{"backup", "-sqlite", path, dst}, strings.NewReader(""), &out, &errOut, func(string) string { return "" })
	close(stop)
	total := <-written
	if err != nil {
		t.Fatalf("backup: %v (%s)", err, errOut.String())
	}
	if want := "backed up " + path + " to " + dst + "\n"; out.String() != want {
		t.Errorf("backup said %q; want %q", out.String(), want)
	}

	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v; want mode 0600 (it holds people's words)", fi.Mode(), err)
	}

	raw, err := sql.Open("sqlite", dst)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the backup = %q, %v; want ok", check, err)
	}

	restored, err := sqlite.Open(ctx, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.Migrate(ctx); err != nil {
		t.Fatalf("migrate the backup: %v", err)
	}
	got := 0
	for i := range total {
		a, err := restored.Address(ctx, inst.ID, fmt.Sprintf("channel:%d", i))
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			if i < before {
				t.Fatalf("backup lacks row %d, written before the backup began", i)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(`{"n":%d}`, i); string(a.Data) != want {
			t.Fatalf("backup row %d holds %q; want %q", i, a.Data, want)
		}
		got++
	}
	var n int
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM addresses").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != got {
		t.Errorf("backup holds %d addresses but only rows 0..%d in a run: a later row without an earlier one", n, got-1)
	}
	t.Logf("%d rows written, %d in the backup", total, got)
}

// TestBackupRefuses checks backup refuses to overwrite a file, to copy a
// database that does not exist (instead of creating an empty one), and
// to run on PostgreSQL, naming the pg_dump command instead.
func TestBackupRefuses(t *testing.T) {
	t.Parallel()
	_, path := sqlitetest.NewFile(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	pgEnv := func(k string) string {
		if k == "SMART90_DATABASE_URL" {
			return "postgres://smart90:secret@db/smart90"
		}
		return ""
	}
	for _, tc := range []struct {
		name   string
		args   []string
		getenv func(string) string
		says   string
	}{
		{"existing file", []string{"-sqlite", path, existing}, noEnv, "already exists"},
		{"no database", []string{"-sqlite", filepath.Join(dir, "missing.db"), filepath.Join(dir, "new.db")}, noEnv, "missing.db"},
		{"postgres", []string{filepath.Join(dir, "pg.db")}, pgEnv, pgDumpHint},
		{"no file", []string{"-sqlite", path}, noEnv, "give the one FILE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := Run(t.Context(), append([]string{"backup"}, tc.args...), strings.NewReader(""), &out, &errOut, tc.getenv)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("backup %v: error %v; want one saying %q", tc.args, err, tc.says)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("backup's error shows the database password: %v", err)
			}
		})
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "keep me" {
		t.Errorf("the existing file now holds %q, %v; want it untouched", b, err)
	}
	for _, f := range []string{"missing.db", "new.db", "pg.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("a refused backup left %s behind", f)
		}
	}
}
