// smart90 healthcheck: the container's health check, which cannot use curl
// in a distroless image.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

// defaultHealthURL is where `smart90 healthcheck` asks when given no URL:
// serve's readiness on its default address.
const defaultHealthURL = "http://127.0.0.1:8080/readyz"

// healthTimeout bounds the whole check.
const healthTimeout = 2 * time.Second

// runHealthcheck GETs the URL given (default /readyz on 127.0.0.1:8080) and
// succeeds only on a 2xx answer within healthTimeout; anything else is an
// error, so the process exits 1.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: smart90 healthcheck [url]   (default %s; exits 1 unless it answers 2xx within %s)\n", defaultHealthURL, healthTimeout)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errors.New("healthcheck: one URL at most")
	}
	url := defaultHealthURL
	if fs.NArg() == 1 {
		url = fs.Arg(0)
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("healthcheck %s: %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
