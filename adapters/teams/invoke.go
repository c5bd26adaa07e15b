package teams

import (
	"context"
	"net/http"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/smart90/smart90/bot"
)

// onInvoke answers an Action.Execute (invoke "adaptiveCard/action") in
// the HTTP response: the first reply replaces the card, the others follow
// as messages. When the store failed, the card stays as it was, with what
// the person typed, and shows the core's "try again".
func (a *Adapter) onInvoke(ctx context.Context, key string, inst *bot.Installation, in *inbound) (any, outcome) {
	response, err := a.invoke(ctx, inst, in)
	if !a.settle(ctx, key, err) {
		return map[string]any{"statusCode": http.StatusServiceUnavailable, "type": "application/vnd.microsoft.error",
			"value": map[string]any{"code": "ServiceUnavailable", "message": bot.ErrorMessage(err)}}, failed
	}
	return response, handled
}

// invoke answers an invoke activity; the error is the core's.
func (a *Adapter) invoke(ctx context.Context, inst *bot.Installation, in *inbound) (any, error) {
	if in.Name == "fileConsent/invoke" {
		if fc, ok := parseFileConsent(in.Value); ok {
			a.after(func(ctx context.Context) {
				if err := a.msgr.fileAnswered(ctx, inst, in.ServiceURL, in.Conversation.ID, in.From.ID, fc); err != nil {
					a.log.WarnContext(ctx, "teams: answer a file consent", "err", err)
				}
			})
		}
		return nil, nil // Teams wants a plain 200; the upload follows
	}
	if in.Name != "adaptiveCard/action" {
		return map[string]any{"statusCode": http.StatusNotImplemented, "type": "application/vnd.microsoft.error",
			"value": map[string]any{"code": "NotImplemented", "message": "smart90 does not handle " + in.Name}}, nil
	}
	s, ok := ParseSubmission(in.Value)
	if !ok {
		return InvokeResponse(bot.Message{Text: "That card is out of date; type `help` to start again."}, nil), nil
	}
	replies, err := a.handle(ctx, a.submission(in, s))
	if bot.ErrorCode(err) == bot.EINTERNAL {
		return nil, err
	}
	if len(replies) == 0 {
		return InvokeResponse(bot.Message{Text: "Done."}, nil), nil
	}
	first, rest := replies[0], replies[1:]
	if len(first.Files) > 0 || len(first.Images) > 0 || (!in.personal() && first.Ephemeral) {
		// Files and images need a message; a private reply must not replace a card
		// everybody in the channel sees.
		first, rest = bot.Message{Text: "Done."}, replies
	}
	a.after(func(ctx context.Context) { a.reply(ctx, inst, in, rest) })
	return InvokeResponse(first, a.msgr.names(ctx, inst, first)), nil
}

// duplicate is the answer to a redelivered activity: an invoke still
// needs a body Teams can show.
func duplicate(in *inbound) any {
	if in.Type == schema.Invoke {
		return InvokeResponse(bot.Message{Text: "Done."}, nil)
	}
	return nil
}
