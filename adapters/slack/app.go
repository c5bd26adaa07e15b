package slack

// What smart90 asks of Slack. manifest.yml declares exactly these, no more
// and no less; TestManifest checks it.
var (
	// BotScopes are the OAuth bot scopes: the least the features need.
	BotScopes = []string{
		"chat:write",         // prompts, replies, the digest and its thread
		"commands",           // /smart90
		"files:write",        // export: the CSV and JSON files in the DM
		"im:history",         // plain replies in the DM answer the check-in
		"im:write",           // conversations.open with a client
		"users:read",         // users.info: display name and time zone; user_change events
		"users.profile:read", // users.profile.get: a status that says out of office
	}
	// BotEvents are the Events API events handled.
	BotEvents = []string{"app_home_opened", "app_uninstalled", "message.im", "tokens_revoked", "user_change"}
)

// Command is the slash command.
const Command = "/smart90"
