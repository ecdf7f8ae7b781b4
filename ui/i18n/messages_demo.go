package i18n

// demoMessages are the words of `magpie --demo`.
func demoMessages() map[string]entry {
	return map[string]entry{
		"cli.flag.demo": {
			"试用演示：在本机启动内置的 IMAP/SMTP 服务器和示例邮箱（个人邮箱带别名、公共邮箱），用临时配置打开 Magpie，退出时全部删除；无需联网和钥匙串",
			"try Magpie on sample mailboxes (a member with an alias, a business mailbox) served by built-in IMAP/SMTP servers on this machine, with a throwaway config removed on exit; needs no network or keyring",
		},
		"demo.config_flag": {
			"--demo 使用自己的临时配置，不能与 --config 同时使用。",
			"--demo brings its own throwaway config; it cannot be combined with --config.",
		},
		"demo.start_failed": {
			"无法启动演示（%s）。请确认本机可以在 127.0.0.1 上监听端口，且临时目录可写。",
			"Could not start the demo (%s). Check that Magpie may listen on 127.0.0.1 and write to the temporary directory.",
		},
		"demo.app_failed": {
			"终端界面异常退出：%s",
			"The terminal app stopped with an error: %s",
		},
		"demo.stop_failed": {
			"停止演示的服务器或邮件库时出错：%s",
			"Stopping the demo's servers or mail store failed: %s",
		},
		"demo.cleanup_failed": {
			"演示已结束，但无法删除临时目录 %s（%s），请手动删除。",
			"The demo ended, but its temporary directory %s could not be removed (%s); please delete it by hand.",
		},
	}
}
