package postgres_test

import (
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/storetest"
)

// TestStore runs the store conformance suite, each test on a schema of its
// own.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t testing.TB) bot.Store { return pgtest.New(t) })
}
