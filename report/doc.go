// Package report builds the housing bureau's tables (汇总, 楼栋, 调查结果,
// 住户明细) from store data and writes them as XLSX, CSV and JSON.
//
// Build is pure apart from reading its Source; the writers are pure. Every
// pass/fail and "still needed" comes from the domain's integer rules
// (renovote.Rule.Evaluate); ratios are kept exact (renovote.Share) and turned
// into a float only inside a spreadsheet cell, to be shown as a percentage.
//
// Personal data (owner names and phones) is in the tables only when Build is
// asked for it (withPersonal); callers decide who may have it.
//
// It must not import go-telegram, go-redis, bot or dialogs: it reads through
// the small Source interface, which store.Store satisfies.
package report
