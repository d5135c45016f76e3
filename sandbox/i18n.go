package sandbox

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// lang is the page's language: ?lang=zh|en, else the first of zh or en in
// the browser's Accept-Language by preference, else Chinese.
func lang(r *http.Request) string {
	switch q := r.URL.Query().Get("lang"); q {
	case "zh", "en":
		return q
	}
	type pref struct {
		tag string
		q   float64
	}
	var prefs []pref
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		prefs = append(prefs, pref{primary, q})
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	for _, p := range prefs {
		if p.q <= 0 {
			continue
		}
		if p.tag == "zh" || p.tag == "en" {
			return p.tag
		}
	}
	return "zh"
}

// pageText is every string of the page, by language.
var pageText = map[string]map[string]string{
	"zh": {
		"title":        "renovote 沙盒：不用 Telegram 试用",
		"intro":        "选择身份，与机器人对话。所有数据保存在本机的沙盒目录中。",
		"clock":        "沙盒时间",
		"jump":         "前进",
		"jumped":       "时间已前进，运行的定时任务：",
		"noRuns":       "（无）",
		"who":          "我是谁",
		"residents":    "住户",
		"staff":        "工作人员",
		"compound":     "小区",
		"building":     "楼栋",
		"unit":         "单元",
		"room":         "房号",
		"member":       "家庭成员",
		"open":         "打开对话",
		"close":        "关闭",
		"send":         "发送",
		"placeholder":  "输入消息或命令，如 /vote",
		"attach":       "上传照片或文件",
		"menu":         "命令",
		"dashboard":    "仪表板",
		"edited":       "已编辑",
		"invited":      "已打开本户的邀请链接：请在下方确认地址。",
		"download":     "下载",
		"empty":        "在左侧选择身份，打开对话。可以同时打开多个对话，并排查看。",
		"error":        "出错了：",
		"memberN":      "成员",
		"language":     "English",
		"languageHref": "?lang=en",
	},
	"en": {
		"title":        "renovote sandbox: try it without Telegram",
		"intro":        "Pick who to be and chat with the bot. Everything is kept in the sandbox directory on this computer.",
		"clock":        "Sandbox time",
		"jump":         "Go",
		"jumped":       "The clock moved on; scheduled runs:",
		"noRuns":       "(none)",
		"who":          "Who am I",
		"residents":    "Residents",
		"staff":        "Staff",
		"compound":     "Compound",
		"building":     "Building",
		"unit":         "Unit",
		"room":         "Room",
		"member":       "Member",
		"open":         "Open chat",
		"close":        "Close",
		"send":         "Send",
		"placeholder":  "Type a message or a command, e.g. /vote",
		"attach":       "Upload a photo or a file",
		"menu":         "Commands",
		"dashboard":    "Dashboard",
		"edited":       "edited",
		"invited":      "The household's invitation link was opened: confirm the address below.",
		"download":     "Download",
		"empty":        "Pick someone on the left and open a chat. Open several to see them side by side.",
		"error":        "Error: ",
		"memberN":      "member",
		"language":     "中文",
		"languageHref": "?lang=zh",
	},
}
