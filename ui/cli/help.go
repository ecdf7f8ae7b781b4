package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// localizeHelp puts cobra's help in the user's language: headings, the
// --help and --version flags, and the hint line. Call it after every
// subcommand was added.
func localizeHelp(root *cobra.Command, p *i18n.Printer) {
	r := strings.NewReplacer(
		"Usage:", p.T("help.usage"),
		"Aliases:", p.T("help.aliases"),
		"Examples:", p.T("help.examples"),
		"Available Commands:", p.T("help.commands"),
		"Additional Commands:", p.T("help.more_commands"),
		"Global Flags:", p.T("help.global_flags"),
		"Flags:", p.T("help.flags"),
		"Additional help topics:", p.T("help.topics"),
		`Use "{{.CommandPath}} [command] --help" for more information about a command.`, p.T("help.hint"),
	)
	root.SetUsageTemplate(r.Replace(root.UsageTemplate()))
	root.SetHelpCommand(&cobra.Command{Use: "no-help", Hidden: true})
	root.Flags().BoolP("version", "v", false, p.T("cli.flag.version"))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("help") == nil {
			c.Flags().BoolP("help", "h", false, p.T("cli.flag.help", c.CommandPath()))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
