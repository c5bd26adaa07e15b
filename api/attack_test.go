package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/smart90/smart90/api"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestSwitchedCoach: a client who moved to another coach is out of the
// old coach's reach on every route, and the new coach reads what was
// written with them, not what the client wrote with the old one.
func TestSwitchedCoach(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	base := "/api/v1/clients/" + id(w, ana)
	w.b.Command(t, otto, "invite <@UANA>")
	inv := w.b.Messenger.SentTo("UANA")
	var accept *bot.Button
	for _, b := range inv[len(inv)-1].Msg.Buttons {
		if b.ActionID == bot.ActionSwitchAccept {
			accept = &b
		}
	}
	if accept == nil {
		t.Fatalf("Otto's invitation has no accept button: %+v", inv[len(inv)-1])
	}
	// Invited only: Otto reads no check-in of Ana's yet.
	wantError(t, "Otto, invited only", w.get(t, "UOTTO", base+"/checkins"), http.StatusNotFound, api.CodeNotFound)
	w.b.Click(t, ana, accept.ActionID, accept.Value)
	if e := w.b.Engagement(t, ana); e.ID == w.anaEng.ID || e.CoachID != w.ids["UOTTO"] {
		t.Fatalf("Ana did not switch to Otto: %+v", e)
	}
	for _, p := range []string{"", "/cycles", "/rocks", "/checkins", "/weekly-reports", "/scorecard", "/sessions"} {
		wantError(t, "Cora after the switch: "+p, w.get(t, "UCORA", base+p), http.StatusNotFound, api.CodeNotFound)
		got := decode[struct {
			Data []struct {
				EngagementID int64 `json:"engagement_id"`
			}
		}](t, w.get(t, "UOTTO", base+p+"?limit=200"))
		for _, x := range got.Data {
			if x.EngagementID == w.anaEng.ID {
				t.Errorf("Otto reads Ana's %s of her time with Cora", p)
				break
			}
		}
	}
	cl := decode[struct{ Data []struct{ ID int64 } }](t, w.get(t, "UCORA", "/api/v1/clients"))
	for _, c := range cl.Data {
		if c.ID == w.ids["UANA"] {
			t.Errorf("Cora still lists Ana")
		}
	}
	// Ana reads both, her own.
	all := decode[struct{ Data []any }](t, w.get(t, "UANA", base+"/checkins?limit=200"))
	if len(all.Data) != w.checkIn {
		t.Errorf("Ana reads %d of her check-ins, want %d", len(all.Data), w.checkIn)
	}
}

// TestForgottenToken: a person who ran forget-me has no token that works.
func TestForgottenToken(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	if rec := w.get(t, "UBEA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Fatalf("before forget-me: %d", rec.Code)
	}
	w.b.Command(t, bea, "forget-me")
	w.b.Click(t, bea, bot.ActionForgetConfirm, "")
	wantError(t, "after forget-me", w.get(t, "UBEA", "/api/v1/me"), http.StatusUnauthorized, api.CodeInvalidToken)
	wantError(t, "Cora reads the forgotten Bea", w.get(t, "UCORA", "/api/v1/clients/"+id(w, bea)), http.StatusNotFound, api.CodeNotFound)
	if rec := w.get(t, "UCORA", "/api/v1/clients"); rec.Code != http.StatusOK {
		t.Errorf("Cora's clients after Bea's forget-me: %d %s", rec.Code, rec.Body)
	}
}

// TestHeaderVariants: the scheme is case-insensitive and space around
// the token is ignored; weak and listed tags are matched.
func TestHeaderVariants(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	tok := w.tokens["UANA"]
	for _, h := range []string{"bearer " + tok, "BEARER " + tok, "  Bearer   " + tok + "  "} {
		if rec := w.get(t, "", "/api/v1/me", "Authorization", h); rec.Code != http.StatusOK {
			t.Errorf("Authorization %q: %d", h, rec.Code)
		}
	}
	for _, h := range []string{"Bearer " + strings.ToUpper(tok), "Bearer " + tok[:10] + " " + tok[10:]} {
		wantError(t, "Authorization "+h, w.get(t, "", "/api/v1/me", "Authorization", h), http.StatusUnauthorized, api.CodeInvalidToken)
	}
	first := w.get(t, "UANA", "/api/v1/me")
	etag := first.Header().Get("ETag")
	for _, inm := range []string{"W/" + etag, `W/"x", W/` + etag, "*"} {
		if rec := w.get(t, "UANA", "/api/v1/me", "If-None-Match", inm); rec.Code != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d", inm, rec.Code)
		}
	}
	// Another person's ETag for the same route is not theirs.
	if rec := w.get(t, "UCORA", "/api/v1/me", "If-None-Match", etag); rec.Code != http.StatusOK {
		t.Errorf("Cora with Ana's ETag: %d", rec.Code)
	}
}

// TestFarDates: the widest days and a cursor past everything answer
// plainly.
func TestFarDates(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	base := "/api/v1/clients/" + id(w, ana)
	for _, q := range []string{"from=0001-01-01&to=9999-12-31", "from=0000-01-01", "to=0001-01-01", "from=9999-12-31",
		"limit=200&from=1900-01-01&to=2999-01-01"} {
		for _, p := range []string{"/checkins", "/weekly-reports"} {
			if rec := w.get(t, "UANA", base+p+"?"+q); rec.Code != http.StatusOK {
				t.Errorf("%s?%s: %d %s", p, q, rec.Code, rec.Body)
			}
		}
	}
	for _, q := range []string{"limit=-1", "limit=99999999999999999999", "from=10000-01-01", "from=2026-02-30"} {
		wantError(t, q, w.get(t, "UANA", base+"/checkins?"+q), http.StatusBadRequest, api.CodeBadRequest)
	}
	// A cursor made by hand, past the last day: an empty page.
	c := decode[struct {
		Data []any
		Next string `json:"next_cursor"`
	}](t, w.get(t, "UANA", base+"/checkins?cursor=OTk5OS0xMi0zMS45OTk5OTk"))
	if len(c.Data) != 0 || c.Next != "" {
		t.Errorf("a cursor past the end: %+v", c)
	}
	_ = bottest.ID
}
