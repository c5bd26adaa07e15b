package loadtest

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/smart90/smart90/scheduler"
)

// Step is one timed Scheduler.Plan followed by one timed Scheduler.Drain.
type Step struct {
	Planned int           // deliveries planned
	Plan    time.Duration // how long planning them took
	Sent    int           // deliveries drained
	Drain   time.Duration // how long draining them took
}

// PlanRate is the deliveries planned per second.
func (s Step) PlanRate() float64 { return float64(s.Planned) / s.Plan.Seconds() }

// DrainRate is the deliveries drained per second.
func (s Step) DrainRate() float64 { return float64(s.Sent) / s.Drain.Seconds() }

// PlanDrain plans what is due with sched, then drains it (TimePlan, then
// TimeDrain). It fails when fewer deliveries are drained than planned.
func PlanDrain(ctx context.Context, sched *scheduler.Scheduler, profile string) (Step, error) {
	var st Step
	var err error
	if st.Planned, st.Plan, err = TimePlan(ctx, sched, profile); err != nil {
		return st, err
	}
	if st.Sent, st.Drain, err = TimeDrain(ctx, sched, profile); err != nil {
		return st, err
	}
	if st.Sent != st.Planned {
		return st, fmt.Errorf("drained %d of %d planned", st.Sent, st.Planned)
	}
	return st, nil
}

// TimePlan runs sched.Plan and times it. When profile is not empty, the
// CPU profile of planning is written to profile+".plan" (go tool pprof
// reads it).
func TimePlan(ctx context.Context, sched *scheduler.Scheduler, profile string) (int, time.Duration, error) {
	return timed(profile, "plan", func() (int, error) { return sched.Plan(ctx) })
}

// TimeDrain runs sched.Drain and times it. When profile is not empty, the
// CPU profile of draining is written to profile+".drain".
func TimeDrain(ctx context.Context, sched *scheduler.Scheduler, profile string) (int, time.Duration, error) {
	return timed(profile, "drain", func() (int, error) { return sched.Drain(ctx) })
}

func timed(profile, what string, f func() (int, error)) (int, time.Duration, error) {
	stop, err := startProfile(profile, what)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	n, err := f()
	took := time.Since(start)
	stop()
	return n, took, err
}

// startProfile starts a CPU profile written to prefix+"."+what, or nothing
// when prefix is empty; stop ends it.
func startProfile(prefix, what string) (stop func(), err error) {
	if prefix == "" {
		return func() {}, nil
	}
	f, err := os.Create(prefix + "." + what)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
