// Package api is smart90's read-only HTTP API for integrations, under
// /api/v1/: a person's own data and, for a coach, their clients', as JSON.
//
// A request carries a personal access token (`token new` in chat) as
// "Authorization: Bearer s90_…". The token reads what its person may see
// in chat and nothing more: a client their own data, a coach the clients
// of the engagements they coach (live ones: invited, active or paused).
// Another coach's client is 404, as a client that does not exist is, so
// the answer never tells whether someone is a client elsewhere.
//
// Every answer is JSON. A list is {"data": [...], "next_cursor": "..."};
// long lists (check-ins, weekly reports) are read a page at a time with
// limit and the opaque cursor of the page before, also given in a Link
// header. Every 200 carries a strong ETag, and a request whose
// If-None-Match names it gets 304. Every refusal is
// {"error": {"code": "...", "message": "..."}} with the codes of the
// OpenAPI document, served at /api/v1/openapi.json without a token.
//
// Requests are limited per token through the shared bot.RateLimiter
// (Redis across replicas), under the key "api:token:<id>"; past the limit
// the answer is 429 with Retry-After. Tokens are never logged, only their
// IDs.
package api
