// Attached files and images, written to disk because a terminal cannot
// show them.

package console

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/smart90/smart90/bot"
)

// writeFile writes f into the recipient's directory under FilesDir and
// returns its path. Exports hold personal data, so only the owner may read.
func (c *Console) writeFile(recipient string, f bot.File) (string, error) {
	dir := filepath.Join(c.filesDir, safeName(recipient, "someone"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create directory: %w", err)
	}
	path := filepath.Join(dir, safeName(f.Name, "attachment"))
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		return "", fmt.Errorf("write file: %w", err)
	}
	return path, nil
}

// safeName returns the last element of name, or fallback when that is not
// a usable file name, so a file name cannot climb out of its directory.
func safeName(name, fallback string) string {
	base := filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if base == "." || base == ".." || base == "/" || base == "" {
		return fallback
	}
	return base
}
