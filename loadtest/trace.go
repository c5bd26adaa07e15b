package loadtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Statements is a pgx tracer (postgres.WithTracer) that counts the
// statements a store sends and the time each kind took, from send to
// result: where the time of a step goes on the database side. Batches
// count once each statement. It is safe for concurrent use.
type Statements struct {
	mu sync.Mutex
	by map[string]*statementStats
}

type statementStats struct {
	n    int
	took time.Duration
}

var (
	_ pgx.QueryTracer = (*Statements)(nil)
	_ pgx.BatchTracer = (*Statements)(nil)
)

type traceKey struct{}

// TraceQueryStart implements pgx.QueryTracer.
func (s *Statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, traceKey{}, traceStart{sql: d.SQL, at: time.Now()})
}

// TraceQueryEnd implements pgx.QueryTracer.
func (s *Statements) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if st, ok := ctx.Value(traceKey{}).(traceStart); ok {
		s.add(st.sql, time.Since(st.at))
	}
}

// TraceBatchStart implements pgx.BatchTracer.
func (s *Statements) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return context.WithValue(ctx, traceKey{}, traceStart{sql: "(batch)", at: time.Now()})
}

// TraceBatchQuery implements pgx.BatchTracer: each statement of a batch
// is counted; the batch's time goes to the batch as a whole.
func (s *Statements) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	s.add(d.SQL, 0)
}

// TraceBatchEnd implements pgx.BatchTracer.
func (s *Statements) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	if st, ok := ctx.Value(traceKey{}).(traceStart); ok {
		s.add(st.sql, time.Since(st.at))
	}
}

type traceStart struct {
	sql string
	at  time.Time
}

func (s *Statements) add(sql string, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[string]*statementStats{}
	}
	st := s.by[sql]
	if st == nil {
		st = &statementStats{}
		s.by[sql] = st
	}
	st.n++
	st.took += took
}

// Reset forgets what was counted.
func (s *Statements) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.by = nil
}

// Report writes the statements counted since the last Reset, the longest
// total first, as a Markdown table with the count per item when items
// is not zero.
func (s *Statements) Report(w io.Writer, items int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type line struct {
		sql string
		statementStats
	}
	var lines []line
	for sql, st := range s.by {
		lines = append(lines, line{sql, *st})
	}
	slices.SortFunc(lines, func(a, b line) int { return cmp.Or(cmp.Compare(b.took, a.took), cmp.Compare(a.sql, b.sql)) })
	fmt.Fprintln(w, "| statement | count | per item | total time |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	for _, l := range lines {
		per := ""
		if items > 0 {
			per = fmt.Sprintf("%.3f", float64(l.n)/float64(items))
		}
		fmt.Fprintf(w, "| `%s` | %d | %s | %.2fs |\n", shortSQL(l.sql), l.n, per, l.took.Seconds())
	}
	fmt.Fprintln(w)
}

// shortSQL is a statement's first 90 characters on one line.
func shortSQL(sql string) string {
	sql = strings.Join(strings.Fields(sql), " ")
	if len(sql) > 90 {
		sql = sql[:90] + "…"
	}
	return strings.ReplaceAll(sql, "|", "\\|")
}
