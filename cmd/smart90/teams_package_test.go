package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testTeamsAppID = "8a3f0c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b"

// runTeamsPackageCmd runs `smart90 teams-package args` with only vars in
// the environment.
func runTeamsPackageCmd(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errs bytes.Buffer
	err = Run(context.Background(), append([]string{"teams-package"}, args...), strings.NewReader(""), &out, &errs,
		func(k string) string { return vars[k] })
	return out.String(), errs.String(), err
}

func TestTeamsPackage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "smart90-teams.zip")
	out, errs, err := runTeamsPackageCmd(t,
		map[string]string{"MICROSOFT_APP_ID": testTeamsAppID, "SMART90_PUBLIC_URL": "https://smart90.example.com"},
		"-o", zipPath, "-version", "1.2.0")
	if err != nil {
		t.Fatalf("teams-package: %v\n%s", err, errs)
	}
	if !strings.Contains(out, "wrote "+zipPath) || !strings.Contains(out, "Upload new app") || !strings.Contains(out, "Upload an app") {
		t.Errorf("output:\n%s", out)
	}
	z, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var names []string
	var manifest map[string]any
	for _, f := range z.File {
		names = append(names, f.Name)
		if f.Name == "manifest.json" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if err := json.Unmarshal(b, &manifest); err != nil {
				t.Fatalf("manifest.json: %v", err)
			}
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"color.png", "manifest.json", "outline.png"}) {
		t.Errorf("files in the zip: %q", names)
	}
	if manifest["id"] != testTeamsAppID || manifest["version"] != "1.2.0" {
		t.Errorf("manifest id %v, version %v", manifest["id"], manifest["version"])
	}
	// Nothing else is left in the directory (no temporary file).
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory", len(entries))
	}

	// Flags override the environment.
	zipPath = filepath.Join(dir, "other.zip")
	other := "11111111-2222-3333-4444-555555555555"
	if _, errs, err := runTeamsPackageCmd(t,
		map[string]string{"MICROSOFT_APP_ID": "not-a-guid", "SMART90_PUBLIC_URL": "http://insecure.example"},
		"-o", zipPath, "-app-id", other, "-public-url", "https://smart90.example.org"); err != nil {
		t.Fatalf("teams-package with flags: %v\n%s", err, errs)
	}
	if b, err := os.ReadFile(zipPath); err != nil || !bytes.Contains(b, []byte("manifest.json")) {
		t.Errorf("other.zip: %v", err)
	}
}

func TestTeamsPackageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"no app id", map[string]string{"SMART90_PUBLIC_URL": "https://smart90.example.com"}, nil, "no app id: set MICROSOFT_APP_ID or pass -app-id"},
		{"app id not a GUID", map[string]string{"MICROSOFT_APP_ID": "smart90", "SMART90_PUBLIC_URL": "https://smart90.example.com"}, nil, "is not a GUID"},
		{"no public URL", map[string]string{"MICROSOFT_APP_ID": testTeamsAppID}, nil, "no public URL: set SMART90_PUBLIC_URL or pass -public-url"},
		{"http public URL", map[string]string{"MICROSOFT_APP_ID": testTeamsAppID, "SMART90_PUBLIC_URL": "http://smart90.example.com"}, nil, "not an https URL"},
		{"argument", nil, []string{"extra"}, "takes no arguments"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			_, _, err := runTeamsPackageCmd(t, tt.vars, append([]string{"-o", filepath.Join(dir, "p.zip")}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a failed run left %d files", len(entries))
			}
		})
	}
}
