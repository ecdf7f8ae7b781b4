package i18n

// migrateWizardMessages are the words of the migration wizard in the TUI
// (kept apart from the batch words of messages_migrate_tui.go to keep
// files short; both belong to the one table migrateTUIMessages).
func migrateWizardMessages() map[string]entry {
	return map[string]entry{}
}
