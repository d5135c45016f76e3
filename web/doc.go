// Package web owns the staff dashboard: its HTTP handlers under /dashboard/
// and the signed links that open it.
//
// There is no password and no other way in. The bot gives a member of staff
// (bureau, worker, admin; never a resident) a short-lived link (/dashboard in
// chat, Dashboard.Link): an HMAC-SHA256 signature over the user id, the role,
// the compounds of their scope and an expiry (10 minutes by default). Opening
// it sets a session cookie, signed the same way with an expiry of its own
// (8 hours), HttpOnly and SameSite=Strict, and leads to the overview. Every
// other route needs that cookie and serves only the compounds of its scope
// (another compound is 404). When Config.Member is set, each request checks
// the member's current role and scope too, so a revoked member is out at
// once. An expired, forged or tampered link or cookie gets a page that says
// so, with status 403. The secret comes from the configuration; when it is
// random per process, every link and session dies with a restart. A link is
// kept nowhere: within its minutes it opens a session each time it is
// opened, which is why the bot sends it to the member's own chat only and
// the pages send no Referer.
//
// Pages, server-rendered with html/template, inline CSS and JS, nothing from
// another site (the dashboard works offline):
//
//	/dashboard/            every compound of the scope against its rule:
//	                       households, bound, voted, agree, each rule test with
//	                       a progress bar and its threshold, pass/fail, still needed
//	/dashboard/c/{id}      one compound: the same, its buildings, the survey's
//	                       items ranked, the notices with their delivery counts
//	/dashboard/report.xlsx the bureau's workbook (report.Build, report.XLSX) of
//	                       the scope, or of one compound with ?c=ID; never
//	                       owner names or phones
//	/dashboard/events      Server-Sent Events: the page's numbers whenever they
//	                       change (the counters are read every Config.Poll)
//	/dashboard/login?t=    the signed link
//	/dashboard/chart/{consent,survey,response}.png
//	                       the bureau's charts (package chart) of the scope,
//	                       or of one compound with ?c=ID, in the page's language
//
// Chinese first; English when the browser's Accept-Language prefers it. Time
// is an input (Config.Now) so that expiry is tested with a fake clock. No
// personal data (names, phones) is shown, and tokens are never logged.
//
// It reads through the small Source interface, which store.Store satisfies.
// It must not import go-telegram, go-redis, bot or dialogs.
package web
