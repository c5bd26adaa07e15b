// Package bot is the platform-neutral core of smart90: the domain types
// (installations, people, engagements, rocks, check-ins, weekly reports,
// reviews, scorecards, deliveries, sessions, digests), the interfaces it
// consumes (Store, Messenger, Clock, ConversationState), its error codes, and the
// conversation logic that turns a person's words into stored answers and
// replies.
//
// Nothing here knows Slack, Teams or a terminal: adapters translate their
// platform's events into an Event, run Respond (or Handle) and render the
// Reply's messages into Block Kit, an Adaptive Card or text, with the
// references the core made (ref.go) as the platform's mentions and all else
// as text. What a platform can do beyond sending is an optional capability
// of its Messenger: SentChecker, ProfileReader. Nothing here knows SQL
// either: the stores in store/ implement Store (store.go, a set of narrow
// interfaces), and store/storetest holds the contract they share.
//
// Where things are: the request (bot.go, dispatch.go, command.go), answers
// (checkin.go, checkin_day.go, target.go, weekly.go, review.go, rocks.go,
// scorecard.go), the coach's picture (insight.go and the rules it calls:
// period.go, atrisk.go, blockers.go; digest.go, history.go, charts.go),
// sending (deliver.go, reminder.go, schedule.go, pace.go), a person's data
// (export.go, export_schema.go, forget.go).
package bot
