package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot"
)

// TestSendFailures: the connector calls once and hands every failure back
// classified, for the scheduler to retry (one retry layer): throttling
// with its Retry-After and operation, a 412 or 5xx as transient (with
// Retry-After when Teams gave one), a removed bot or a gone chat as
// permanent.
func TestSendFailures(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.say(t, anaID, "Ana", "help") // Ana's chat is known
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		to      string // the person written to
		op      string // the call that fails
		failure teamstest.Failure
		code    string        // bot error code; "" for transient
		after   time.Duration // want a RetryAfterError asking this (-1: none)
	}{
		{"429", anaID, "SendToConversation", teamstest.Failure{Status: 429, Code: "Throttled", RetryAfter: "7"}, "", 7 * time.Second},
		{"429 without Retry-After", anaID, "SendToConversation", teamstest.Failure{Status: 429}, "", 0},
		{"429 creating a chat", "29:bea", "CreateConversation", teamstest.Failure{Status: 429, RetryAfter: "60"}, "", time.Minute},
		{"412", anaID, "SendToConversation", teamstest.Failure{Status: 412}, "", -1},
		{"502", anaID, "SendToConversation", teamstest.Failure{Status: 502}, "", -1},
		{"503 with Retry-After", anaID, "SendToConversation", teamstest.Failure{Status: 503, RetryAfter: "3"}, "", 3 * time.Second},
		{"500", anaID, "SendToConversation", teamstest.Failure{Status: 500}, "", -1},
		{"bot removed", anaID, "SendToConversation", teamstest.Failure{Status: 403, Code: "BotNotInConversationRoster"}, bot.EFORBIDDEN, -1},
		{"blocked", anaID, "SendToConversation", teamstest.Failure{Status: 403, Code: "ConversationBlockedByUser"}, bot.EFORBIDDEN, -1},
		{"chat gone", anaID, "SendToConversation", teamstest.Failure{Status: 404, Code: "ConversationNotFound"}, bot.ENOTFOUND, -1},
	} {
		h.conn.Reset()
		h.conn.Fail = func(c teamstest.Call) *teamstest.Failure {
			if c.Op == tt.op {
				return &tt.failure
			}
			return nil
		}
		ref, err := h.messenger.Send(context.Background(), bot.Destination{Installation: inst, UserID: tt.to}, bot.Message{Text: "hello"})
		if err == nil || ref != "" || errors.As(err, new(*bot.PartialSendError)) {
			t.Errorf("%s: Send = %q, %v; want the failure itself, no reference", tt.name, ref, err)
			continue
		}
		if ops := h.ops(0); len(ops) != 1 || !strings.HasPrefix(ops[0], tt.op) {
			t.Errorf("%s: calls %v, want one %s: no retry inside the connector", tt.name, ops, tt.op)
		}
		if got := bot.ErrorCode(err); tt.code != "" && got != tt.code || tt.code == "" && (got == bot.EFORBIDDEN || got == bot.ENOTFOUND) {
			t.Errorf("%s: code %q (%v), want %q", tt.name, got, err, tt.code)
		}
		// The core's contract: the scheduler reads the wait from it, a
		// pacer outside the adapter the throttled operation.
		var ra *bot.RetryAfterError
		if errors.As(err, &ra) != (tt.after >= 0) || tt.after >= 0 && (ra.RetryAfter() != tt.after || bot.RetryAfter(err) != tt.after) {
			t.Errorf("%s: %v; want Retry-After %v", tt.name, err, tt.after)
		}
		if tt.after >= 0 && (ra.Method != tt.op || !strings.Contains(err.Error(), fmt.Sprintf("(%s, retry after %s)", tt.op, tt.after))) {
			t.Errorf("%s: %v; want the throttled method %q, named in the text with the wait", tt.name, err, tt.op)
		}
	}
	h.conn.Fail = nil
}

// TestRetryAfterHeader reads both forms of Retry-After.
func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	if d := retryAfter("120"); d != 2*time.Minute {
		t.Errorf("seconds: %v", d)
	}
	if d := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); d < 59*time.Minute || d > time.Hour {
		t.Errorf("an HTTP date an hour ahead: %v", d)
	}
	// Years, or a number that would overflow a Duration: the core's bound.
	for _, v := range []string{"315360000", "9300000000"} {
		if d := retryAfter(v); d != bot.MaxRetryAfter {
			t.Errorf("retryAfter(%q) = %v, want %v", v, d, bot.MaxRetryAfter)
		}
	}
	for _, v := range []string{"", "soon", "-5", "0"} {
		if d := retryAfter(v); d != 0 {
			t.Errorf("retryAfter(%q) = %v, want 0", v, d)
		}
	}
}
