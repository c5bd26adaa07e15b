package slacktest

import (
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gorilla/websocket"
)

// SocketMode makes apps.connections.open hand out a Socket Mode WebSocket
// on loopback, which says hello as Slack does and then runs script on the
// connection: the script sends envelopes as Slack frames them and reads
// the acknowledgements. The connection stays open until the client leaves
// or the server is closed. Call it once, before the app connects.
func (s *Server) SocketMode(script func(conn *websocket.Conn)) {
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}).Upgrade(w, r, nil)
		if err != nil {
			s.fail("socket mode upgrade: %v", err)
			return
		}
		defer conn.Close()
		conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","connection_info":{"app_id":"A1234"},"num_connections":1}`))
		script(conn)
		<-r.Context().Done()
	}))
	s.mu.Lock()
	s.sockets = append(s.sockets, ws)
	s.mu.Unlock()
	s.Handle("apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(ws.URL, "http") + "/link"})
	})
}
