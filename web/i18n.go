package web

import (
	"fmt"
	"net/http"

	"golang.org/x/text/language"

	"github.com/renovote/renovote"
)

// lang is the language of a page: Chinese first, English when the browser
// prefers it.
type lang int

const (
	zh lang = iota
	en
)

// matcher prefers the first tag (Chinese) when nothing matches.
var matcher = language.NewMatcher([]language.Tag{language.Chinese, language.English})

// langOf chooses the page's language from the request's Accept-Language.
func langOf(r *http.Request) lang {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return zh
	}
	_, i, conf := matcher.Match(tags...)
	if i == 1 && conf != language.No {
		return en
	}
	return zh
}

// Code is the page's lang attribute.
func (l lang) Code() string {
	if l == en {
		return "en"
	}
	return "zh-CN"
}

// msg is one piece of wording, Chinese and English side by side.
type msg struct{ zh, en string }

func (m msg) s(l lang) string {
	if l == en {
		return m.en
	}
	return m.zh
}

func (m msg) f(l lang, args ...any) string { return fmt.Sprintf(m.s(l), args...) }

// words is the pages' wording, looked up by key from the templates ({{.L.T "key"}}).
var words = map[string]msg{
	"title":        {"老旧小区改造 · 投票看板", "Old-compound renovation · ballot dashboard"},
	"overview":     {"总览", "Overview"},
	"compound":     {"小区", "Compound"},
	"households":   {"户数", "Households"},
	"bound":        {"已绑定", "Bound"},
	"voted":        {"已投票", "Voted"},
	"agree":        {"同意", "Agree"},
	"disagree":     {"不同意", "Disagree"},
	"rule":         {"表决规则", "Consent rule"},
	"result":       {"结果", "Result"},
	"survey":       {"调查回复", "Survey answers"},
	"pass":         {"已通过", "Passes"},
	"fail":         {"未通过", "Not yet"},
	"download":     {"下载表格（XLSX）", "Download the spreadsheet (XLSX)"},
	"download_one": {"下载本小区表格（XLSX）", "Download this compound's spreadsheet (XLSX)"},
	"live":         {"实时更新", "Live"},
	"offline":      {"连接中断，正在重连…", "Connection lost, reconnecting…"},
	"updated":      {"更新于", "Updated"},
	"scope":        {"查看范围", "Scope"},
	"all":          {"全部小区", "every compound"},
	"role_bureau":  {"住建局", "housing bureau"},
	"role_worker":  {"社区工作人员", "community worker"},
	"role_admin":   {"管理员", "admin"},
	"session_ends": {"会话到期", "Session ends"},
	"none":         {"（无）", "(none)"},
	"back":         {"← 返回总览", "← Back to the overview"},
	"buildings":    {"楼栋", "Buildings"},
	"building":     {"楼栋", "Building"},
	"turnout":      {"投票率", "Turnout"},
	"survey_head":  {"改造需求调查", "Renovation survey"},
	"respondents":  {"回复户数", "Households answering"},
	"must":         {"必改项目（按紧迫程度）", "Must-do items (by urgency)"},
	"upgrades":     {"提升项目（按户数）", "Upgrades (by households)"},
	"rank":         {"名次", "Rank"},
	"item":         {"项目", "Item"},
	"part":         {"部位", "Part"},
	"choosing":     {"选择户数", "Households"},
	"of_resp":      {"占回复", "Of answers"},
	"of_all":       {"占全部", "Of all"},
	"score":        {"紧迫度", "Urgency"},
	"no_survey":    {"本小区没有调查。", "This compound runs no survey."},
	"notices":      {"通知及送达情况", "Notices and their delivery"},
	"sent_at":      {"时间", "Time"},
	"text":         {"内容", "Text"},
	"status":       {"状态", "Status"},
	"recipients":   {"应送达", "Recipients"},
	"delivered":    {"已送达", "Delivered"},
	"unreachable":  {"无法送达", "Unreachable"},
	"failed":       {"失败", "Failed"},
	"no_notices":   {"还没有通知。", "No notices yet."},
	"charts":       {"图表", "Charts"},
	"charts_note":  {"图表为打开页面时的数据，刷新页面可更新。", "The charts show the numbers as the page was opened; reload the page to update them."},
	"refused":      {"无法打开看板", "The dashboard cannot be opened"},
	"ask_again":    {"请在机器人中发送 /dashboard 获取新的链接。", "Send /dashboard to the bot for a new link."},
	"opening":      {"正在打开看板…", "Opening the dashboard…"},
	"open":         {"打开看板", "Open the dashboard"},
	"not_found":    {"没有这个小区，或不在您的查看范围内。", "No such compound, or not in your scope."},
}

// L is the wording of a page in its language.
type L struct{ l lang }

// T is the word for key; an unknown key shows as itself (tests catch it).
func (x L) T(key string) string {
	if m, ok := words[key]; ok {
		return m.s(x.l)
	}
	return "?" + key + "?"
}

// Code is the page's lang attribute.
func (x L) Code() string { return x.l.Code() }

// Refusals: why a link or a session was refused.
var (
	mExpiredLink    = msg{"链接已过期（有效期 %s）。", "The link has expired (it was valid for %s)."}
	mForgedLink     = msg{"链接无效：签名不符，可能被改动过，或机器人已重启。", "The link is invalid: its signature does not match; it may have been altered, or the bot has restarted."}
	mExpiredSession = msg{"会话已过期，请重新获取链接。", "Your session has expired."}
	mForgedSession  = msg{"会话无效（签名不符，或机器人已重启）。", "Your session is invalid (bad signature, or the bot has restarted)."}
	mNoSession      = msg{"看板只能通过机器人发给工作人员的链接打开。", "The dashboard opens only through a link the bot gives to staff."}
	mNotStaff       = msg{"您已不是工作人员，不能查看看板。", "You are no longer a member of staff."}
)

// quantityNames name the numbers a rule test compares (as in the chat).
var quantityNames = map[renovote.Quantity]msg{
	renovote.QHouseholds:  {"总户数", "households"},
	renovote.QVoted:       {"投票户数", "voted"},
	renovote.QAgree:       {"同意户数", "agree"},
	renovote.QArea:        {"总面积", "total area"},
	renovote.QVotedArea:   {"投票面积", "voted area"},
	renovote.QAgreeArea:   {"同意面积", "agree area"},
	renovote.QOwners:      {"业主总数", "owners"},
	renovote.QVotedOwners: {"投票业主", "voted owners"},
	renovote.QAgreeOwners: {"同意业主", "agree owners"},
}

func quantityName(l lang, q renovote.Quantity) string {
	if m, ok := quantityNames[q]; ok {
		return m.s(l)
	}
	return string(q)
}

// What a failing test still needs (the chat's wording).
var (
	mNeedHouseholdsAgree = msg{"还需 %d 户同意", "agreeing households still needed: %d"}
	mNeedHouseholdsVote  = msg{"还需 %d 户参与投票", "voting households still needed: %d"}
	mNeedOwnersAgree     = msg{"还需 %d 位业主同意", "agreeing owners still needed: %d"}
	mNeedOwnersVote      = msg{"还需 %d 位业主参与投票", "voting owners still needed: %d"}
	mNeedAreaAgree       = msg{"还需 %s m² 同意", "agreeing area still needed: %s m²"}
	mNeedAreaVote        = msg{"还需 %s m² 参与投票", "voting area still needed: %s m²"}
)

func neededText(l lang, r renovote.TestResult) string {
	if r.Pass {
		return ""
	}
	q := r.Test.Num
	vote := q == renovote.QVoted || q == renovote.QVotedArea || q == renovote.QVotedOwners
	owners := q == renovote.QOwners || q == renovote.QVotedOwners || q == renovote.QAgreeOwners
	switch {
	case q.IsArea() && vote:
		return mNeedAreaVote.f(l, renovote.Area(r.Needed).String())
	case q.IsArea():
		return mNeedAreaAgree.f(l, renovote.Area(r.Needed).String())
	case owners && vote:
		return mNeedOwnersVote.f(l, r.Needed)
	case owners:
		return mNeedOwnersAgree.f(l, r.Needed)
	case vote:
		return mNeedHouseholdsVote.f(l, r.Needed)
	}
	return mNeedHouseholdsAgree.f(l, r.Needed)
}

// noticeStatus names a notice's status.
var noticeStatus = map[renovote.NoticeStatus]msg{
	renovote.NoticeScheduled: {"定时发送", "scheduled"},
	renovote.NoticeSending:   {"发送中", "sending"},
	renovote.NoticeDone:      {"已发完", "sent"},
	renovote.NoticeCancelled: {"已取消", "cancelled"},
}

var noticeKinds = map[renovote.NoticeKind]msg{
	renovote.KindNotice:   {"通知", "notice"},
	renovote.KindReminder: {"催投提醒", "reminder"},
}

func roleWord(l lang, r renovote.Role) string {
	switch r {
	case renovote.RoleBureau:
		return words["role_bureau"].s(l)
	case renovote.RoleWorker:
		return words["role_worker"].s(l)
	case renovote.RoleAdmin:
		return words["role_admin"].s(l)
	}
	return string(r)
}
