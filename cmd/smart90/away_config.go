// The out-of-office words of serve and chat (SMART90_AWAY_WORDS).

package main

import (
	"flag"
	"strings"

	"github.com/smart90/smart90/bot"
)

// awayWords is the -away-words flag: the emoji and words of a chat status
// that mean out of office, comma-separated; they replace
// bot.DefaultAwayWords. Empty keeps the default.
type awayWords []string

func (w *awayWords) String() string { return strings.Join(*w, ",") }

func (w *awayWords) Set(s string) error {
	*w = bot.ParseAwayWords(s)
	return nil
}

// bindAwayWords registers -away-words on fs, from SMART90_AWAY_WORDS by
// default, into w.
func bindAwayWords(fs *flag.FlagSet, getenv func(string) string, w *awayWords) {
	*w = bot.ParseAwayWords(getenv("SMART90_AWAY_WORDS"))
	fs.Var(w, "away-words", "what a chat status says when its person is out of office, comma-separated: emoji (:palm_tree:) or words matched whole in its text (env SMART90_AWAY_WORDS; default "+
		strings.Join(bot.DefaultAwayWords, ",")+")")
}
