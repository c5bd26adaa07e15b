package bot

import (
	"context"
	"errors"
	"time"
)

// ErrNoStatus is what a StatusReader returns when the platform cannot tell
// a person's status: the permission was not granted (a Teams tenant
// without Presence.Read.All), or a router's platform has no statuses. The
// core then sends the prompt as usual.
var ErrNoStatus = errors.New("this platform's statuses cannot be read")

// Status is what a person's chat status says right now.
type Status struct {
	// Text is the status text the person typed ("OOO till Mon").
	Text string
	// Emoji is the status emoji in colon form (":palm_tree:"), or "".
	Emoji string
	// Expires is when the status clears by itself; zero means never.
	Expires time.Time
	// OutOfOffice says the platform itself says so (Teams presence
	// OutOfOffice, or the mailbox's automatic replies).
	OutOfOffice bool
}

// StatusReader is a Messenger's optional capability to read a person's
// chat status (Slack's users.profile.get, Teams presence through Microsoft
// Graph, the console's :status), so that prompts skip a person who is out
// of office. A reader may keep what it read for a short while; it is safe
// for concurrent use.
type StatusReader interface {
	// Status returns the status of the person with the platform's userID
	// in inst, ErrNoStatus when the platform cannot tell, or another error
	// when the read failed.
	Status(ctx context.Context, inst *Installation, userID string) (Status, error)
}
