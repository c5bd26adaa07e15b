package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/smart90/smart90/adapters/teams"
)

// runTeamsPackage writes the Teams app package: the zip a Teams admin
// uploads to install smart90 in a tenant.
func runTeamsPackage(_ context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("teams-package", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "smart90-teams.zip", "the zip file to write")
	appID := fs.String("app-id", getenv("MICROSOFT_APP_ID"), "the bot's Microsoft App ID, a GUID (env MICROSOFT_APP_ID)")
	publicURL := fs.String("public-url", getenv("SMART90_PUBLIC_URL"), "the https address smart90 is reached at, the app's website (env SMART90_PUBLIC_URL)")
	privacyURL := fs.String("privacy-url", getenv("SMART90_PRIVACY_URL"), "the privacy statement's https address (env SMART90_PRIVACY_URL; default the website's /privacy)")
	termsURL := fs.String("terms-url", getenv("SMART90_TERMS_URL"), "the terms of use's https address (env SMART90_TERMS_URL; default the website's /terms)")
	version := fs.String("version", "1.0.0", "the app's version; raise it to upload a changed package over an installed one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("teams-package takes no arguments, got %q", fs.Args())
	}
	if *appID == "" {
		return errors.New("teams-package: no app id: set MICROSOFT_APP_ID or pass -app-id (the Microsoft App ID of smart90's Azure Bot, a GUID)")
	}
	if *publicURL == "" {
		return errors.New("teams-package: no public URL: set SMART90_PUBLIC_URL or pass -public-url (the https address smart90 is reached at)")
	}
	cfg := teams.PackageConfig{AppID: *appID, WebsiteURL: *publicURL, Version: *version, PrivacyURL: *privacyURL, TermsURL: *termsURL}
	// Check before creating the file, so a bad configuration leaves nothing.
	if _, err := teams.Manifest(cfg); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error { return teams.WritePackage(w, cfg) }); err != nil {
		return fmt.Errorf("teams-package: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: the Teams app package (manifest %s, app id %s, version %s, website %s)\n",
		*out, teams.ManifestVersion, *appID, *version, *publicURL)
	fmt.Fprintln(stdout, "next: upload it in the Teams admin center → Teams apps → Manage apps → Upload new app,")
	fmt.Fprintln(stdout, "      or in Teams: Apps → Manage your apps → Upload an app.")
	return nil
}

// writeFileAtomic writes name through write, replacing it only once the
// whole file is written.
func writeFileAtomic(name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // once renamed, this fails harmlessly
	err = cmp.Or(write(f), f.Chmod(0o644))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
