package dialogs

// Wording of /dashboard, the link to the web dashboard.
var (
	mDashboardLink = msg{
		"网页看板（%s）：\n%s\n\n链接在 %s 前有效，只供您本人使用，请勿转发。打开后，这个浏览器可以继续查看一段时间（数字实时更新，可下载表格）；看板不显示住户姓名和电话。过期后再发送 /dashboard 获取新链接。",
		"Web dashboard (%s):\n%s\n\nThe link works until %s and is for you alone: do not forward it. Once opened, this browser keeps the dashboard for a while (live numbers, spreadsheet download); it shows no owner names or phones. Send /dashboard again for a new link.",
	}
	mDashboardOff = msg{
		"网页看板未启用。请管理员配置 RENOVOTE_HTTP_ADDR 和 RENOVOTE_PUBLIC_URL。",
		"The web dashboard is not enabled. An admin can set RENOVOTE_HTTP_ADDR and RENOVOTE_PUBLIC_URL.",
	}
	mDashboardNone = msg{"您的查看范围内没有小区。", "There is no compound in your scope."}
	mHelpDashboard = msg{"/dashboard 网页看板：实时统计、各楼栋、调查结果、通知送达，可下载表格", "/dashboard the web dashboard: live tallies, buildings, survey results, notices' delivery, the spreadsheet"}
)
