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

// PlanDrain plans what is due with sched, then drains it, and times each.
// When profile is not empty, the CPU profile of planning is written to
// profile+".plan" and that of draining to profile+".drain" (go tool pprof
// reads them). It fails when fewer deliveries are drained than planned.
func PlanDrain(ctx context.Context, sched *scheduler.Scheduler, profile string) (Step, error) {
	var st Step
	stop, err := startProfile(profile, "plan")
	if err != nil {
		return st, err
	}
	start := time.Now()
	st.Planned, err = sched.Plan(ctx)
	st.Plan = time.Since(start)
	stop()
	if err != nil {
		return st, err
	}
	if stop, err = startProfile(profile, "drain"); err != nil {
		return st, err
	}
	start = time.Now()
	st.Sent, err = sched.Drain(ctx)
	st.Drain = time.Since(start)
	stop()
	if err != nil {
		return st, err
	}
	if st.Sent != st.Planned {
		return st, fmt.Errorf("drained %d of %d planned", st.Sent, st.Planned)
	}
	return st, nil
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
