package slack

import (
	"context"

	"github.com/slack-go/slack"
)

// webAPI is every Web API method the adapter and the Messenger call, and no
// other: the real *slack.Client satisfies it (asserted below), and a fake
// must implement all of it, so no feature depends on a method a client
// happens to have. Its methods are safe for concurrent use; their errors
// are slack-go's (a *slack.RateLimitedError for a 429, a
// slack.SlackErrorResponse for "ok": false), which classify maps.
type webAPI interface {
	// chat.postMessage: prompts, replies, the digest and its thread.
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	// conversations.open: the DM with a person.
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	// conversations.history: only to look for a retried prompt in a DM
	// (Messenger.Sent).
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	// A file goes out in three calls, made one by one (not through
	// UploadFileContext) so that a 429 names the method Slack throttled:
	// files.getUploadURLExternal, the upload itself, and
	// files.completeUploadExternal.
	GetUploadURLExternalContext(ctx context.Context, params slack.GetUploadURLExternalParameters) (*slack.GetUploadURLExternalResponse, error)
	UploadToURL(ctx context.Context, params slack.UploadToURLParameters) error
	CompleteUploadExternalContext(ctx context.Context, params slack.CompleteUploadExternalParameters) (*slack.CompleteUploadExternalResponse, error)
	// users.info: a person's display name and time zone (Messenger.Profile).
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	// users.profile.get: a person's status, whether they are out of
	// office (Messenger.Status).
	GetUserProfileContext(ctx context.Context, params *slack.GetUserProfileParameters) (*slack.UserProfile, error)
	// views.open: a form as a modal.
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	// views.publish: the App Home tab.
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
}

var _ webAPI = (*slack.Client)(nil)
