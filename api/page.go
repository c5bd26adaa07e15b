package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/smart90/smart90/bot"
)

// Bounds of the days a store is asked for when the caller gives none.
var (
	firstDay = bot.Date{Year: 1, Month: 1, Day: 1}
	lastDay  = bot.Date{Year: 9999, Month: 12, Day: 31}
)

// page is a paginated request's bounds: the days from and to (both
// included), at most limit rows after the cursor's (day, engagement).
type page struct {
	from, to   bot.Date
	limit      int
	afterDay   bot.Date // zero: from the start
	afterEngID int64
}

// parsePage reads from, to, limit and cursor.
func parsePage(r *http.Request) (page, error) {
	q := r.URL.Query()
	p := page{from: firstDay, to: lastDay, limit: DefaultLimit}
	for _, d := range []struct {
		name string
		to   *bot.Date
	}{{"from", &p.from}, {"to", &p.to}} {
		if v := q.Get(d.name); v != "" {
			day, err := bot.ParseDate(v)
			if err != nil {
				return p, badRequest(fmt.Sprintf("%s: %q is not a date; use YYYY-MM-DD.", d.name, v))
			}
			*d.to = day
		}
	}
	if p.to.Before(p.from) {
		return p, badRequest("from is after to.")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return p, badRequest(fmt.Sprintf("limit is a number from 1 to %d, not %q.", MaxLimit, v))
		}
		p.limit = n
	}
	if v := q.Get("cursor"); v != "" {
		day, id, ok := decodeCursor(v)
		if !ok {
			return p, badRequest("That cursor is not one this API gave; start again without it.")
		}
		p.afterDay, p.afterEngID = day, id
	}
	return p, nil
}

// A cursor is the (day, engagement) of the last row of its page, opaque
// to callers: base64url of "YYYY-MM-DD.ID".
func encodeCursor(day bot.Date, engagementID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(day.String() + "." + strconv.FormatInt(engagementID, 10)))
}

func decodeCursor(s string) (bot.Date, int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bot.Date{}, 0, false
	}
	d, id, ok := strings.Cut(string(raw), ".")
	day, err1 := bot.ParseDate(d)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 || day.String() != d {
		return bot.Date{}, 0, false
	}
	return day, n, true
}

// after reports whether the row (day, engagementID) comes after the
// page's cursor.
func (p page) after(day bot.Date, engagementID int64) bool {
	if p.afterDay.IsZero() {
		return true
	}
	return day.After(p.afterDay) || day == p.afterDay && engagementID > p.afterEngID
}

// start is the first day to read: the cursor's day when it is later
// than from.
func (p page) start() bot.Date {
	if p.afterDay.After(p.from) {
		return p.afterDay
	}
	return p.from
}

// keyed is a row of a paginated list with its key.
type keyed[T any] struct {
	day   bot.Date
	engID int64
	row   T
}

// paginate sorts rows by (day, engagement), keeps those after the cursor
// and returns one page with the next cursor and its Link header.
func paginate[T any](r *http.Request, p page, rows []keyed[T]) (list[T], http.Header) {
	slices.SortFunc(rows, func(a, b keyed[T]) int {
		if a.day != b.day {
			if a.day.Before(b.day) {
				return -1
			}
			return 1
		}
		return int(a.engID - b.engID)
	})
	out := list[T]{Data: []T{}}
	var last keyed[T]
	for _, k := range rows {
		if !p.after(k.day, k.engID) {
			continue
		}
		if len(out.Data) == p.limit {
			out.NextCursor = encodeCursor(last.day, last.engID)
			break
		}
		out.Data = append(out.Data, k.row)
		last = k
	}
	if out.NextCursor == "" {
		return out, nil
	}
	q := r.URL.Query()
	q.Set("cursor", out.NextCursor)
	next := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return out, http.Header{"Link": {"<" + next.String() + `>; rel="next"`}}
}
