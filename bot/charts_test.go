package bot_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/chart"
)

// chartWeek has Ana answer Monday, skip Tuesday, take Wednesday off and
// say nothing on Thursday; the clock is left on Friday noon in Paris.
func chartWeek(t *testing.T) (*bottest.Bundle, *bot.Engagement) {
	t.Helper()
	b, e := withRocks(t)
	seed(t, b, e, "nothing", mon23)
	for day, status := range map[bot.Date]bot.AnswerStatus{tue24: bot.AnswerSkipped, tue24.AddDays(1): bot.AnswerOff} {
		at := day.UTC().Add(10 * time.Hour)
		c := &bot.CheckIn{EngagementID: e.ID, Day: day, Status: status, SubmittedAt: at, UpdatedAt: at}
		if err := b.Store.SaveCheckIn(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	b.Clock.Set(bottest.Day("2026-11-24", "12:00", "Europe/Paris"))
	b.Command(t, ana, "rocks set 2 off-track 10% | no candidates")
	b.Clock.Set(bottest.Day("2026-11-27", "12:00", "Europe/Paris"))
	return b, e
}

func TestChartData(t *testing.T) {
	t.Parallel()
	b, e := chartWeek(t)
	cs, err := b.Bot.ChartData(context.Background(), e, b.Person(t, ana), b.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	cal, energy, rocks := cs[0].(chart.Calendar), cs[1].(chart.Energy), cs[2].(chart.Progress)

	if !strings.HasPrefix(cal.Title, "Ana · check-ins, cycle 1") || cal.To.Sub(cal.From) != 89*24*time.Hour {
		t.Errorf("calendar %q from %v to %v, want cycle 1's 90 days", cal.Title, cal.From, cal.To)
	}
	states := map[bot.Date]chart.State{}
	for _, d := range cal.Days {
		states[bot.DateOf(d.Day)] = d.State
	}
	for _, tc := range []struct {
		day  bot.Date
		want chart.State
	}{
		{mon23, chart.Answered},
		{tue24, chart.Skipped},
		{tue24.AddDays(1), chart.Off},
		{tue24.AddDays(2), chart.Missed},  // Thursday: due, never answered
		{tue24.AddDays(3), chart.Unknown}, // today: there is still time
		{tue24.AddDays(4), chart.Unknown}, // tomorrow
	} {
		if got := states[tc.day]; got != tc.want {
			t.Errorf("%s shows state %d, want %d", tc.day, got, tc.want)
		}
	}

	if len(energy.Points) != 1 || energy.Points[0].Value != 4 || bot.DateOf(energy.Points[0].Day) != mon23 {
		t.Errorf("energy points %+v, want Monday's 4", energy.Points)
	}

	if len(rocks.Rocks) != 3 || rocks.Rocks[1].Title != "Hire a CTO" {
		t.Fatalf("rocks %+v, want the three", rocks.Rocks)
	}
	cto := rocks.Rocks[1].Points
	if last := cto[len(cto)-1]; last.Value != 10 || bot.DateOf(last.Day) != tue24 {
		t.Errorf("Hire a CTO's progress %+v, want 10%% from Tuesday", cto)
	}
}

// pictures fails the test unless imgs are the three charts of Ana's cycle,
// each a PNG at chat size with a title saying what it shows.
func pictures(t *testing.T, imgs []bot.Image) {
	t.Helper()
	titles := []string{"Ana · check-ins, cycle 1", "Ana · energy, cycle 1", "Ana · rocks, cycle 1"}
	if len(imgs) != len(titles) {
		t.Fatalf("%d images, want %d", len(imgs), len(titles))
	}
	for i, img := range imgs {
		if !strings.HasPrefix(img.Title, titles[i]) || !strings.HasSuffix(img.Name, ".png") || !strings.HasPrefix(img.Name, "ana-cycle1-") {
			t.Errorf("image %d: %q titled %q, want %q…", i, img.Name, img.Title, titles[i])
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img.PNG))
		if err != nil {
			t.Errorf("image %q: %v", img.Name, err)
			continue
		}
		if cfg.Width != chart.Width || cfg.Height != chart.Height {
			t.Errorf("image %q is %d×%d, want %d×%d", img.Name, cfg.Width, cfg.Height, chart.Width, chart.Height)
		}
	}
}

func TestDigestReplyCarriesCharts(t *testing.T) {
	t.Parallel()
	b, _ := chartWeek(t)
	b.Command(t, coach, "digest <#C42>")
	b.Clock.Set(bottest.Day("2026-11-30", "07:00", "Europe/London"))
	before := len(b.Messenger.Sent())
	if _, err := b.Bot.SendDigest(context.Background(), b.Person(t, coach), mon23); err != nil {
		t.Fatal(err)
	}
	sent := b.Messenger.Sent()[before:]
	if len(sent) != 2 {
		t.Fatalf("digest sent %d messages, want a parent and Ana's reply", len(sent))
	}
	if len(sent[0].Msg.Images) != 0 {
		t.Errorf("the digest's parent has %d images, want none", len(sent[0].Msg.Images))
	}
	pictures(t, sent[1].Msg.Images)
}

func TestBriefCarriesCharts(t *testing.T) {
	t.Parallel()
	b, _ := chartWeek(t)
	out := b.Command(t, coach, "brief <@ana>")
	if len(out) != 1 {
		t.Fatalf("brief is %d messages, want 1", len(out))
	}
	pictures(t, out[0].Images)
}

// TestNoCharts: with charts off, the digest and the brief carry none.
func TestNoCharts(t *testing.T) {
	t.Parallel()
	b := bottest.SetupWith(t, bottest.Options{NoCharts: true})
	b.Engage(t, coach, ana)
	b.Clock.Set(bottest.Day("2026-11-30", "08:00", "Europe/London"))
	_, parts, err := b.Bot.ComposeDigest(t.Context(), b.Person(t, coach), mon23)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if len(p.Images) > 0 {
			t.Errorf("digest reply with charts off carries %d images", len(p.Images))
		}
	}
	for _, m := range b.Command(t, coach, "brief <@ana>") {
		if len(m.Images) > 0 {
			t.Errorf("brief with charts off carries %d images", len(m.Images))
		}
	}
}
