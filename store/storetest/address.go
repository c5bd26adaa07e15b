package storetest

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// newAddress stores an address updated at updated and returns it as the
// store must give it back.
func newAddress(t testing.TB, s bot.Store, installationID int64, key string, data []byte, updated time.Time) *bot.Address {
	t.Helper()
	a := &bot.Address{InstallationID: installationID, Key: key, Data: data, UpdatedAt: updated}
	if err := s.PutAddress(t.Context(), a); err != nil {
		t.Fatalf("put address %q of installation %d: %v", key, installationID, err)
	}
	return &bot.Address{InstallationID: installationID, Key: key, Data: data, UpdatedAt: updated.UTC()}
}

// wantAddress checks the store holds want under its key.
func wantAddress(t testing.TB, s bot.Store, what string, want *bot.Address) {
	t.Helper()
	got, err := s.Address(t.Context(), want.InstallationID, want.Key)
	if err != nil {
		t.Errorf("%s: Address(%d, %q): %v", what, want.InstallationID, want.Key, err)
		return
	}
	same(t, what, got, want)
}

// wantNoAddress checks the store holds nothing under (installationID, key).
func wantNoAddress(t testing.TB, s bot.Store, what string, installationID int64, key string) {
	t.Helper()
	got, err := s.Address(t.Context(), installationID, key)
	if bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("%s: Address(%d, %q) = %s, %v; want ENOTFOUND", what, installationID, key, show(got), err)
	}
}

func testAddresses(t *testing.T, s bot.Store) {
	ctx := t.Context()
	inst := newInstallation(t, s, bot.PlatformTeams, "tenant-1")
	other := newInstallation(t, s, bot.PlatformTeams, "tenant-2")
	east := time.FixedZone("UTC+5:30", 5*60*60+30*60)
	const key = "person:29:1abc"

	// Data bytes are opaque: NUL and bytes that are not UTF-8 survive.
	// UpdatedAt is kept as given, and comes back in UTC.
	a := &bot.Address{InstallationID: inst.ID, Key: key, Data: []byte{'{', 0, 0xfe, 0xff, '}', 0}, UpdatedAt: at(time.Minute).In(east)}
	must(t, "put address", s.PutAddress(ctx, a))
	want := &bot.Address{InstallationID: inst.ID, Key: key, Data: []byte{'{', 0, 0xfe, 0xff, '}', 0}, UpdatedAt: at(time.Minute)}
	same(t, "address filled by PutAddress", a, want)
	wantAddress(t, s, "Address", want)

	// Putting again replaces the data, however long, and UpdatedAt.
	a = &bot.Address{InstallationID: inst.ID, Key: key, Data: []byte("v2"), UpdatedAt: at(time.Hour)}
	must(t, "replace address", s.PutAddress(ctx, a))
	want = &bot.Address{InstallationID: inst.ID, Key: key, Data: []byte("v2"), UpdatedAt: at(time.Hour)}
	same(t, "address filled by PutAddress replacing one", a, want)
	wantAddress(t, s, "Address after a replacement", want)

	// Keys are per installation: the same key elsewhere is another address.
	wantNoAddress(t, s, "the key in another installation before it was put there", other.ID, key)
	wantOther := newAddress(t, s, other.ID, key, []byte("other"), at(2*time.Hour))
	wantAddress(t, s, "Address in another installation", wantOther)
	wantAddress(t, s, "Address after the same key was put in another installation", want)

	// Missing: an unknown key, an unknown installation.
	wantNoAddress(t, s, "an unknown key", inst.ID, "channel:19:nope")
	wantNoAddress(t, s, "an unknown installation", missingID, key)

	// A zero UpdatedAt is the current time, filled in as stored.
	a = &bot.Address{InstallationID: inst.ID, Key: "channel:19:now", Data: []byte("now")}
	must(t, "put address with a zero UpdatedAt", s.PutAddress(ctx, a))
	if a.UpdatedAt.IsZero() {
		t.Errorf("PutAddress with a zero UpdatedAt left it zero")
	}
	wantAddress(t, s, "Address put with a zero UpdatedAt", &bot.Address{InstallationID: inst.ID, Key: "channel:19:now", Data: []byte("now"), UpdatedAt: a.UpdatedAt})

	// No data is empty data, not an error.
	empty := newAddress(t, s, inst.ID, "channel:19:empty", nil, at(3*time.Hour))
	wantAddress(t, s, "Address put with nil Data", empty)

	// Deleting removes only that address; deleting a missing one is not an
	// error.
	must(t, "delete address", s.DeleteAddress(ctx, inst.ID, key))
	wantNoAddress(t, s, "a deleted address", inst.ID, key)
	wantAddress(t, s, "the same key in another installation after a deletion", wantOther)
	wantAddress(t, s, "another key after a deletion", empty)
	must(t, "delete a deleted address", s.DeleteAddress(ctx, inst.ID, key))
	must(t, "delete an address of an unknown installation", s.DeleteAddress(ctx, missingID, key))

	// A deleted address can be put again.
	again := newAddress(t, s, inst.ID, key, []byte("v3"), at(4*time.Hour))
	wantAddress(t, s, "Address put again after a deletion", again)
}

// testPutAddressUnknownInstallation checks an address of an installation
// that does not exist is ENOTFOUND, as a person of one is, and is not
// stored.
func testPutAddressUnknownInstallation(t *testing.T, s bot.Store) {
	ctx := t.Context()
	a := &bot.Address{InstallationID: missingID, Key: "person:29:1abc", Data: []byte("x"), UpdatedAt: at(0)}
	wantCode(t, "PutAddress of an unknown installation", s.PutAddress(ctx, a), bot.ENOTFOUND)
	wantNoAddress(t, s, "an address whose put was refused", missingID, "person:29:1abc")
	p := person(missingID, "29:1abc", false)
	wantCode(t, "EnsurePerson of the same unknown installation", s.EnsurePerson(ctx, p), bot.ENOTFOUND)
}

// testDeletePersonAddress checks DeletePerson deletes the address keyed
// "person:<ExternalID>" in the person's installation, and no other: not
// another person's (even one whose external id it is a prefix of, or one
// with the same external id in another installation), nor a channel's.
func testDeletePersonAddress(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	c2, _ := newClient(t, s, f, f.Client.ExternalID+"2", bot.EngagementActive)
	inst2 := newInstallation(t, s, bot.PlatformTeams, "T2")
	twin := newPerson(t, s, inst2.ID, f.Client.ExternalID, false)

	client := newAddress(t, s, f.Inst.ID, bot.PersonAddressKey(f.Client.ExternalID), []byte("client"), at(0))
	coach := newAddress(t, s, f.Inst.ID, bot.PersonAddressKey(f.Coach.ExternalID), []byte("coach"), at(0))
	second := newAddress(t, s, f.Inst.ID, bot.PersonAddressKey(c2.ExternalID), []byte("second client"), at(0))
	twinAddr := newAddress(t, s, inst2.ID, bot.PersonAddressKey(twin.ExternalID), []byte("twin"), at(0))
	channel := newAddress(t, s, f.Inst.ID, "channel:"+f.Client.ExternalID, []byte("channel"), at(0))

	must(t, "delete client", s.DeletePerson(ctx, f.Client.ID))
	wantNoAddress(t, s, "the deleted client's address", client.InstallationID, client.Key)
	wantAddress(t, s, "the coach's address after a client's deletion", coach)
	wantAddress(t, s, "another client's address after a client's deletion", second)
	wantAddress(t, s, "the same external id's address in another installation after a client's deletion", twinAddr)
	wantAddress(t, s, "a channel's address after a client's deletion", channel)

	must(t, "delete coach", s.DeletePerson(ctx, f.Coach.ID))
	wantNoAddress(t, s, "the deleted coach's address", coach.InstallationID, coach.Key)
	wantAddress(t, s, "another client's address after the coach's deletion", second)
	wantAddress(t, s, "a channel's address after the coach's deletion", channel)

	// A person without an address is deleted as before.
	loner := newPerson(t, s, f.Inst.ID, "ULONER", false)
	must(t, "delete a person without an address", s.DeletePerson(ctx, loner.ID))
}
