// Package teamstest provides local stand-ins for the Microsoft services a
// Teams bot talks to, for tests that must not reach the internet: the Bot
// Framework's identity service (OpenID metadata and signing keys, with
// tokens signed by keys it controls), the Azure AD token endpoint the bot
// gets its own token from, and the Bot Connector. Each runs as an
// httptest server on loopback, closed when the test ends.
package teamstest
