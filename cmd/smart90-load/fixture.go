package main

import (
	"context"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"

	"github.com/smart90/smart90/loadtest"
	"github.com/smart90/smart90/store/postgres"
)

// openFresh opens a migrated store in a fresh schema of c's PostgreSQL
// (loadtest.OpenFresh).
func openFresh(ctx context.Context, c config, log *slog.Logger, extra string) (db *postgres.DB, dbURL string, cleanup func(), err error) {
	return loadtest.OpenFresh(ctx, c.DatabaseURL, log, extra)
}

// deletePrefix deletes the Redis keys under prefix, the scenario's own.
func deletePrefix(url, prefix string) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		return
	}
	rdb := goredis.NewClient(o)
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}
