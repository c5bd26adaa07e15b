package seal_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the raw reads below go around the store

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/seal"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
	"github.com/smart90/smart90/store/storetest"
)

const secret = "xoxb-secret-123"

// raw reads and writes the bot_token column around the decorator.
type raw struct {
	token    func(t testing.TB, id int64) []byte
	setToken func(t testing.TB, id int64, token []byte)
}

func TestStoreSQLite(t *testing.T) {
	t.Parallel()
	db, path := sqlitetest.NewFile(t)
	sdb, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	testStore(t, db, raw{
		token: func(t testing.TB, id int64) []byte {
			t.Helper()
			var b []byte
			if err := sdb.QueryRowContext(t.Context(), `SELECT bot_token FROM installations WHERE id = ?`, id).Scan(&b); err != nil {
				t.Fatalf("read raw bot_token: %v", err)
			}
			return b
		},
		setToken: func(t testing.TB, id int64, token []byte) {
			t.Helper()
			if _, err := sdb.ExecContext(t.Context(), `UPDATE installations SET bot_token = ? WHERE id = ?`, token, id); err != nil {
				t.Fatalf("write raw bot_token: %v", err)
			}
		},
	})
}

func TestStorePostgres(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	testStore(t, db, raw{
		token: func(t testing.TB, id int64) []byte {
			t.Helper()
			var b []byte
			if err := db.Pool().QueryRow(t.Context(), `SELECT bot_token FROM installations WHERE id = $1`, id).Scan(&b); err != nil {
				t.Fatalf("read raw bot_token: %v", err)
			}
			return b
		},
		setToken: func(t testing.TB, id int64, token []byte) {
			t.Helper()
			if _, err := db.Pool().Exec(t.Context(), `UPDATE installations SET bot_token = $1 WHERE id = $2`, token, id); err != nil {
				t.Fatalf("write raw bot_token: %v", err)
			}
		},
	})
}

// testStore checks the decorator on a real store: ciphertext in the
// database, plaintext through the decorator, errors for the wrong key, a
// moved token and a plaintext one.
func testStore(t *testing.T, db bot.Store, raw raw) {
	ctx := t.Context()
	s := seal.Store(db, newSealer(t))
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

	token := []byte(secret)
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme",
		Status: bot.InstallationActive, BotToken: token, CreatedAt: at, UpdatedAt: at}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	if inst.ID == 0 || !inst.CreatedAt.Equal(at) || inst.Name != "Acme" {
		t.Errorf("UpsertInstallation did not fill in the stored row: %+v", inst)
	}
	if string(inst.BotToken) != secret {
		t.Errorf("after UpsertInstallation the caller's BotToken is %q, want the plaintext", inst.BotToken)
	}
	if string(token) != secret {
		t.Errorf("UpsertInstallation changed the caller's token bytes to %q", token)
	}

	stored := raw.token(t, inst.ID)
	if bytes.Contains(stored, []byte(secret)) {
		t.Errorf("the database holds the plaintext token: %q", stored)
	}
	if !bytes.HasPrefix(stored, []byte("v1:")) {
		t.Errorf("the database holds %q, want a v1: sealed value", stored)
	}

	got, err := s.Installation(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.BotToken) != secret {
		t.Errorf("Installation: BotToken = %q, want %q", got.BotToken, secret)
	}
	got, err = s.InstallationByExternalID(ctx, bot.PlatformSlack, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.BotToken) != secret {
		t.Errorf("InstallationByExternalID: BotToken = %q, want %q", got.BotToken, secret)
	}

	// Another key: an error that says so, never a garbled token.
	other := seal.Store(db, newSealer(t))
	wrongKey := func(what string, inst *bot.Installation, err error) {
		t.Helper()
		if !errors.Is(err, seal.ErrMismatch) || !strings.Contains(err.Error(), "encryption key does not match") {
			t.Errorf("%s with another key: err = %v, want one saying the encryption key does not match", what, err)
		}
		if inst != nil {
			t.Errorf("%s with another key returned %+v with its error", what, inst)
		}
		if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), string(stored))) {
			t.Errorf("%s error %q contains the token", what, err)
		}
	}
	i, err := other.Installation(ctx, inst.ID)
	wrongKey("Installation", i, err)
	i, err = other.InstallationByExternalID(ctx, bot.PlatformSlack, "T1")
	wrongKey("InstallationByExternalID", i, err)

	// Other methods pass through to the wrapped store.
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}

	// A token copied to another installation's row does not open there.
	t2 := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T2", Name: "Beta",
		Status: bot.InstallationActive, CreatedAt: at, UpdatedAt: at}
	if err := s.UpsertInstallation(ctx, t2); err != nil {
		t.Fatal(err)
	}
	if t2.BotToken != nil {
		t.Errorf("an installation without a token got BotToken %q", t2.BotToken)
	}
	if b := raw.token(t, t2.ID); len(b) != 0 {
		t.Errorf("no token is stored as %q, want NULL or empty", b)
	}
	raw.setToken(t, t2.ID, stored)
	if i, err := s.Installation(ctx, t2.ID); !errors.Is(err, seal.ErrMismatch) {
		t.Errorf("Installation with a token moved from another installation = %+v, %v; want ErrMismatch", i, err)
	}

	// A plaintext token left in the database is refused, not used.
	raw.setToken(t, t2.ID, []byte("xoxb-plain"))
	if i, err := s.InstallationByExternalID(ctx, bot.PlatformSlack, "T2"); !errors.Is(err, seal.ErrNotSealed) {
		t.Errorf("InstallationByExternalID with a plaintext token = %+v, %v; want ErrNotSealed", i, err)
	}

	// Rotating the token reseals it; removing it stores none.
	up := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme",
		Status: bot.InstallationActive, BotToken: []byte("xoxb-rotated"), UpdatedAt: at.Add(time.Hour)}
	if err := s.UpsertInstallation(ctx, up); err != nil {
		t.Fatal(err)
	}
	if string(up.BotToken) != "xoxb-rotated" || up.ID != inst.ID {
		t.Errorf("rotated: got %+v", up)
	}
	if b := raw.token(t, inst.ID); bytes.Equal(b, stored) || bytes.Contains(b, []byte("xoxb-rotated")) {
		t.Errorf("rotated token stored as %q", b)
	}
	up.BotToken = nil
	if err := s.UpsertInstallation(ctx, up); err != nil {
		t.Fatal(err)
	}
	if b := raw.token(t, inst.ID); len(b) != 0 {
		t.Errorf("removed token stored as %q", b)
	}
	if got, err := s.Installation(ctx, inst.ID); err != nil || got.BotToken != nil {
		t.Errorf("Installation after removing the token = %+v, %v; want a nil BotToken", got, err)
	}
}

// TestStoreConformance runs the store conformance suite through the
// decorator: sealing changes nothing a caller can see.
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	sl := newSealer(t)
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t testing.TB) bot.Store {
			db := sqlitetest.New(t)
			return seal.Store(db, sl)
		}, storetest.Capabilities{Replicas: func(t testing.TB, n int) []bot.Store {
			return sealed(sqlitetest.Replicas(t, n), sl)
		}})
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t testing.TB) bot.Store { return seal.Store(pgtest.New(t), sl) },
			storetest.Capabilities{Replicas: func(t testing.TB, n int) []bot.Store {
				return sealed(pgtest.Replicas(t, n), sl)
			}})
	})
}

// sealed decorates each store with sl, as each replica would.
func sealed[S bot.Store](dbs []S, sl *seal.Sealer) []bot.Store {
	stores := make([]bot.Store, len(dbs))
	for i, db := range dbs {
		stores[i] = seal.Store(db, sl)
	}
	return stores
}

// fakeStore is a bot.Store whose UpsertInstallation is UpsertInstallationFunc;
// any other method panics.
type fakeStore struct {
	bot.Store
	UpsertInstallationFunc func(ctx context.Context, inst *bot.Installation) error
}

func (f *fakeStore) UpsertInstallation(ctx context.Context, inst *bot.Installation) error {
	return f.UpsertInstallationFunc(ctx, inst)
}

func TestUpsertInstallationLeavesCallerPlaintext(t *testing.T) {
	t.Parallel()
	var received []byte
	fake := &fakeStore{UpsertInstallationFunc: func(_ context.Context, inst *bot.Installation) error {
		received = bytes.Clone(inst.BotToken)
		return errors.New("database is down")
	}}
	s := seal.Store(fake, newSealer(t))
	token := []byte(secret)
	inst := &bot.Installation{Platform: bot.PlatformTeams, ExternalID: "tenant", BotToken: token}
	before := *inst
	if err := s.UpsertInstallation(t.Context(), inst); err == nil {
		t.Fatal("UpsertInstallation hid the store's error")
	}
	if !seal.IsSealed(string(received)) {
		t.Errorf("the store received BotToken %q, want a sealed one", received)
	}
	if inst.ID != before.ID || !bytes.Equal(inst.BotToken, before.BotToken) || string(token) != secret {
		t.Errorf("a failed UpsertInstallation left the caller's installation as %+v", inst)
	}
}
