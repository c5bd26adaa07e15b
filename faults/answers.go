// Clients answering their check-in meanwhile, and the tally of what was
// kept of their answers.

package faults

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/smart90/smart90/store/postgres"
)

// answerer is a client who answers the check-in in their DM, one message
// per question.
type answerer struct {
	user    string
	answers [4]string
	results []delivery // one per answer sent; the last one unacknowledged when Slack gave up
}

// pickAnswerers takes n clients whose prompt is recorded as sent, so that
// their messages answer it.
func pickAnswerers(ctx context.Context, db *postgres.DB, n int) ([]*answerer, error) {
	rows, err := db.Pool().Query(ctx, `SELECT p.external_id FROM deliveries d JOIN people p ON p.id = d.person_id
		WHERE d.kind = 'daily' AND d.state = 'sent' ORDER BY d.sent_at, d.id LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("pick answerers: %w", err)
	}
	defer rows.Close()
	var out []*answerer
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, &answerer{user: u, answers: [4]string{"moved " + u + " forward", "priority of " + u, "stuck on " + u, "4"}})
	}
	return out, rows.Err()
}

// run sends the answers one after the other, each once acknowledged; a
// person whose message Slack gave up on stops there.
func (a *answerer) run(ctx context.Context, s *eventSender) {
	for _, text := range a.answers {
		d := s.message(ctx, a.user, text)
		a.results = append(a.results, d)
		if !d.acked {
			return
		}
	}
}

// tallyAnswers compares what each answerer's acknowledged answers should
// have stored with the check-ins stored.
func tallyAnswers(ctx context.Context, db *postgres.DB, as []*answerer, res *Result) error {
	users := make([]string, len(as))
	for i, a := range as {
		users[i] = a.user
	}
	rows, err := db.Pool().Query(ctx, `SELECT p.external_id, c.moved, c.priority, c.stuck, c.energy
		FROM check_ins c JOIN engagements e ON e.id = c.engagement_id JOIN people p ON p.id = e.client_id
		WHERE p.external_id = ANY($1)`, users)
	if err != nil {
		return fmt.Errorf("read check-ins: %w", err)
	}
	defer rows.Close()
	stored := map[string][][4]string{}
	for rows.Next() {
		var u string
		var f [4]string
		var energy int
		if err := rows.Scan(&u, &f[0], &f[1], &f[2], &energy); err != nil {
			return err
		}
		if energy > 0 {
			f[3] = strconv.Itoa(energy)
		}
		stored[u] = append(stored[u], f)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	t := &res.Answers
	for _, a := range as {
		for k, d := range a.results {
			t.Sent++
			found, inPlace := 0, false
			for _, f := range stored[a.user] {
				for j, v := range f {
					if v == a.answers[k] {
						found++
						inPlace = inPlace || j == k
					}
				}
			}
			if found > 1 {
				t.Duplicated++
				if len(res.Notes) < 8 {
					res.Notes = append(res.Notes, fmt.Sprintf("%s's answer %q is stored %d times: %q", a.user, a.answers[k], found, stored[a.user]))
				}
			}
			if !d.acked {
				continue
			}
			t.Acked++
			switch {
			case found == 0:
				t.Lost++
				if len(res.Notes) < 8 {
					res.Notes = append(res.Notes, fmt.Sprintf("%s's answer %q was acknowledged (attempts: %s) and is not stored: %q",
						a.user, a.answers[k], strings.Join(d.statuses, ", "), stored[a.user]))
				}
			case found == 1 && !inPlace:
				t.Misplaced++
			case found == 1:
				t.StoredOnce++
			}
		}
	}
	return nil
}
