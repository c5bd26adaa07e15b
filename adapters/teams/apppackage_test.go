package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

const packageAppID = "8a3f0c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b"

// unzipPackage writes the package for cfg and returns its files by name.
func unzipPackage(t *testing.T, cfg PackageConfig) map[string][]byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePackage(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	return files
}

// jsonPath walks a path of keys and indexes into decoded JSON.
func jsonPath(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			a, _ := v.([]any)
			if p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}

func TestPackage(t *testing.T) {
	t.Parallel()
	files := unzipPackage(t, PackageConfig{AppID: packageAppID, WebsiteURL: "https://smart90.example.com/"})
	if len(files) != 3 || files["manifest.json"] == nil || files["color.png"] == nil || files["outline.png"] == nil {
		t.Fatalf("files in the package: %d", len(files))
	}
	var m map[string]any
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	// The schema's required fields, and what smart90 sets.
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"$schema"}, "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"},
		{[]any{"manifestVersion"}, "1.22"},
		{[]any{"version"}, "1.0.0"},
		{[]any{"id"}, packageAppID},
		{[]any{"developer", "name"}, "smart90"},
		{[]any{"developer", "websiteUrl"}, "https://smart90.example.com"},
		{[]any{"developer", "privacyUrl"}, "https://smart90.example.com/privacy"},
		{[]any{"developer", "termsOfUseUrl"}, "https://smart90.example.com/terms"},
		{[]any{"name", "short"}, "smart90"},
		{[]any{"icons", "color"}, "color.png"},
		{[]any{"icons", "outline"}, "outline.png"},
		{[]any{"bots", 0, "botId"}, packageAppID},
		{[]any{"bots", 0, "supportsFiles"}, true},
		{[]any{"bots", 0, "isNotificationOnly"}, false},
		{[]any{"bots", 0, "scopes", 0}, "personal"},
		{[]any{"bots", 0, "scopes", 1}, "team"},
		{[]any{"permissions", 0}, "identity"},
		{[]any{"permissions", 1}, "messageTeamMembers"},
		{[]any{"validDomains", 0}, "smart90.example.com"},
	} {
		if got := jsonPath(m, tt.path...); got != tt.want {
			t.Errorf("%v = %v, want %v", tt.path, got, tt.want)
		}
	}
	if c, _ := m["accentColor"].(string); len(c) != 7 || c[0] != '#' || strings.Trim(c[1:], "0123456789abcdefABCDEF") != "" {
		t.Errorf("accentColor %q", m["accentColor"])
	}
	// Lengths within the schema's limits.
	for _, tt := range []struct {
		path []any
		max  int
	}{
		{[]any{"name", "short"}, 30}, {[]any{"name", "full"}, 100}, {[]any{"developer", "name"}, 32},
		{[]any{"description", "short"}, 80}, {[]any{"description", "full"}, 4000},
	} {
		s, _ := jsonPath(m, tt.path...).(string)
		if n := utf8.RuneCountInString(s); n == 0 || n > tt.max {
			t.Errorf("%v is %d characters, want 1 to %d", tt.path, n, tt.max)
		}
	}
	lists, _ := jsonPath(m, "bots", 0, "commandLists").([]any)
	if len(lists) == 0 || len(lists) > 3 {
		t.Fatalf("%d command lists", len(lists))
	}
	known := strings.Fields("help invite digest clients session sessions calendar brief end rocks checkin weekly settings pause history export forget-me")
	for i := range lists {
		cmds, _ := jsonPath(lists[i], "commands").([]any)
		if len(cmds) == 0 || len(cmds) > 10 {
			t.Errorf("command list %d has %d commands, want 1 to 10", i, len(cmds))
		}
		if scopes, _ := jsonPath(lists[i], "scopes").([]any); len(scopes) == 0 {
			t.Errorf("command list %d has no scope", i)
		}
		for _, c := range cmds {
			title, _ := jsonPath(c, "title").(string)
			desc, _ := jsonPath(c, "description").(string)
			if !strings.Contains(" "+strings.Join(known, " ")+" ", " "+title+" ") || desc == "" || len(title) > 128 || len(desc) > 4000 {
				t.Errorf("command %q: %q", title, desc)
			}
		}
	}

	color := decodePNG(t, files["color.png"], 192)
	if _, _, _, a := color.At(96, 96).RGBA(); a != 0xffff {
		t.Errorf("the colour icon is not opaque in the middle")
	}
	outline := decodePNG(t, files["outline.png"], 32)
	white, clear := 0, 0
	for y := range 32 {
		for x := range 32 {
			r, g, b, a := outline.At(x, y).RGBA()
			switch {
			case a == 0:
				clear++
			case r == a && g == a && b == a: // premultiplied: white at any opacity
				white++
			default:
				t.Fatalf("outline.png pixel (%d, %d) is %v, not white or transparent", x, y, outline.At(x, y))
			}
		}
	}
	if white < 100 || clear < 300 {
		t.Errorf("outline.png: %d white and %d transparent pixels", white, clear)
	}
	for x := range 32 { // the 1-pixel border is empty
		for _, p := range [][2]int{{x, 0}, {x, 31}, {0, x}, {31, x}} {
			if _, _, _, a := outline.At(p[0], p[1]).RGBA(); a != 0 {
				t.Errorf("outline.png has ink at the border (%d, %d)", p[0], p[1])
			}
		}
	}

	// The same configuration makes the same bytes.
	var a, b bytes.Buffer
	cfg := PackageConfig{AppID: packageAppID, WebsiteURL: "https://smart90.example.com"}
	if WritePackage(&a, cfg) != nil || WritePackage(&b, cfg) != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two packages of the same configuration differ")
	}
}

// decodePNG decodes a PNG and checks that it is size×size.
func decodePNG(t *testing.T, b []byte, size int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != size || r.Dy() != size {
		t.Fatalf("icon is %dx%d, want %dx%d", r.Dx(), r.Dy(), size, size)
	}
	return img
}

func TestManifestConfig(t *testing.T) {
	t.Parallel()
	m, err := Manifest(PackageConfig{AppID: strings.ToUpper(packageAppID), Name: "Acme Coaching", Version: "2.3.10",
		Developer: "Acme", WebsiteURL: "https://coach.acme.test:8443/smart90", PrivacyURL: "https://acme.test/privacy",
		ValidDomains: []string{"coach.acme.test", "*.acme.test"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path []any
		want any
	}{
		{[]any{"id"}, strings.ToUpper(packageAppID)},
		{[]any{"version"}, "2.3.10"},
		{[]any{"name", "short"}, "Acme Coaching"},
		{[]any{"name", "full"}, "Acme Coaching"},
		{[]any{"developer", "name"}, "Acme"},
		{[]any{"developer", "websiteUrl"}, "https://coach.acme.test:8443/smart90"},
		{[]any{"developer", "privacyUrl"}, "https://acme.test/privacy"},
		{[]any{"developer", "termsOfUseUrl"}, "https://coach.acme.test:8443/smart90/terms"},
	} {
		if got := jsonPath(toJSONValue(t, m), tt.path...); got != tt.want {
			t.Errorf("%v = %v, want %v", tt.path, got, tt.want)
		}
	}
	if d := m["validDomains"].([]string); len(d) != 2 || d[1] != "*.acme.test" {
		t.Errorf("validDomains %v", d)
	}
	// Without them, the website's host alone (no port).
	m, err = Manifest(PackageConfig{AppID: packageAppID, WebsiteURL: "https://coach.acme.test:8443/smart90"})
	if err != nil || strings.Join(m["validDomains"].([]string), ",") != "coach.acme.test" {
		t.Errorf("validDomains %v, %v", m["validDomains"], err)
	}
}

// toJSONValue is v decoded from its JSON.
func toJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPackageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  PackageConfig
		want string
	}{
		{"no app id", PackageConfig{WebsiteURL: "https://x.example"}, "no app id"},
		{"app id not a GUID", PackageConfig{AppID: "<<YOUR-MICROSOFT-APP-ID>>", WebsiteURL: "https://x.example"}, "is not a GUID"},
		{"app id too short", PackageConfig{AppID: packageAppID[:35], WebsiteURL: "https://x.example"}, "is not a GUID"},
		{"no website", PackageConfig{AppID: packageAppID}, "no website URL"},
		{"http website", PackageConfig{AppID: packageAppID, WebsiteURL: "http://x.example"}, "not an https URL"},
		{"website without host", PackageConfig{AppID: packageAppID, WebsiteURL: "https:///path"}, "not an https URL"},
		{"website not a URL", PackageConfig{AppID: packageAppID, WebsiteURL: "x.example"}, "not an https URL"},
		{"http privacy", PackageConfig{AppID: packageAppID, WebsiteURL: "https://x.example", PrivacyURL: "http://x.example/p"}, "privacy URL"},
		{"long name", PackageConfig{AppID: packageAppID, WebsiteURL: "https://x.example", Name: strings.Repeat("n", 31)}, "Teams allows 30"},
		{"long developer", PackageConfig{AppID: packageAppID, WebsiteURL: "https://x.example", Developer: strings.Repeat("d", 33)}, "Teams allows 32"},
		{"bad version", PackageConfig{AppID: packageAppID, WebsiteURL: "https://x.example", Version: "1.0"}, "MAJOR.MINOR.PATCH"},
		{"bad domain", PackageConfig{AppID: packageAppID, WebsiteURL: "https://x.example", ValidDomains: []string{"https://x.example/"}}, "not a host name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Manifest(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Manifest error %v, want one saying %q", err, tt.want)
			}
			var buf bytes.Buffer
			if err := WritePackage(&buf, tt.cfg); err == nil || buf.Len() != 0 {
				t.Errorf("WritePackage: %v, %d bytes written", err, buf.Len())
			}
		})
	}
}
