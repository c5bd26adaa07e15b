package main

import (
	"context"
	"fmt"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/seal"
)

// tokenPage is how many installations checkSealedTokens reads at a time.
const tokenPage = 500

// checkSealedTokens refuses to serve when the store holds sealed bot
// tokens (store/seal's "v1:" values) and no SMART90_ENCRYPTION_KEY is set
// to open them: without the key nothing opens them, and the sealed value
// would go to the platform as if it were the token.
func checkSealedTokens(ctx context.Context, s bot.InstallationStore, key string) error {
	if key != "" {
		return nil
	}
	var after int64
	for {
		insts, err := s.ListInstallations(ctx, after, tokenPage)
		if err != nil {
			return fmt.Errorf("check the stored bot tokens: %w", err)
		}
		for _, inst := range insts {
			if seal.IsSealed(string(inst.BotToken)) {
				return fmt.Errorf("the store holds encrypted bot tokens (the first: %s workspace %s) and SMART90_ENCRYPTION_KEY is not set: "+
					"set it to the key they were encrypted with", inst.Platform, inst.ExternalID)
			}
		}
		if len(insts) < tokenPage {
			return nil
		}
		after = insts[len(insts)-1].ID
	}
}
