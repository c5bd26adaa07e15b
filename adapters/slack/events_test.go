package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smart90/smart90/bot"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string
		mentions map[string]bot.UserRef
	}{
		{"invite <@U061F7AUR|ana>", "invite <@U061F7AUR>", map[string]bot.UserRef{"U061F7AUR": {ExternalID: "U061F7AUR", DisplayName: "ana"}}},
		{"brief <@W111>", "brief <@W111>", map[string]bot.UserRef{"W111": {ExternalID: "W111"}}},
		{"digest <#C123ABC456|coaching>", "digest <#C123ABC456>", nil},
		{"  rocks  ", "rocks", nil},
		{"rocks add Ship <v2> | done when live", "rocks add Ship <v2> | done when live", nil},
		// Slack escapes what people type: it arrives as typed, and a typed
		// mention or channel is not one.
		{"rocks add Ship &lt;v2&gt; &amp; more | Q&amp;A", "rocks add Ship <v2> & more | Q&A", nil},
		{"invite &lt;@UB&gt; &lt;&lt;@UC&gt; &lt;#C_SECRET|secret&gt; &amp;lt;@UD&amp;gt;", "invite @UB> @UC> #C_SECRET|secret> &lt;@UD&gt;", nil},
		{"&lt;!channel&gt; talk to <@U2|bob>", "<!channel> talk to <@U2>", map[string]bot.UserRef{"U2": {ExternalID: "U2", DisplayName: "bob"}}},
		// What Slack writes of links and special commands is kept as
		// words: a link shows where it goes.
		{"see <https://foo.example/a?b=1&amp;c=2> or <mailto:a@b.example|a@b.example>", "see https://foo.example/a?b=1&c=2 or a@b.example", nil},
		{"<https://evil.example/phish|Reset your password> <http://x.example|x.example>", "Reset your password (https://evil.example/phish) x.example", nil},
		{"<!here> <!channel> <!subteam^S1|@devs> <!date^1392734382^{date}|Feb 18th> <!subteam^S2>", "@here @channel @devs Feb 18th @subteam", nil},
		{"<https://e.example|&lt;@UB&gt;>", "@UB> (https://e.example)", nil},
	} {
		got, mentions := normalize(tt.in)
		if got != tt.want || !reflect.DeepEqual(mentions, tt.mentions) {
			t.Errorf("normalize(%q) = %q, %v; want %q, %v", tt.in, got, mentions, tt.want, tt.mentions)
		}
	}
}

func TestCommandEventFromPublishedPayloads(t *testing.T) {
	t.Parallel()
	// The signing walk-through's body is a real slash command request.
	form, err := url.ParseQuery(string(readFixture(t, "slack_signing_example_body.txt")))
	if err != nil {
		t.Fatal(err)
	}
	r := &http.Request{Method: http.MethodPost, PostForm: form, Form: form}
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		t.Fatal(err)
	}
	sc.Text = "invite <@U061F7AUR|ana>"
	ev := commandEvent(sc)
	want := bot.Event{Platform: bot.PlatformSlack, Installation: "T1DC2JH3J", User: bot.UserRef{ExternalID: "U2CERLKJA", DisplayName: "roadrunner"},
		Kind: bot.EventCommand, Text: "invite <@U061F7AUR>",
		Mentions: map[string]bot.UserRef{"U061F7AUR": {ExternalID: "U061F7AUR", DisplayName: "ana"}}}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("event = %+v\nwant %+v", ev, want)
	}

	// The Socket Mode envelope carries the same fields as JSON.
	var env struct {
		Payload slack.SlashCommand `json:"payload"`
	}
	if err := json.Unmarshal(readFixture(t, "slack_socket_mode_slash_commands_envelope.json"), &env); err != nil {
		t.Fatal(err)
	}
	if ev := commandEvent(env.Payload); ev.Installation != "T123ABC456" || ev.User.ExternalID != "U123ABC456" || ev.Text != "" || ev.Kind != bot.EventCommand {
		t.Errorf("socket mode command = %+v", ev)
	}
}

// TestCommandIsPrivate: a slash command is seen by nobody else and
// answered ephemerally, wherever it is typed, so it is never a channel's:
// `token new` and `calendar <address>` work through it.
func TestCommandIsPrivate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ id, name string }{
		{"D024BE91L", "directmessage"}, {"C2147483705", "general"}, {"G8PSS9T3V", "privategroup"},
	} {
		ev := commandEvent(slack.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: tc.id, ChannelName: tc.name, Text: "token new"})
		if ev.Channel != "" {
			t.Errorf("command in %s (%q): channel %q, want none", tc.id, tc.name, ev.Channel)
		}
	}
}

func TestMessageEventFromPublishedPayload(t *testing.T) {
	t.Parallel()
	outer, err := slackevents.ParseEvent(json.RawMessage(readFixture(t, "slack_event_message_im.json")), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	m, ok := outer.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("inner event is %T", outer.InnerEvent.Data)
	}
	ev, ok := messageEvent(outer.TeamID, m)
	if !ok || ev.Installation != "T061EG9R6" || ev.User.ExternalID != "U2147483697" || ev.Text != "Hello hello can you hear me?" || ev.Kind != bot.EventMessage {
		t.Errorf("event = %+v, %v", ev, ok)
	}
	// What must not be answered: the bot's own posts, edits, channel
	// messages, thread replies.
	for name, mut := range map[string]func(*slackevents.MessageEvent){
		"bot post":      func(m *slackevents.MessageEvent) { m.BotID = "B1" },
		"edit":          func(m *slackevents.MessageEvent) { m.SubType = "message_changed" },
		"channel":       func(m *slackevents.MessageEvent) { m.ChannelType = "channel" },
		"thread reply":  func(m *slackevents.MessageEvent) { m.ThreadTimeStamp = "1355517000.000001" },
		"no user field": func(m *slackevents.MessageEvent) { m.User = "" },
	} {
		c := *m
		mut(&c)
		if _, ok := messageEvent(outer.TeamID, &c); ok {
			t.Errorf("%s was translated into an event", name)
		}
	}
}

func TestActionAndFormEventsFromPublishedPayloads(t *testing.T) {
	t.Parallel()
	var cb slack.InteractionCallback
	if err := json.Unmarshal(readFixture(t, "slack_block_actions_message_button.sdk-test.json"), &cb); err != nil {
		t.Fatal(err)
	}
	ev, ok := actionEvent(&cb)
	want := bot.Event{Platform: bot.PlatformSlack, Installation: "T111", User: bot.UserRef{ExternalID: "W111", DisplayName: "primary-owner"},
		Kind: bot.EventAction, ActionID: "a", Value: "click_me_123", Channel: "C111"}
	if !ok || !reflect.DeepEqual(ev, want) {
		t.Errorf("action = %+v, %v\nwant %+v", ev, ok, want)
	}
	cb.ActionCallback.BlockActions = nil
	if _, ok := actionEvent(&cb); ok {
		t.Error("a block_actions payload without actions became an event")
	}

	var sub slack.InteractionCallback
	if err := json.Unmarshal(readFixture(t, "slack_view_submission.sdk-test.json"), &sub); err != nil {
		t.Fatal(err)
	}
	f := formEvent(&sub)
	if f.Kind != bot.EventForm || f.FormID != "view-id" || f.Value != "This is for you!" || f.Installation != "T111" || f.User.ExternalID != "W111" {
		t.Errorf("form = %+v", f)
	}
	// The fixture's input has block hspI / action maBWU = "test"; the
	// values are keyed by whatever FormValues derives the field id from.
	found := false
	for _, v := range f.Values {
		found = found || v == "test"
	}
	if !found || strings.Contains(f.Value, "hspI") {
		t.Errorf("form values = %v, want the submitted \"test\"", f.Values)
	}
}
