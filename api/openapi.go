package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 document of the API. The tests load
// and validate it, and check every endpoint's answers against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the API's OpenAPI 3.1 document (JSON).
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// openAPI serves the document, without a token: it says how to use the
// API, nothing about anyone's data.
func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) {
	writeBody(w, r, "application/json", h.doc)
}
