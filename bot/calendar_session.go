package bot

import (
	"cmp"
	"slices"
)

// SessionKey identifies a calendar session: its engagement and its UID.
type SessionKey struct {
	EngagementID int64
	UID          string
}

// CheckCalendarSessions checks sessions read from a calendar before a
// store keeps them (EINVALID): each is valid, has the calendar source,
// a UID and a start, and no two share an engagement and a UID.
func CheckCalendarSessions(ss []*Session) error {
	seen := map[SessionKey]bool{}
	for _, s := range ss {
		if err := s.Validate(); err != nil {
			return err
		}
		if s.Source != SessionCalendar || s.UID == "" || s.Start.IsZero() || s.Minutes < 0 {
			return Errorf(EINVALID, "A calendar session needs the calendar source, an event id, a start and a length.")
		}
		k := SessionKey{s.EngagementID, s.UID}
		if seen[k] {
			return Errorf(EINVALID, "The calendar event %q is there twice for one client.", s.UID)
		}
		seen[k] = true
	}
	return nil
}

// SortSessions sorts ss by Start, then ID.
func SortSessions(ss []*Session) {
	slices.SortFunc(ss, func(a, b *Session) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
}
