package bot_test

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// exportOf runs `export` as user and decodes its JSON file.
func exportOf(t *testing.T, b *bottest.Bundle, user bot.UserRef) (map[string]any, []bot.File) {
	t.Helper()
	out := b.Command(t, user, "export")
	if len(out) != 1 {
		t.Fatalf("export replied %d messages", len(out))
	}
	for _, f := range out[0].Files {
		if strings.HasSuffix(f.Name, ".json") {
			var v map[string]any
			if err := json.Unmarshal(f.Data, &v); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			return v, out[0].Files
		}
	}
	t.Fatalf("export has no JSON file: %v", out[0].Files)
	return nil, nil
}

var (
	snakeKey = regexp.MustCompile(`^[a-z0-9_]+$`)
	dayValue = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	// Keys holding a day; every key ending in _at holds an instant.
	dayKeys = map[string]bool{"day": true, "week": true, "start": true, "end": true, "due": true, "pause_from": true, "pause_to": true}
)

// walkExport checks every key and every day and instant under path.
func walkExport(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !snakeKey.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", path, k)
			}
			if s, ok := x.(string); ok {
				switch {
				case dayKeys[k] && !dayValue.MatchString(s):
					t.Errorf("%s.%s = %q, want YYYY-MM-DD", path, k, s)
				case strings.HasSuffix(k, "_at"):
					if at, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "Z") || at.Nanosecond() != 0 {
						t.Errorf("%s.%s = %q, want RFC 3339 in UTC", path, k, s)
					}
				}
			}
			walkExport(t, path+"."+k, x)
		}
	case []any:
		for i, x := range v {
			walkExport(t, path+"["+strconv.Itoa(i)+"]", x)
		}
	}
}

// TestExportSchema: one snake_case schema all through, with the cycles,
// the review and the weekly reports with their rock lines; the client
// gets the days of their sessions but not the coach's notes, which are in
// the coach's export.
func TestExportSchema(t *testing.T) {
	t.Parallel()
	b := quarterAndAHalf(t)
	has(t, b.Command(t, coach, "session <@ana> 2027-03-02 her confidence is low, push on pilots"), "Logged a session")
	b.Command(t, ana, "scorecard add Sales calls >= 15 / week")
	b.Command(t, ana, "scorecard set 1 17")

	data, files := exportOf(t, b, ana)
	walkExport(t, "ana", data)
	engs := data["engagements"].([]any)
	if len(engs) != 1 {
		t.Fatalf("%d engagements", len(engs))
	}
	x := engs[0].(map[string]any)
	js, _ := json.Marshal(x)
	for _, want := range []string{
		`"cycles":[{"end":"2027-02-19","n":1,"start":"2026-11-22"},{"end":"2027-05-20","n":2,"start":"2027-02-20"}]`,
		`"quarterly_reviews":[{"change":"plan on Mondays","cycle":1,"rocks":[{"decision":"done","learned":"shipped it","rock":1},{"decision":"drop","learned":"not this year","rock":2},{"decision":"carry","learned":"pilots need a champion","rock":3}],"status":"complete","submitted_at":"2027-02-19T14:00:00Z","win":"the first pilot signed"}]`,
		`"rocks":[{"note":"","progress":40,"rock":1,"status":"on_track"},{"note":"","progress":10,"rock":2,"status":"off_track"},{"note":"","progress":33,"rock":3,"status":"on_track"}]`,
		`"win":"first pilot signed"`, `"stuck":"the CTO search"`, `"ask":"candidate sources"`, `"week":"2026-11-23"`,
		`"pause_from":"2026-12-23","pause_to":"2027-01-03"`,
		`"sessions":[{"day":"2027-03-02"}]`,
		`"scorecard":[{"direction":"at_least","goal":15,"name":"Sales calls","number":1,"removed_at":null,"unit":"/ week","values":[{"value":17,"week":`,
		`"note":"shipped it","progress":100,"rock":1,"status":"done"`,
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("ana's engagement lacks %s:\n%s", want, js)
		}
	}
	if _, ok := data["coaching"]; ok {
		t.Errorf("a client's export has a coaching section")
	}
	for _, f := range files {
		if strings.Contains(string(f.Data), "confidence") {
			t.Errorf("ana's %s holds the coach's session notes", f.Name)
		}
	}
	var weekly bot.File
	for _, f := range files {
		if strings.HasPrefix(f.Name, "smart90-weekly-") {
			weekly = f
		}
	}
	rows := readCSV(t, weekly)
	if len(rows) != 2 || strings.Join(rows[0], ",") != "week,status,win,stuck,ask,rocks,cycle" ||
		strings.Join(rows[1], "|") != "2026-11-23|complete|first pilot signed|the CTO search|candidate sources|1: on track 40%; 2: off track 10%; 3: on track 33%|1" {
		t.Errorf("weekly CSV = %q", rows)
	}

	data, _ = exportOf(t, b, coach)
	walkExport(t, "coach", data)
	js, _ = json.Marshal(data)
	for _, want := range []string{
		`"coaching":[{"client":"Ana","sessions":[{"day":"2027-03-02","notes":"her confidence is low, push on pilots"}],"start":"2026-11-22","status":"active"}]`,
		`"engagements":[]`, `"digest":{"channel":"","time":"07:00","weekday":"mon"}`, `"is_coach":true`,
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("the coach's export lacks %s:\n%s", want, js)
		}
	}
	if strings.Contains(string(js), "first pilot signed") {
		t.Errorf("the coach's export holds the client's words:\n%s", js)
	}
}
