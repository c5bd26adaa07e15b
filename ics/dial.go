package ics

import (
	"errors"
	"net/http"

	"github.com/smart90/smart90/publicnet"
)

// errNotPublic is the reason a PublicClient refuses an address.
var errNotPublic = errors.New("the calendar address is not on the public internet")

// PublicClient returns an HTTP client for calendars that connects to
// public internet addresses only (see publicnet.Client): a coach types
// the address, and it must not reach the service's own network.
func PublicClient() *http.Client { return publicnet.Client(errNotPublic) }
