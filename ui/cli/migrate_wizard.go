package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newMigrateWizardCmd opens the terminal app with the migration wizard
// showing: the guided 邮箱搬家 for members (the same wizard as key M).
func newMigrateWizardCmd(s *Session) *cobra.Command {
	p := s.P
	return &cobra.Command{
		Use:   "wizard",
		Short: p.T("cli.migrate_wizard.short"),
		Long:  p.T("cli.migrate_wizard.long"),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if s.OpenApp == nil {
				return s.fail(errors.New("cli: no terminal app"), p.T("cli.migrate_wizard.no_app"))
			}
			s.StartMigration = true
			return s.OpenApp(cmd.Context(), s)
		},
	}
}
