package bot

import (
	"context"
	"fmt"
	"strings"
)

// command is one of the words a person can say to smart90.
type command struct {
	name  string
	usage string // as shown in help
	what  string // one line of help
	coach bool   // listed under the coach's commands
	run   func(b *Bot, ctx context.Context, r *request, rest string) ([]Message, error)
}

// commands is the command table, in the order help lists them. It is set
// in init because commands refer back to it (usage errors, help).
var commands []command

func init() {
	commands = []command{
		{"help", "help", "what you can do", false, (*Bot).cmdHelp},
		{"coach", "coach", "become a coach (inviting a client does it too)", true, (*Bot).cmdCoach},
		{"invite", "invite @client", "invite a client (first use makes you a coach)", true, (*Bot).cmdInvite},
		{"digest", "digest #channel", "where your weekly digest goes (default: a DM)", true, (*Bot).cmdDigest},
		{"clients", "clients", "your clients at a glance", true, (*Bot).cmdClients},
		{"session", "session @client [YYYY-MM-DD] [notes] · session @client next YYYY-MM-DD HH:MM [45m] · session @client cancel [YYYY-MM-DD|all]", "log a session that took place (default today), book the next one, or cancel it", true, (*Bot).cmdSession},
		{"sessions", "sessions [@client]", "your upcoming and past sessions", true, (*Bot).cmdSessions},
		{"calendar", "calendar [<secret ICS address>|off]", "read your sessions from your calendar (checked every 15 minutes)", true, (*Bot).cmdCalendar},
		{"webhook", "webhook add <https address> [event …] · webhook test|enable|remove <n>", "send signed events about your clients to an address of yours", true, (*Bot).cmdWebhook},
		{"webhooks", "webhooks", "your webhooks and how they are going", true, (*Bot).cmdWebhook},
		{"brief", "brief @client", "everything since the last logged session", true, (*Bot).cmdBrief},
		{"end", "end @client", "end your coaching of a client, or withdraw an invitation (asks to confirm)", true, (*Bot).cmdEnd},
		{"accept", "accept", "accept your coach's invitation", false, (*Bot).cmdAccept},
		{"decline", "decline", "decline your coach's invitation", false, (*Bot).cmdDecline},
		{"leave", "leave", "stop working with your coach (asks to confirm)", false, (*Bot).cmdLeave},
		{"rocks", "rocks [@client] [add <title> [| done when] [| due YYYY-MM-DD]]", "list and add rocks", false, (*Bot).cmdRocks},
		{"scorecard", "scorecard [@client] [add <name> >= <goal> [/ week] | edit | set <n> <value> | remove <n>]", "your weekly numbers against their goals", false, (*Bot).cmdScorecard},
		{"checkin", "checkin [mon|YYYY-MM-DD]", "answer today's check-in now (after 17:00, tomorrow's), or another day's of this week or last", false, (*Bot).cmdCheckin},
		{"weekly", "weekly", "write this week's report now", false, (*Bot).cmdWeekly},
		{"review", "review", "the quarterly review: in a cycle's last two weeks, or the first two of the next", false, (*Bot).cmdReview},
		{"settings", "settings [time HH:MM] [days mon-fri] [weekly fri 15:00] [tz Area/City] [reminder off|2h] [evening 18:30|off] [country DE|auto] [holidays on|off] [digest mon 07:00] · settings @client reminder off|2h", "your schedule and time zone", false, (*Bot).cmdSettings},
		{"pause", "pause YYYY-MM-DD YYYY-MM-DD", "no prompts between two days (holidays)", false, (*Bot).cmdPause},
		{"resume", "resume", "end a pause now", false, (*Bot).cmdResume},
		{"history", "history [@client] [weeks]", "a week per line across cycles: check-ins, energy, rocks, win and stuck (default 8 weeks; a coach names the client)", false, (*Bot).cmdHistory},
		{"export", "export", "your data as CSV and JSON", false, (*Bot).cmdExport},
		{"token", "token new [name] | token list | token revoke <n|prefix>", "personal tokens for the read-only HTTP API", false, (*Bot).cmdToken},
		{"forget-me", "forget-me", "delete your data (asks to confirm)", false, (*Bot).cmdForgetMe},
	}
}

// rockUsage is the usage of the rocks sub-commands.
const rockUsage = "`rocks` — list\n" +
	"`rocks add <title> [| done when] [| due YYYY-MM-DD]`\n" +
	"`rocks edit <n> <title> [| done when] [| due YYYY-MM-DD]`\n" +
	"`rocks set <n> on-track|off-track|done|dropped [progress%] [| note]`\n" +
	"A coach puts `@client` after `rocks` to work on a client's rocks."

// command runs a command line such as "invite <@U1>".
func (b *Bot) command(ctx context.Context, r *request, text string) ([]Message, error) {
	text = strings.TrimSpace(text)
	name, rest, _ := strings.Cut(text, " ")
	name = strings.ToLower(strings.TrimPrefix(name, "/smart90"))
	if name == "" {
		return b.cmdHelp(ctx, r, "")
	}
	for _, c := range commands {
		if c.name == name || name == "forget" && c.name == "forget-me" {
			if c.coach && !r.me.IsCoach && c.name != "invite" && c.name != "coach" {
				return nil, notCoach(fmt.Sprintf("`%s`", c.name))
			}
			return c.run(b, ctx, r, strings.TrimSpace(rest))
		}
	}
	help, _ := b.cmdHelp(ctx, r, "")
	msg := fmt.Sprintf("I don't know the command `%s`.", name)
	if near := nearestCommand(name); near != "" {
		msg += fmt.Sprintf(" Did you mean `%s`?", near)
	}
	help[0].Text = msg + "\n\n" + help[0].Text
	return help, nil
}

// cmdHelp lists the commands, the coach's first for a coach.
func (b *Bot) cmdHelp(ctx context.Context, r *request, _ string) ([]Message, error) {
	var coach, client strings.Builder
	for _, c := range commands {
		line := fmt.Sprintf("• `%s` — %s\n", c.usage, c.what)
		if c.coach {
			coach.WriteString(line)
		} else {
			client.WriteString(line)
		}
	}
	text := "*smart90 keeps your quarterly rocks alive between coaching sessions.*\n"
	if r.me.IsCoach {
		text += "\n*As a coach*\n" + coach.String() + "\n*For everyone*\n" + client.String()
	} else {
		text += "\n" + client.String() + "\n*Coaches*\n" + coach.String()
	}
	return []Message{{Text: strings.TrimRight(text, "\n"), Ephemeral: true}}, nil
}

// nearestCommand returns the command name closest to word, or "" when none
// is close enough to be a plausible typo.
func nearestCommand(word string) string {
	if len(word) >= 3 {
		for _, c := range commands {
			if strings.HasPrefix(c.name, word) {
				return c.name
			}
		}
	}
	best, bestD := "", 3
	for _, c := range commands {
		if d := editDistance(word, c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// usageError is the reply for bad arguments: what went wrong and the usage.
func usageError(problem, name string) error {
	for _, c := range commands {
		if c.name == name {
			return Errorf(EINVALID, "%s\nUsage: `%s`", problem, c.usage)
		}
	}
	return Errorf(EINVALID, "%s", problem)
}
