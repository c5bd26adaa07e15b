// Command smart90 is the smart90 coaching bot: one binary that runs the
// service, the local console chat, and the migrations.
//
//	smart90 serve     the scheduler, senders and HTTP server (/healthz, /readyz, /metrics)
//	smart90 chat      a terminal chat on the embedded default (SQLite file)
//	smart90 migrate   apply the database migrations and exit
//	smart90 backup    copy the embedded SQLite database while serve runs
//	smart90 healthcheck  exit 0 when serve is ready (the container's health check)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // zones work on machines without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "smart90:", err)
		os.Exit(1)
	}
}

// usage is printed by `smart90 help` and on a bad command line.
const usage = `smart90 — the execution layer between coaching sessions

Usage:
  smart90 serve [flags]     run the service: scheduler, senders, HTTP (/healthz /readyz /metrics)
  smart90 chat [flags]      chat in the terminal as a coach and clients (embedded default)
  smart90 migrate [flags]   apply database migrations and exit
  smart90 teams-package     write the Teams app package (-o smart90-teams.zip)
  smart90 chart-demo        write the sample charts README shows (-out docs)
  smart90 backup FILE       copy the embedded SQLite database to FILE, also while serve runs
  smart90 healthcheck [url] exit 0 when serve is ready (default http://127.0.0.1:8080/readyz)
  smart90 help              this text

Run "smart90 <command> -h" for a command's flags. Configuration comes from
flags or the environment: SMART90_DATABASE_URL (postgres://…; unset = the
SQLite file given by -sqlite), SMART90_REDIS_URL (unset = in-process, one
replica), SMART90_HTTP_ADDR, SMART90_SEND_RATE, SMART90_GRACE.
`

// Run runs the command line args; end-to-end tests call it directly so
// they drive the real wiring.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr, getenv)
	case "chat":
		return runChat(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr, getenv)
	case "teams-package":
		return runTeamsPackage(ctx, args[1:], stdout, stderr, getenv)
	case "chart-demo":
		return runChartDemo(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr, getenv)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
