// This file holds the target: which prompt (a day's check-in, a week's
// report, a cycle's review) a plain reply, a form or a button answers, and
// the checks that an answer to it is the actor's own and still open.

package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// target names the prompt a plain reply answers: a day's check-in, a
// week's report or a cycle's review of one engagement.
type target struct {
	kind DeliveryKind // DeliveryDaily, DeliveryWeekly or kindReview
	eng  int64
	day  Date // the check-in's day, the report's Monday, the reviewed cycle's first day
}

// String is the target as a form or button value and as the plain-reply
// state: "daily:12:2026-11-24".
func (t target) String() string { return fmt.Sprintf("%s:%d:%s", t.kind, t.eng, t.day) }

// parseTarget reads a target written by String; false when s is not one.
func parseTarget(s string) (target, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] != string(DeliveryDaily) && parts[0] != string(DeliveryWeekly) && parts[0] != string(kindReview) {
		return target{}, false
	}
	id, err1 := strconv.ParseInt(parts[1], 10, 64)
	day, err2 := ParseDate(parts[2])
	return target{DeliveryKind(parts[0]), id, day}, err1 == nil && err2 == nil
}

// convKey is the conversation-state key holding the target p's plain
// replies answer.
func convKey(p *Person) string { return "conv:" + strconv.FormatInt(p.ID, 10) }

// ownTarget parses a form or button value naming the actor's own prompt.
func (b *Bot) ownTarget(ctx context.Context, r *request, value string, kind DeliveryKind) (target, *Engagement, error) {
	t, ok := parseTarget(value)
	if !ok || t.kind != kind {
		return target{}, nil, Errorf(EINVALID, "That form is out of date; type `checkin` or `weekly` for a fresh one.")
	}
	e, err := b.store.Engagement(ctx, t.eng)
	if ErrorCode(err) == ENOTFOUND || err == nil && e.ClientID != r.me.ID {
		return target{}, nil, Errorf(EFORBIDDEN, "Only the client can answer their own check-ins and reports.")
	} else if err != nil {
		return target{}, nil, fmt.Errorf("load engagement: %w", err)
	}
	if e.Status != EngagementActive && e.Status != EngagementPaused {
		return target{}, nil, Errorf(ECONFLICT, "Your coaching on smart90 has ended, so there is nothing to answer.")
	}
	if err := answerable(t, e, r.today(), zoneOf(r.me), r.me.DaysOff()); err != nil {
		return target{}, nil, err
	}
	return t, e, nil
}

// answerable refuses a form or button naming a day no prompt can have
// been for: before the engagement's cycle began, or after the next workday
// (a check-in answered the evening before: on Friday, Monday's) — this
// week, for a weekly report. off is the client's public holidays, which
// the next workday passes over.
// A crafted value must not file an answer under 0001-01-01 or 9999-12-31.
func answerable(t target, e *Engagement, today Date, loc *time.Location, off DaysOff) error {
	first, last := e.Start, today.AddDays(1)
	if next, ok := nextWorkday(e, today, loc, off); ok && next.After(last) {
		last = next // Friday evening: Monday
	}
	switch t.kind {
	case DeliveryWeekly:
		first, last = e.Start.WeekStart(), today.WeekStart()
	case kindReview:
		// A cycle's first day, while its review is open.
		if c := e.CycleOn(t.day); t.day.Before(e.Start) || t.day != c.Start || !c.reviewOpen(today) {
			return Errorf(EINVALID, "That review is for a cycle that is not open for review; type `review` for yours.")
		}
		return nil
	}
	if t.day.Before(first) || t.day.After(last) {
		return Errorf(EINVALID, "That form is for %s, which no prompt of yours was for; type `checkin` or `weekly` for a fresh one.", t.day)
	}
	return nil
}

// stillOpen refuses a first answer to a prompt that a newer prompt of the
// same kind replaced: a late answer counts for its day until the next
// prompt. Edits of a finished answer are always allowed.
func (b *Bot) stillOpen(ctx context.Context, r *request, t target, editing bool) error {
	if editing {
		return nil
	}
	latest, err := b.latestPeriod(ctx, r.me, t.kind)
	if err != nil {
		return err
	}
	if latest.After(t.day) {
		what := "check-in"
		if t.kind == DeliveryWeekly {
			what = "weekly report"
		}
		return Errorf(ECONFLICT, "The %s for %s closed when the next one arrived; please answer the newest one.", what, t.day)
	}
	return nil
}

// latestPeriod returns the day (or week's Monday) of the newest prompt of
// kind the person received; the zero Date when none.
func (b *Bot) latestPeriod(ctx context.Context, p *Person, kind DeliveryKind) (Date, error) {
	d, err := b.store.LatestDelivery(ctx, p.ID, kind)
	if ErrorCode(err) == ENOTFOUND {
		return Date{}, nil
	} else if err != nil {
		return Date{}, fmt.Errorf("load latest prompt: %w", err)
	}
	return periodDate(d.Period), nil
}

// endConversation forgets the plain-reply state when it points at t.
func (b *Bot) endConversation(ctx context.Context, r *request, t target) {
	if cur, err := b.state.Get(ctx, convKey(r.me)); err == nil && cur == t.String() {
		if err := b.state.Delete(ctx, convKey(r.me)); err != nil {
			b.log.WarnContext(ctx, "end conversation", "err", err)
		}
	}
}

// periodDate reads a delivery period: a day, or an ISO week as its Monday.
func periodDate(period string) Date {
	if d, err := ParseDate(period); err == nil {
		return d
	}
	var y, w int
	if _, err := fmt.Sscanf(period, "%d-W%d", &y, &w); err != nil {
		return Date{}
	}
	// ISO week 1 contains January 4th.
	jan4 := Date{y, 1, 4}
	return jan4.WeekStart().AddDays(7 * (w - 1))
}
