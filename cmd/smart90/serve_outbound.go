// Where outbound messages go: each installation's platform, or the log
// in a dry run.

package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/bot"
)

// platforms sends each message through its installation's platform.
type platforms map[bot.Platform]bot.Messenger

func (p platforms) Send(ctx context.Context, to bot.Destination, m bot.Message) (string, error) {
	if to.Installation == nil {
		return "", fmt.Errorf("send: no installation")
	}
	next, ok := p[to.Installation.Platform]
	if !ok {
		return "", bot.Errorf(bot.EFORBIDDEN, "smart90 is not connected to %s here.", to.Installation.Platform)
	}
	return next.Send(ctx, to, m)
}

// Sent asks the installation's platform, when it can look (Slack), whether
// a retried prompt is already in the conversation.
func (p platforms) Sent(ctx context.Context, to bot.Destination, m bot.Message, since time.Time) (bot.Receipt, error) {
	if to.Installation == nil {
		return bot.Receipt{}, bot.ErrCannotCheck
	}
	chk, ok := p[to.Installation.Platform].(bot.SentChecker)
	if !ok {
		return bot.Receipt{}, bot.ErrCannotCheck
	}
	return chk.Sent(ctx, to, m, since)
}

// Profile reads a person's profile through the installation's platform,
// when it can (Slack's users.info).
func (p platforms) Profile(ctx context.Context, inst *bot.Installation, u bot.UserRef) (bot.UserRef, error) {
	pr, ok := p[inst.Platform].(bot.ProfileReader)
	if !ok {
		return u, bot.ErrNoProfiles
	}
	return pr.Profile(ctx, inst, u)
}

// Status reads a person's status through the installation's platform,
// when it can (Slack's users.profile.get, Teams presence through Graph).
func (p platforms) Status(ctx context.Context, inst *bot.Installation, userID string) (bot.Status, error) {
	sr, ok := p[inst.Platform].(bot.StatusReader)
	if !ok {
		return bot.Status{}, bot.ErrNoStatus
	}
	return sr.Status(ctx, inst, userID)
}

// dryRun is a Messenger that logs what it would send.
type dryRun struct {
	log *slog.Logger
	n   atomic.Int64
}

func (d *dryRun) Send(ctx context.Context, to bot.Destination, m bot.Message) (string, error) {
	ref := "dry-run-" + strconv.FormatInt(d.n.Add(1), 10)
	if d.log.Enabled(ctx, slog.LevelDebug) {
		first, _, _ := strings.Cut(m.Text, "\n")
		d.log.DebugContext(ctx, "dry run: would send", "user", to.UserID, "channel", to.Channel, "thread", to.ThreadRef, "text", first, "ref", ref)
	}
	return ref, nil
}
