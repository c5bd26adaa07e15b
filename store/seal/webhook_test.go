package seal_test

import (
	"bytes"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/seal"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

const (
	webhookURL    = "https://hooks.example.com/in/T0KEN-5ecret"
	webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

// TestWebhookSealed checks a webhook's address and secret are sealed at
// rest and plaintext through the decorator, on both stores.
func TestWebhookSealed(t *testing.T) {
	t.Parallel()
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		db, path := sqlitetest.NewFile(t)
		sdb, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sdb.Close() })
		testWebhookSealed(t, db, func(t testing.TB, id int64) (url, secret []byte) {
			if err := sdb.QueryRowContext(t.Context(), `SELECT url, secret FROM webhooks WHERE id = ?`, id).Scan(&url, &secret); err != nil {
				t.Fatalf("read raw webhook: %v", err)
			}
			return url, secret
		})
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		db := pgtest.New(t)
		testWebhookSealed(t, db, func(t testing.TB, id int64) (url, secret []byte) {
			if err := db.Pool().QueryRow(t.Context(), `SELECT url, secret FROM webhooks WHERE id = $1`, id).Scan(&url, &secret); err != nil {
				t.Fatalf("read raw webhook: %v", err)
			}
			return url, secret
		})
	})
}

func testWebhookSealed(t *testing.T, db bot.Store, raw func(t testing.TB, id int64) (url, secret []byte)) {
	ctx := t.Context()
	s := seal.Store(db, newSealer(t))
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Name: "Acme", Status: bot.InstallationActive, CreatedAt: at}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "U1", DisplayName: "Coach", TimeZone: "UTC", IsCoach: true, CreatedAt: at}
	if err := s.EnsurePerson(ctx, coach); err != nil {
		t.Fatal(err)
	}
	w := &bot.Webhook{CoachID: coach.ID, URL: []byte(webhookURL), Secret: []byte(webhookSecret), Events: bot.WebhookEventTypes, CreatedAt: at}
	if err := s.PutWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	if string(w.URL) != webhookURL || string(w.Secret) != webhookSecret {
		t.Errorf("after PutWebhook the caller's webhook is %q, %q; want the plaintext", w.URL, w.Secret)
	}
	url, secret := raw(t, w.ID)
	if bytes.Contains(url, []byte("T0KEN")) || !bytes.HasPrefix(url, []byte("v1:")) {
		t.Errorf("the database holds the address %q, want it sealed", url)
	}
	if bytes.Contains(secret, []byte("MfKQ9r8")) || !bytes.HasPrefix(secret, []byte("v1:")) {
		t.Errorf("the database holds the secret %q, want it sealed", secret)
	}
	ws, err := s.Webhooks(ctx, coach.ID)
	if err != nil || len(ws) != 1 || string(ws[0].URL) != webhookURL || string(ws[0].Secret) != webhookSecret {
		t.Errorf("Webhooks = %v, %v; want the plaintext", ws, err)
	}
	if _, err := s.EnqueueWebhookEvent(ctx, coach.ID, &bot.WebhookEvent{ID: "e1", Type: bot.WebhookRockChanged, At: at, Payload: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimWebhookDeliveries(ctx, at, time.Minute, 10)
	if err != nil || len(ds) != 1 || string(ds[0].Webhook.URL) != webhookURL || string(ds[0].Webhook.Secret) != webhookSecret {
		t.Errorf("ClaimWebhookDeliveries = %v, %v; want the webhook in plaintext", ds, err)
	}
	if _, err := seal.Store(db, newSealer(t)).Webhooks(ctx, coach.ID); !errors.Is(err, seal.ErrMismatch) {
		t.Errorf("Webhooks with another key: %v, want ErrMismatch", err)
	}
}
