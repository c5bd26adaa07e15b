package bot_test

import (
	"context"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestStoredInstallation: an installation the adapter already read for
// the event is used as it is, not read again; one that names another
// workspace, or was never stored, is ignored and the core reads its own.
func TestStoredInstallation(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Command(t, ana, "help") // the workspace exists now
	ctx := context.Background()
	inst, err := b.Store.InstallationByExternalID(ctx, bot.PlatformSlack, bottest.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	cs := &bottest.InstallationReads{Store: b.Store}
	core, err := bot.New(bot.Config{Store: cs, Messenger: b.Messenger, State: b.State, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	other := *inst
	other.ExternalID = "T-other"
	unsaved := *inst
	unsaved.ID = 0
	uninstalled := *inst
	uninstalled.Status = bot.InstallationUninstalled
	for _, tt := range []struct {
		name   string
		stored *bot.Installation
		reads  int64
		reply  string
	}{
		{"none", nil, 1, "smart90"},
		{"the event's", inst, 0, "smart90"},
		{"another workspace's", &other, 1, "smart90"},
		{"never stored", &unsaved, 1, "smart90"},
		{"uninstalled", &uninstalled, 0, "not installed in this workspace"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs.N.Store(0)
			ev := bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: ana,
				Kind: bot.EventCommand, Text: "help", Stored: tt.stored}
			out, err := core.Handle(ctx, ev)
			if err != nil {
				t.Fatal(err)
			}
			if got := cs.N.Load(); got != tt.reads {
				t.Errorf("%d installation reads, want %d", got, tt.reads)
			}
			has(t, out, tt.reply)
		})
	}
}
