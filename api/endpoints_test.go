package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/smart90/smart90/store/postgres/pgtest"
)

func TestEndpoints(t *testing.T) {
	t.Parallel()
	testEndpoints(t, setup(t, options{}))
}

// TestEndpointsPostgres runs the endpoints and the refusals on PostgreSQL.
func TestEndpointsPostgres(t *testing.T) {
	t.Parallel()
	w := setup(t, options{store: pgtest.New(t)})
	testEndpoints(t, w)
	testRefusals(t, w)
}

func testEndpoints(t *testing.T, w *world) {
	me := decode[struct {
		ID      int64
		Name    string
		IsCoach bool `json:"is_coach"`
		Token   struct{ Prefix string }
	}](t, w.get(t, "UANA", "/api/v1/me"))
	if me.ID != w.ids["UANA"] || me.Name != ana.DisplayName || me.IsCoach || !strings.HasPrefix(w.tokens["UANA"], me.Token.Prefix) {
		t.Errorf("/me as Ana: %+v", me)
	}

	type clientList struct {
		Data []struct {
			ID         int64
			Name       string
			Engagement struct {
				Status string
				Cycle  struct{ N, Day int }
			}
		}
	}
	cl := decode[clientList](t, w.get(t, "UCORA", "/api/v1/clients"))
	if len(cl.Data) != 2 || cl.Data[0].Name != ana.DisplayName || cl.Data[1].Name != bea.DisplayName ||
		cl.Data[0].Engagement.Status != "active" || cl.Data[0].Engagement.Cycle.N != 1 {
		t.Errorf("/clients as Cora: %+v, want Ana and Bea, active", cl)
	}
	cl = decode[clientList](t, w.get(t, "UANA", "/api/v1/clients"))
	if len(cl.Data) != 1 || cl.Data[0].ID != w.ids["UANA"] {
		t.Errorf("/clients as Ana: %+v, want Ana alone", cl)
	}

	base := "/api/v1/clients/" + id(w, ana)
	for _, who := range []string{"UANA", "UCORA"} {
		c := decode[struct{ ID int64 }](t, w.get(t, who, base))
		if c.ID != w.ids["UANA"] {
			t.Errorf("%s as %s: %+v", base, who, c)
		}
		cy := decode[struct {
			Data []struct{ N, Day int }
		}](t, w.get(t, who, base+"/cycles"))
		if len(cy.Data) != 1 || cy.Data[0].N != 1 || cy.Data[0].Day != 1 {
			t.Errorf("%s/cycles as %s: %+v, want cycle 1, day 1", base, who, cy)
		}
		rocks := decode[struct {
			Data []struct {
				Number int
				Title  string
				Due    string
			}
		}](t, w.get(t, who, base+"/rocks"))
		if len(rocks.Data) != 2 || rocks.Data[0].Title != "Ship the <b>book</b>" || rocks.Data[0].Due != "2027-02-01" {
			t.Errorf("%s/rocks as %s: %+v", base, who, rocks)
		}
		ci := decode[struct {
			Data []struct {
				Day          string
				MovedForward string `json:"moved_forward"`
				PriorityRock int    `json:"priority_rock"`
			}
		}](t, w.get(t, who, base+"/checkins?limit=1"))
		if len(ci.Data) != 1 || ci.Data[0].Day != w.anaEng.Start.String() || ci.Data[0].PriorityRock != 1 ||
			ci.Data[0].MovedForward != "moved <@U1> "+w.anaEng.Start.String() {
			t.Errorf("%s/checkins as %s: %+v", base, who, ci)
		}
		wr := decode[struct {
			Data []struct {
				Week  string
				Rocks []struct{ Rock int }
			}
		}](t, w.get(t, who, base+"/weekly-reports"))
		if len(wr.Data) != 3 || len(wr.Data[0].Rocks) != 1 || wr.Data[0].Rocks[0].Rock != 2 {
			t.Errorf("%s/weekly-reports as %s: %+v", base, who, wr)
		}
		sc := decode[struct {
			Data []struct {
				Name   string
				Values []struct{ Value float64 }
			}
		}](t, w.get(t, who, base+"/scorecard"))
		if len(sc.Data) != 1 || len(sc.Data[0].Values) != 1 || sc.Data[0].Values[0].Value != 17.5 {
			t.Errorf("%s/scorecard as %s: %+v", base, who, sc)
		}
		ss := decode[struct {
			Data []struct{ Notes *string }
		}](t, w.get(t, who, base+"/sessions"))
		if len(ss.Data) != 1 {
			t.Fatalf("%s/sessions as %s: %+v, want one", base, who, ss)
		}
		// The notes are the coach's, as in chat and `export`.
		if got := ss.Data[0].Notes; who == "UANA" && got != nil || who == "UCORA" && (got == nil || *got != "she wants pacing") {
			t.Errorf("%s/sessions as %s: notes %v", base, who, got)
		}
	}
	// HEAD answers as GET, without a body.
	if rec := w.do(t, http.MethodHead, "UANA", "/api/v1/me"); rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("ETag") == "" {
		t.Errorf("HEAD /me: %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	base := "/api/v1/clients/" + id(w, ana) + "/checkins"
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"limit=7", w.checkIn},
		{"limit=1", w.checkIn},
		{"limit=200", w.checkIn},
		{"", w.checkIn},
		{"limit=4&from=" + w.anaEng.Start.AddDays(3).String() + "&to=" + w.anaEng.Start.AddDays(12).String(), 10},
	} {
		var days []string
		path := base + "?" + tc.query
		for pages := 0; path != ""; pages++ {
			if pages > w.checkIn+1 {
				t.Fatalf("%s: more pages than check-ins", tc.query)
			}
			rec := w.get(t, "UCORA", path)
			p := decode[struct {
				Data       []struct{ Day string }
				NextCursor string `json:"next_cursor"`
			}](t, rec)
			for _, c := range p.Data {
				days = append(days, c.Day)
			}
			link := rec.Header().Get("Link")
			if (p.NextCursor == "") != (link == "") {
				t.Errorf("%s: next_cursor %q with Link %q", path, p.NextCursor, link)
			}
			path = ""
			if p.NextCursor != "" {
				m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(link)
				if m == nil || !strings.Contains(m[1], "cursor="+p.NextCursor) {
					t.Fatalf("%s: Link %q does not lead to cursor %s", tc.query, link, p.NextCursor)
				}
				path = m[1]
			}
		}
		if len(days) != tc.want {
			t.Errorf("%s: %d check-ins across the pages, want %d: %v", tc.query, len(days), tc.want, days)
		}
		for i := 1; i < len(days); i++ {
			if days[i] <= days[i-1] {
				t.Errorf("%s: day %s after %s: a duplicate or out of order", tc.query, days[i], days[i-1])
			}
		}
		first := w.anaEng.Start
		if strings.Contains(tc.query, "from=") {
			first = first.AddDays(3)
		}
		for i, d := range days {
			if want := first.AddDays(i).String(); d != want {
				t.Errorf("%s: check-in %d is %s, want %s (a gap)", tc.query, i, d, want)
				break
			}
		}
	}
}

func TestETag(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	path := "/api/v1/clients/" + id(w, ana) + "/rocks"
	first := w.get(t, "UANA", path)
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Fatalf("first GET: %d with ETag %q, want 200 with a strong ETag", first.Code, etag)
	}
	again := w.get(t, "UANA", path, "If-None-Match", etag)
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != etag {
		t.Errorf("If-None-Match with the ETag: %d, %d bytes, ETag %q; want 304, empty, the same ETag", again.Code, again.Body.Len(), again.Header().Get("ETag"))
	}
	if rec := w.get(t, "UANA", path, "If-None-Match", `"other", `+etag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with a list naming the ETag: %d, want 304", rec.Code)
	}
	if rec := w.get(t, "UANA", path, "If-None-Match", `"other"`); rec.Code != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: %d, want 200", rec.Code)
	}
	w.b.Command(t, ana, "rocks add Learn Go")
	changed := w.get(t, "UANA", path, "If-None-Match", etag)
	if changed.Code != http.StatusOK || changed.Header().Get("ETag") == etag {
		t.Errorf("after a change: %d with ETag %q, want 200 with a new ETag", changed.Code, changed.Header().Get("ETag"))
	}
}
