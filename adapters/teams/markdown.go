package teams

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/smart90/smart90/bot"
)

// text renders one text of the core (Text, or a section when section is
// set) as TextBlocks: one per line, or per run of list items, so that line
// breaks show as the core wrote them (Teams' markdown joins the lines of a
// paragraph); a blank line starts a paragraph (more space above), and a
// section starts under a separator line.
func (r *cardRenderer) text(s string, section bool) []cardPiece {
	var out []cardPiece
	first := true // the next block starts a paragraph
	var run []string
	var runKind cardLineKind
	flush := func() {
		if len(run) == 0 {
			return
		}
		spacing, sep := "None", false
		switch {
		case first && len(out) == 0 && section:
			spacing, sep = "Medium", true
		case first && len(out) == 0:
			spacing = ""
		case first:
			spacing = "Medium"
		}
		out = append(out, r.block(run, runKind, spacing, sep)...)
		run, first = nil, false
	}
	for line := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			first = true
			continue
		}
		kind, line := classifyLine(line)
		if len(run) > 0 && (kind == plainLine || kind != runKind) {
			flush()
		}
		run, runKind = append(run, line), kind
	}
	flush()
	return out
}

// cardLineKind is how a line of the core's text is laid out.
type cardLineKind int

const (
	plainLine    cardLineKind = iota // a line of its own
	bulletLine                       // "- item", consecutive ones make a list
	numberedLine                     // "1. item", likewise
)

var numberedItem = regexp.MustCompile(`^[0-9]{1,9}[.)] `)

// classifyLine tells a line's kind and returns it ready for the markdown: "• "
// bullets become "- " list items, and the leading indentation of a plain
// line becomes no-break spaces, since markdown would drop it (or, at four
// spaces, take the line for preformatted text, which Teams does not show).
func classifyLine(line string) (cardLineKind, string) {
	body := strings.TrimLeft(line, " \t")
	switch {
	case strings.HasPrefix(body, "• "):
		return bulletLine, "- " + body[len("• "):]
	case strings.HasPrefix(body, "- "), strings.HasPrefix(body, "* "), strings.HasPrefix(body, "+ "):
		return bulletLine, body
	case numberedItem.MatchString(body):
		return numberedLine, body
	}
	indent := line[:len(line)-len(body)]
	n := strings.Count(indent, " ") + 4*strings.Count(indent, "\t")
	return plainLine, strings.Repeat("\u00a0", n) + body
}

// block renders lines of one kind as one TextBlock, or several when it
// would be too large for a card: a list is split between items, a line
// between words.
func (r *cardRenderer) block(lines []string, kind cardLineKind, spacing string, separator bool) []cardPiece {
	var mentions []cardMention
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i], mentions = r.inline(l, mentions)
	}
	p := r.piece(cardText{Type: "TextBlock", Text: strings.Join(texts, "\n"), Wrap: true, Spacing: spacing, Separator: separator}, mentions)
	if p.size <= maxPieceJSON {
		return []cardPiece{p}
	}
	if len(lines) > 1 {
		half := len(lines) / 2
		return append(r.block(lines[:half], kind, spacing, separator), r.block(lines[half:], kind, "None", false)...)
	}
	// The second half of a list item continues its text: a plain line.
	a, b := halveLine(lines[0])
	return append(r.block([]string{a}, kind, spacing, separator), r.block([]string{b}, plainLine, "None", false)...)
}

// halveLine cuts s in two near its middle: after a space if there is one in
// its second quarter, else between two runes; neither half is empty.
func halveLine(s string) (string, string) {
	mid := len(s) / 2
	for mid < len(s) && !utf8.RuneStart(s[mid]) {
		mid++
	}
	if i := strings.LastIndexByte(s[:mid], ' '); i > len(s)/4 {
		mid = i + 1
	}
	if mid == 0 || mid == len(s) {
		_, w := utf8.DecodeRuneInString(s)
		mid = w
	}
	return s[:mid], s[mid:]
}

// codeToken matches `code` in the core's text.
var codeToken = regexp.MustCompile("`[^`\n]+`")

// inline converts one line of the core's markdown to Teams' and adds the
// mentions it needs to mentions:
//
//   - *bold* becomes **bold** (Teams reads *x* as italic); _italic_ stays.
//   - `code` becomes “code”: Teams' Adaptive Cards show no code or
//     preformatted text (their markdown has bold, italic, lists and links
//     only), and the quotes keep "type exactly this" readable.
//   - The core's mention of a person (bot.MentionPerson) becomes
//     <at>Name</at>, which Teams turns into a mention with the card's
//     entity, when Names has the person; else "someone".
//   - The core's link to a channel becomes #Name, or "the channel".
//   - Everything else is text, whoever wrote it: every "<" and "&" is
//     followed by an invisible zero-width space, so that a typed
//     "<at>x</at>", "&lt;at&gt;" or HTML tag (an answer quoted in a
//     digest) is shown as typed and never becomes a mention, and so is
//     every "](", so that a typed [disguise](https://…) is not a link.
//
// Nothing else is escaped: what people type in markdown emphasis shows as
// emphasis, as it does in Slack.
func (r *cardRenderer) inline(line string, mentions []cardMention) (string, []cardMention) {
	// The line as cells: a rune of text, or (rune < 0) one of the tokens,
	// which stay whole while *bold* is paired around them.
	type cell struct {
		r   rune
		tok int
	}
	type token struct {
		code string   // `code`, or
		ref  bot.Span // a reference
	}
	var cells []cell
	var toks []token
	addText := func(s string) {
		for _, c := range s {
			cells = append(cells, cell{r: c})
		}
	}
	for sp := range bot.Spans(line) {
		if sp.Ref != bot.RefNone {
			cells = append(cells, cell{r: -1, tok: len(toks)})
			toks = append(toks, token{ref: sp})
			continue
		}
		last := 0
		for _, loc := range codeToken.FindAllStringIndex(sp.Text, -1) {
			addText(sp.Text[last:loc[0]])
			cells = append(cells, cell{r: -1, tok: len(toks)})
			toks = append(toks, token{code: sp.Text[loc[0]:loc[1]]})
			last = loc[1]
		}
		addText(sp.Text[last:])
	}

	word := func(i int) bool {
		return i >= 0 && i < len(cells) && (cells[i].r < 0 || unicode.IsLetter(cells[i].r) || unicode.IsDigit(cells[i].r))
	}
	space := func(i int) bool { return i < 0 || i >= len(cells) || cells[i].r >= 0 && unicode.IsSpace(cells[i].r) }
	star := func(i int) bool { return i >= 0 && i < len(cells) && cells[i].r == '*' }
	bold := map[int]bool{}
	for i := 0; i < len(cells); i++ {
		if !star(i) || word(i-1) || space(i+1) || star(i+1) {
			continue
		}
		for j := i + 2; j < len(cells); j++ {
			if star(j) && !space(j-1) && !star(j-1) && !word(j+1) {
				bold[i], bold[j] = true, true
				i = j
				break
			}
		}
	}

	var b strings.Builder
	for i, c := range cells {
		switch {
		case c.r < 0 && toks[c.tok].code != "":
			b.WriteString("“" + neutralizeTags(strings.Trim(toks[c.tok].code, "`")) + "”")
		case c.r < 0:
			s, mn := r.token(toks[c.tok].ref)
			b.WriteString(s)
			if mn != nil {
				mentions = append(mentions, *mn)
			}
		case bold[i]:
			b.WriteString("**")
		case c.r == '<' || c.r == '&':
			b.WriteString(string(c.r) + "\u200b")
		case c.r == ']' && i+1 < len(cells) && cells[i+1].r == '(':
			b.WriteString("]\u200b")
		default:
			b.WriteRune(c.r)
		}
	}
	return b.String(), mentions
}
