package bot

// dayOffNotice is the line a client's prompt on day carries when the
// next workday(s) are public holidays for them ("Monday is Whit Monday:
// no check-in."), or "".
//
// TODO(issue 13, holidays): contract stub, to be written.
func (b *Bot) dayOffNotice(e *Engagement, p *Person, day Date) string {
	return ""
}
