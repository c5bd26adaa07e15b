package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testPlanSchedules(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s) // coach's digest marked at -48h, client's daily and weekly at -23h

	// An uninstalled installation's coach, marked at -50h, is due first.
	gone := newInstallation(t, s, bot.PlatformSlack, "TGONE")
	goneCoach := person(gone.ID, "UGONE", true)
	goneCoach.CreatedAt, goneCoach.UpdatedAt = at(-60*time.Hour), at(-60*time.Hour)
	must(t, "create coach", s.EnsurePerson(ctx, goneCoach))
	gone.Status, gone.UpdatedAt = bot.InstallationUninstalled, at(-50*time.Hour)
	must(t, "uninstall", s.UpsertInstallation(ctx, gone))
	// Another client is due at -1h, a third only at +1h, a fourth never:
	// suspended.
	client := func(externalID string, updated time.Time) (*bot.Person, *bot.Engagement) {
		t.Helper()
		c := newPerson(t, s, f.Inst.ID, externalID, false)
		e := engagement(f.Coach.ID, c.ID, bot.EngagementActive)
		e.UpdatedAt = updated
		must(t, "create engagement", s.CreateEngagement(ctx, e))
		return c, e
	}
	c2, e2 := client("UCLIENT2", at(-time.Hour))
	c3, e3 := client("UCLIENT3", at(time.Hour))
	c4, e4 := client("UCLIENT4", at(-30*time.Hour))
	must(t, "suspend", s.SuspendSchedules(ctx, c4.ID, at(-29*time.Hour), "user_not_found"))

	existing := newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryReminder, "2026-11-25", at(2*time.Hour), bot.DeliverySent)

	// The first plan takes the three earliest, earliest first, loaded.
	wantFirst := []*bot.Schedule{
		marked(t, s, goneCoach.ID, bot.DeliveryDigest, 0, at(-50*time.Hour)),
		marked(t, s, f.Coach.ID, bot.DeliveryDigest, 0, at(-48*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryDaily, f.Eng.ID, at(-23*time.Hour)),
		marked(t, s, f.Client.ID, bot.DeliveryWeekly, f.Eng.ID, at(-23*time.Hour)),
	}
	if wantFirst[0].Active || !wantFirst[1].Active {
		t.Fatal("test setup: want the first coach's installation uninstalled, the second's active")
	}
	digest := &bot.Delivery{PersonID: f.Coach.ID, Kind: bot.DeliveryDigest, Period: "2026-W48", DueAt: at(-48 * time.Hour)}
	daily := &bot.Delivery{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryDaily, Period: "2026-11-25",
		DueAt: at(0), State: bot.DeliveryPending, CreatedAt: at(-time.Minute)}
	dailyAgain := &bot.Delivery{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryDaily, Period: "2026-11-25",
		DueAt: at(time.Minute), State: bot.DeliverySkipped}
	full := &bot.Delivery{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryWeekly, Period: "2026-W47",
		DueAt: at(-7 * 24 * time.Hour), State: bot.DeliveryMissed, Attempts: 2, LastError: "late", SkipReason: "public holiday: Boxing Day", LeaseUntil: at(time.Minute),
		MessageRef: "m1", SentAt: at(-time.Hour), CreatedAt: at(-2 * time.Minute), UpdatedAt: at(-90 * time.Second)}
	again := &bot.Delivery{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryReminder, Period: "2026-11-25",
		DueAt: at(3 * time.Hour), State: bot.DeliveryPending}
	var got []*bot.Schedule
	n, err := s.PlanSchedules(ctx, at(0), 3, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		for _, sc := range scheds {
			c := *sc
			got = append(got, &c)
		}
		for _, sc := range scheds {
			switch sc.Kind {
			case bot.DeliveryDigest:
				if sc.Active {
					sc.NextAt, sc.Period = at(6*24*time.Hour), "2026-W49"
				} else {
					sc.NextAt, sc.Period = time.Time{}, ""
				}
			default:
				sc.NextAt, sc.Period = at(24*time.Hour), "2026-11-26"
			}
		}
		return []*bot.Delivery{digest, daily, dailyAgain, full, again}, nil
	})
	must(t, "PlanSchedules", err)
	if n != 3 || len(got) != 3 {
		t.Fatalf("PlanSchedules with limit 3: took %d, gave plan %d; want 3 and 3", n, len(got))
	}
	// The client's two tie; either may come third.
	third := wantFirst[2]
	if got[2].Kind == bot.DeliveryWeekly {
		third = wantFirst[3]
	}
	same(t, "schedules given to plan", got, []*bot.Schedule{wantFirst[0], wantFirst[1], third})

	// What plan set is stored, with UpdatedAt now.
	wantSchedules(t, s, "uninstalled coach after a plan", goneCoach.ID,
		sched(t, s, goneCoach.ID, bot.DeliveryDigest, 0, time.Time{}, "", at(0)))
	wantSchedules(t, s, "coach after a plan", f.Coach.ID,
		sched(t, s, f.Coach.ID, bot.DeliveryDigest, 0, at(6*24*time.Hour), "2026-W49", at(0)))
	other := wantFirst[3]
	if third == other {
		other = wantFirst[2]
	}
	wantSchedules(t, s, "client after a plan", f.Client.ID,
		sched(t, s, f.Client.ID, third.Kind, f.Eng.ID, at(24*time.Hour), "2026-11-26", at(0)), other)

	// The deliveries are created as CreateDelivery would; an existing key
	// (in the store or earlier in the batch) is left alone.
	for _, want := range []*bot.Delivery{
		{PersonID: f.Coach.ID, Kind: bot.DeliveryDigest, Period: "2026-W48", DueAt: at(-48 * time.Hour),
			State: bot.DeliveryPending, CreatedAt: at(0), UpdatedAt: at(0)},
		{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryDaily, Period: "2026-11-25", DueAt: at(0),
			State: bot.DeliveryPending, CreatedAt: at(-time.Minute), UpdatedAt: at(-time.Minute)},
		func() *bot.Delivery { d := *full; return &d }(),
		existing,
	} {
		d, err := s.DeliveryByKey(ctx, want.PersonID, want.Kind, want.Period)
		must(t, fmt.Sprintf("DeliveryByKey %s %s", want.Kind, want.Period), err)
		if d.ID == 0 {
			t.Errorf("planned delivery %s %s has no ID", want.Kind, want.Period)
		}
		w := *want
		w.ID = d.ID
		same(t, fmt.Sprintf("delivery %s %s created by PlanSchedules", want.Kind, want.Period), d, &w)
	}

	// A plan may leave schedules as they are: only UpdatedAt moves, and
	// they are due again.
	var kinds []schedKey
	leave := func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		kinds = kinds[:0]
		for _, sc := range scheds {
			kinds = append(kinds, keyOf(sc))
		}
		return nil, nil
	}
	n, err = s.PlanSchedules(ctx, at(30*time.Minute), 10, leave)
	must(t, "PlanSchedules", err)
	wantKeys := []schedKey{keyOf(other), {c2.ID, bot.DeliveryDaily}, {c2.ID, bot.DeliveryWeekly}}
	if n != 3 || len(kinds) != 3 || kinds[0] != wantKeys[0] ||
		!slices.Contains(kinds[1:], wantKeys[1]) || !slices.Contains(kinds[1:], wantKeys[2]) {
		t.Fatalf("second PlanSchedules: took %d: %v; want %v, earliest first", n, kinds, wantKeys)
	}
	wantSchedules(t, s, "client left as it was by a plan", c2.ID,
		sched(t, s, c2.ID, bot.DeliveryDaily, e2.ID, at(-time.Hour), "", at(30*time.Minute)),
		sched(t, s, c2.ID, bot.DeliveryWeekly, e2.ID, at(-time.Hour), "", at(30*time.Minute)))
	if n := planAway(t, s, at(30*time.Minute), at(48*time.Hour)); n != 3 {
		t.Errorf("PlanSchedules of schedules left due: took %d, want 3", n)
	}

	// Nothing due: plan is not called.
	n, err = s.PlanSchedules(ctx, at(30*time.Minute), 10, func([]*bot.Schedule) ([]*bot.Delivery, error) {
		t.Error("PlanSchedules called plan with nothing due")
		return nil, nil
	})
	must(t, "PlanSchedules", err)
	if n != 0 {
		t.Errorf("PlanSchedules with nothing due took %d", n)
	}

	// Later the third client is due; the suspended one never is.
	n, err = s.PlanSchedules(ctx, at(2*time.Hour), 10, leave)
	must(t, "PlanSchedules", err)
	if n != 2 || !slices.Contains(kinds, schedKey{c3.ID, bot.DeliveryDaily}) || !slices.Contains(kinds, schedKey{c3.ID, bot.DeliveryWeekly}) {
		t.Errorf("PlanSchedules at +2h took %d: %v; want the third client's two", n, kinds)
	}
	wantSchedules(t, s, "third client", c3.ID,
		sched(t, s, c3.ID, bot.DeliveryDaily, e3.ID, at(time.Hour), "", at(2*time.Hour)),
		sched(t, s, c3.ID, bot.DeliveryWeekly, e3.ID, at(time.Hour), "", at(2*time.Hour)))
	suspended := []*bot.Schedule{
		sched(t, s, c4.ID, bot.DeliveryDaily, e4.ID, time.Time{}, "", at(-29*time.Hour)),
		sched(t, s, c4.ID, bot.DeliveryWeekly, e4.ID, time.Time{}, "", at(-29*time.Hour)),
	}
	for _, sc := range suspended {
		sc.Suspended = "user_not_found"
	}
	wantSchedules(t, s, "suspended client", c4.ID, suspended...)
}

func testPlanSchedulesAtomic(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	before := map[int64][]*bot.Schedule{}
	for _, p := range []*bot.Person{f.Coach, f.Client} {
		sc, err := s.Schedules(ctx, p.ID)
		must(t, "Schedules", err)
		if len(sc) == 0 {
			t.Fatalf("test setup: person %d has no schedules", p.ID)
		}
		before[p.ID] = sc
	}
	unchanged := func(what string) {
		t.Helper()
		for id, want := range before {
			wantSchedules(t, s, what, id, want...)
		}
		_, err := s.DeliveryByKey(ctx, f.Client.ID, bot.DeliveryDaily, "2026-11-25")
		wantCode(t, what+": DeliveryByKey of a delivery the plan returned", err, bot.ENOTFOUND)
	}
	moveAndDeliver := func(scheds []*bot.Schedule) []*bot.Delivery {
		for _, sc := range scheds {
			sc.NextAt, sc.Period = at(24*time.Hour), "2026-11-26"
		}
		return []*bot.Delivery{{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryDaily,
			Period: "2026-11-25", DueAt: at(0)}}
	}

	// A plan's error is returned as it is, and nothing is stored.
	errPlan := errors.New("plan failed")
	n, err := s.PlanSchedules(ctx, at(0), 10, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		return moveAndDeliver(scheds), errPlan
	})
	if !errors.Is(err, errPlan) || n != 0 {
		t.Errorf("PlanSchedules whose plan failed: %d, %v; want 0 and the plan's error", n, err)
	}
	unchanged("after a plan failed")

	// So is a delivery the store cannot create.
	n, err = s.PlanSchedules(ctx, at(0), 10, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		return append(moveAndDeliver(scheds), &bot.Delivery{PersonID: missingID, Kind: bot.DeliveryDigest,
			Period: "2026-W48", DueAt: at(0)}), nil
	})
	wantCode(t, "PlanSchedules creating a delivery for a missing person", err, bot.ENOTFOUND)
	if n != 0 {
		t.Errorf("PlanSchedules that failed: took %d, want 0", n)
	}
	unchanged("after a delivery failed")

	// No limit, no plan.
	for _, limit := range []int{0, -1} {
		n, err := s.PlanSchedules(ctx, at(0), limit, func([]*bot.Schedule) ([]*bot.Delivery, error) {
			t.Errorf("PlanSchedules with limit %d called plan", limit)
			return nil, nil
		})
		must(t, "PlanSchedules", err)
		if n != 0 {
			t.Errorf("PlanSchedules with limit %d took %d", limit, n)
		}
	}
	unchanged("after a zero limit")

	// The failed plans held nothing: the schedules are there to take.
	n, err = s.PlanSchedules(ctx, at(0), 10, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
		return moveAndDeliver(scheds), nil
	})
	must(t, "PlanSchedules", err)
	if n != 3 {
		t.Errorf("PlanSchedules after failed ones took %d, want 3", n)
	}
	_, err = s.DeliveryByKey(ctx, f.Client.ID, bot.DeliveryDaily, "2026-11-25")
	must(t, "DeliveryByKey of the delivery planned", err)
}

func testPlanSchedulesConcurrent(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	for i := range 20 {
		newClient(t, s, f, fmt.Sprintf("UC%02d", i), bot.EngagementActive)
	}
	const due = 1 + 2*21 // the coach's digest, 21 clients' daily and weekly
	const workers, limit = 4, 3

	var (
		mu       sync.Mutex
		inFlight = map[schedKey]bool{}
		taken    = map[schedKey]int{}
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			<-start
			for range due {
				var mine []schedKey
				n, err := s.PlanSchedules(ctx, at(0), limit, func(scheds []*bot.Schedule) ([]*bot.Delivery, error) {
					mu.Lock()
					defer mu.Unlock()
					var ds []*bot.Delivery
					for _, sc := range scheds {
						k := keyOf(sc)
						if inFlight[k] {
							t.Errorf("schedule %v handed to two plans at once", k)
						}
						inFlight[k] = true
						taken[k]++
						mine = append(mine, k)
						sc.NextAt, sc.Period = at(24*time.Hour), "2026-11-26"
						ds = append(ds, &bot.Delivery{PersonID: sc.PersonID, EngagementID: sc.EngagementID, Kind: sc.Kind,
							Period: "2026-11-25", DueAt: at(0)})
					}
					return ds, nil
				})
				mu.Lock()
				for _, k := range mine {
					delete(inFlight, k)
				}
				mu.Unlock()
				if err != nil {
					t.Errorf("PlanSchedules: %v", err)
					return
				}
				if n != len(mine) || n > limit {
					t.Errorf("PlanSchedules with limit %d: took %d, gave plan %d", limit, n, len(mine))
				}
				if n == 0 {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()

	if len(taken) != due {
		t.Errorf("%d workers took %d distinct schedules, want %d", workers, len(taken), due)
	}
	for k, count := range taken {
		if count != 1 {
			t.Errorf("schedule %v taken %d times, want once", k, count)
		}
		d, err := s.DeliveryByKey(ctx, k.personID, k.kind, "2026-11-25")
		if err != nil || d.DueAt.IsZero() {
			t.Errorf("delivery planned for %v: %v", k, err)
		}
	}
	wantSchedules(t, s, "coach after concurrent plans", f.Coach.ID,
		sched(t, s, f.Coach.ID, bot.DeliveryDigest, 0, at(24*time.Hour), "2026-11-26", at(0)))
}
