package bot_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// statements counts the statements a PostgreSQL store sends: each query,
// and each statement of a batch (BEGIN and COMMIT included).
type statements struct{ n atomic.Int64 }

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	s.n.Add(1)
	return ctx
}
func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (s *statements) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (s *statements) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) { s.n.Add(1) }
func (s *statements) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// maxDMAnswerStatements is what one plain answer to an open check-in may
// cost on PostgreSQL. It was 10 before the answer reused the engagement
// and check-in that finding the open prompt had read (issue 12).
const maxDMAnswerStatements = 8

// TestStatementsPerDMAnswer counts the statements of the busiest path, a
// client's plain reply to their check-in: find the person, the open
// prompt, save the answer, ask the next question.
func TestStatementsPerDMAnswer(t *testing.T) {
	t.Parallel()
	var st statements
	b := bottest.SetupWith(t, bottest.Options{Store: pgtest.New(t, postgres.WithTracer(&st))})
	b.Engage(t, coach, ana)
	b.Command(t, ana, "rocks add Launch the pricing page | live and announced")
	mondayPrompt(t, b)
	for i, answer := range []string{"shipped the pricing draft", "1 send the offer to Sam"} {
		before := st.n.Load()
		out := b.Say(t, ana, answer)
		n := st.n.Load() - before
		t.Logf("answer %d: %d statements", i+1, n)
		has(t, out, []string{"*2/4*", "*3/4*"}[i])
		if n > maxDMAnswerStatements {
			t.Errorf("answer %d took %d statements, want at most %d", i+1, n, maxDMAnswerStatements)
		}
	}
	if c := checkIn(t, b, b.Engagement(t, ana), mon23); c.Moved != "shipped the pricing draft" || c.Priority == "" {
		t.Errorf("stored check-in = %+v", c)
	}
}
