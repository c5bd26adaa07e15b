package teams

import (
	"cmp"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/smart90/smart90/bot"
)

// file renders an attachment. A bot cannot attach a file to a card (in a
// 1:1 chat Teams needs the file-consent flow, which asks the person first
// and uploads to their OneDrive), so the card names the file and its
// size, and shows a small text file (CSV or JSON up to 20 KB: the core's
// exports) behind a "Show" button, in monospace.
func (r *cardRenderer) file(f bot.File) cardPiece {
	name := cmp.Or(strings.TrimSpace(f.Name), "file")
	note := cardText{Type: "TextBlock", Wrap: true, Spacing: "Medium",
		Text: fmt.Sprintf("**%s** · %s", neutralizeTags(name), byteSize(len(f.Data)))}
	if !previewable(f) {
		if len(f.Data) > maxPreview {
			note.Text += " — too large to show here."
		}
		return r.piece(note, nil)
	}
	var lines []string
	for line := range strings.SplitSeq(strings.ReplaceAll(string(f.Data), "\r\n", "\n"), "\n") {
		body := strings.TrimLeft(line, " \t")
		indent := line[:len(line)-len(body)]
		n := strings.Count(indent, " ") + 4*strings.Count(indent, "\t")
		lines = append(lines, cmp.Or(strings.Repeat("\u00a0", n)+neutralizeTags(body), "\u00a0"))
	}
	content := cardText{Type: "TextBlock", Wrap: true, FontType: "Monospace",
		// "\n\n": Teams' markdown shows a single line break only
		// inside a list.
		Text: strings.Join(lines, "\n\n")}
	show := cardActionSet{Type: "ActionSet", Actions: []cardAction{{Type: "Action.ShowCard", Title: "Show " + name,
		Card: &shownCard{Type: "AdaptiveCard", Body: []any{content}}}}}
	p := r.piece(cardContainer{Type: "Container", Items: []any{note, show}, Spacing: "Medium"}, nil)
	if emptyCardSize+p.size > maxCardJSON {
		// Under 20 KB, but not once encoded (quotes and line breaks
		// escaped): name it only.
		note.Text += " — too large to show here."
		return r.piece(note, nil)
	}
	return p
}

// previewable reports whether f is a CSV or JSON text small enough to show.
func previewable(f bot.File) bool {
	if len(f.Data) == 0 || len(f.Data) > maxPreview || !utf8.Valid(f.Data) {
		return false
	}
	ct, _, _ := strings.Cut(strings.ToLower(f.ContentType), ";")
	switch strings.TrimSpace(ct) {
	case "text/csv", "application/json":
		return true
	}
	switch strings.ToLower(path.Ext(f.Name)) {
	case ".csv", ".json":
		return true
	}
	return false
}

// byteSize is n bytes for people: "512 bytes", "3.2 KB", "1.5 MB".
func byteSize(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}
