package sqlite_test

import (
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t testing.TB) bot.Store {
		db, _ := open(t)
		return db
	})
}
