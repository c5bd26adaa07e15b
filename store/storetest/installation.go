package storetest

import (
	"testing"

	"github.com/smart90/smart90/bot"
)

func testListInstallations(t *testing.T, s bot.Store) {
	ctx := t.Context()
	all, err := s.ListInstallations(ctx, 0, 0)
	must(t, "ListInstallations of an empty store", err)
	same(t, "ListInstallations of an empty store", all, nil)

	a := newInstallation(t, s, bot.PlatformSlack, "T1")
	b := newInstallation(t, s, bot.PlatformTeams, "T2")
	c := newInstallation(t, s, bot.PlatformSlack, "T3")
	c.Status, c.UpdatedAt = bot.InstallationUninstalled, at(0)
	must(t, "uninstall", s.UpsertInstallation(ctx, c))

	all, err = s.ListInstallations(ctx, 0, 0)
	must(t, "ListInstallations", err)
	same(t, "ListInstallations", all, []*bot.Installation{a, b, c})
	page, err := s.ListInstallations(ctx, 0, 2)
	must(t, "ListInstallations, first page", err)
	same(t, "ListInstallations, first page", page, []*bot.Installation{a, b})
	page, err = s.ListInstallations(ctx, b.ID, 2)
	must(t, "ListInstallations, second page", err)
	same(t, "ListInstallations, second page", page, []*bot.Installation{c})
}
