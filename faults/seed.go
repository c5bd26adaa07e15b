// The run's data: clients seeded due now, and the deliveries counted
// after.

package faults

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
)

// seed creates the Slack workspace, a coach and n clients in UTC, each
// with a daily check-in due at due, every day, no reminder, and the weekly
// report days away. It returns each client's user id and display name.
func seed(ctx context.Context, s *postgres.DB, n int, due time.Time) (map[string]string, error) {
	marked := due.Add(-time.Hour)
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: Team, Name: "Faults", Status: bot.InstallationActive, CreatedAt: marked, UpdatedAt: marked}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		return nil, err
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "UCOACH", DisplayName: "coach", TimeZone: "UTC", CreatedAt: marked}
	if err := s.EnsurePerson(ctx, coach); err != nil {
		return nil, err
	}
	users := make(map[string]string, n)
	for i := range n {
		users[fmt.Sprintf("U%06d", i)] = fmt.Sprintf("client %d", i)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprintf("U%06d", i), DisplayName: fmt.Sprintf("client %d", i),
					TimeZone: "UTC", CreatedAt: marked}
				if err := s.EnsurePerson(ctx, p); err != nil {
					errs <- err
					return
				}
				e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive,
					CheckinTime: bot.ClockTime(due.Hour()*60 + due.Minute()), Workdays: 0x7f,
					WeeklyWeekday: (due.Weekday() + 3) % 7, WeeklyTime: 15 * 60,
					Start: bot.DateOf(due).AddDays(-2), CycleDays: 90, InvitedAt: marked, AcceptedAt: marked, UpdatedAt: marked}
				if err := s.CreateEngagement(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return users, <-errs
}

// deliveryCounts are the daily check-ins' deliveries by state.
type deliveryCounts struct {
	total, pending, failed, onHold int
}

// countDeliveries reads them directly, never through the proxy.
func countDeliveries(ctx context.Context, db *postgres.DB) (deliveryCounts, error) {
	var c deliveryCounts
	err := db.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'pending'),
		count(*) FILTER (WHERE state IN ('failed', 'suspended')),
		(SELECT count(*) FROM schedules WHERE suspended <> '')
		FROM deliveries WHERE kind = 'daily'`).Scan(&c.total, &c.pending, &c.failed, &c.onHold)
	if err != nil {
		return c, fmt.Errorf("count deliveries: %w", err)
	}
	return c, nil
}
