package i18n

// indexMessages are the words about the search index catching up behind
// the downloads (`magpie sync`, `magpie status`).
func indexMessages() map[string]entry {
	return map[string]entry{
		"sync.phase.index":  {"建立搜索索引", "indexing for search"},
		"sync.indexed":      {"%s：%d 封邮件已加入搜索索引。", "%s: %d messages added to the search index."},
		"sync.index_failed": {"%s：建立搜索索引失败：%s。邮件已可离线阅读，下次同步会重试索引。", "%s: indexing for search failed: %s. The mail is readable offline; the next sync retries the index."},
		"status.index_lag": {
			"%s：%d 封已下载的邮件还未建立正文索引，搜索暂时找不到它们的正文（主题和地址可以）；运行 magpie sync 会补上。",
			"%s: %d downloaded messages are not indexed yet, so a search does not see their body text yet (subjects and addresses it does); magpie sync catches up.",
		},
	}
}
