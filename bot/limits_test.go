package bot_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// stores runs a core test on SQLite (bottest's default) and on PostgreSQL,
// whose text rules differ (it cannot store a NUL byte).
func stores(t *testing.T, test func(t *testing.T, b *bottest.Bundle)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		test(t, bottest.Setup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		test(t, bottest.SetupWith(t, bottest.Options{Store: pgtest.New(t)}))
	})
}

// TestBadInput: the inputs of the security review get a clear reply and
// store nothing of themselves.
func TestBadInput(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, b *bottest.Bundle) {
		ctx := context.Background()
		b.Command(t, coach, "coach")
		for _, c := range []struct {
			name string
			user bot.UserRef
			text string
			want string
		}{
			{"digest #<500,000 characters>", coach, "digest #" + strings.Repeat("c", 500_000), "at most 40000"},
			{"digest #<300 characters>", coach, "digest #" + strings.Repeat("c", 300), "longer than any channel's"},
			{"a 100 KB user id", bot.UserRef{ExternalID: strings.Repeat("U", 100<<10)}, "help", "I could not tell who sent that."},
			{"a user id with a NUL", bot.UserRef{ExternalID: "U\x00"}, "help", "I could not tell who sent that."},
			{"a mention of a 1,000-character id", coach, "invite <@" + strings.Repeat("U", 1000) + ">", "is not a mention of a person"},
		} {
			out := b.Command(t, c.user, c.text)
			has(t, out, c.want)
			if len(bottest.Text(out...)) > 2000 {
				t.Errorf("%s: the reply quotes the input back: %d bytes", c.name, len(bottest.Text(out...)))
			}
		}
		p := b.Person(t, coach)
		if p.DigestChannel != "" {
			t.Errorf("after refused digest commands: DigestChannel of %d bytes; want none", len(p.DigestChannel))
		}
		es, err := b.Store.EngagementsForCoach(ctx, p.ID)
		if err != nil || len(es) != 0 {
			t.Errorf("after a refused invitation: engagements %v, %v; want none", es, err)
		}
		inst, err := b.Store.InstallationByExternalID(ctx, bot.PlatformSlack, bottest.Workspace)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Store.PersonByExternalID(ctx, inst.ID, "U"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("a user id with a NUL left a person %q behind: %v", "U", err)
		}

		// A name longer than any platform's is cut, not refused: the
		// person cannot change it.
		long := bot.UserRef{ExternalID: "ULONG", DisplayName: strings.Repeat("é", 300) + "\x00"}
		has(t, b.Command(t, long, "help"), "help")
		if got := b.Person(t, long).DisplayName; got != strings.Repeat("é", bot.MaxNameLen) {
			t.Errorf("a 300-character name is stored as %d characters, want the first %d", utf8.RuneCountInString(got), bot.MaxNameLen)
		}
	})
}

// TestAnswersCleaned: a NUL byte is dropped and invalid UTF-8 replaced in
// an answer, as chat platforms do, so the answer is saved — on PostgreSQL
// too, where it was "Something went wrong".
func TestAnswersCleaned(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, b *bottest.Bundle) {
		e := b.Engage(t, coach, ana)
		prompt := mondayPrompt(t, b)
		has(t, b.Say(t, ana, "shipped\x00 the draft"), "*2/4*")
		has(t, b.Say(t, ana, "review \xff\xfe the copy"), "*3/4*")
		has(t, b.Say(t, ana, "no"), "*4/4*")
		has(t, b.Say(t, ana, "4"), "Saved")
		c := checkIn(t, b, e, mon23)
		if c.Moved != "shipped the draft" || c.Priority != "review \uFFFD the copy" || c.Status != bot.AnswerComplete {
			t.Errorf("stored check-in: moved %q, priority %q, status %s", c.Moved, c.Priority, c.Status)
		}

		// The form's values are cleaned the same way, and its limit holds.
		has(t, b.Submit(t, ana, bot.FormCheckin, prompt.Form.Value, map[string]string{
			"moved": strings.Repeat("ü", bot.MaxAnswerLen+1), "priority": "p", "energy": "3"}), "limit is 2000")
		if got := checkIn(t, b, e, mon23); got.Moved != c.Moved {
			t.Errorf("a refused form changed the answer to %d characters", utf8.RuneCountInString(got.Moved))
		}
	})
}
