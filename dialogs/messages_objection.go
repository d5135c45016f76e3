package dialogs

// The wording of /myvote (我的记录), /objection (异议), /objections and
// /publicity (公示), Chinese and English side by side; arguments in the same
// order in both languages.

// /myvote: what is recorded for the household.
var (
	mMyVoteHead        = msg{"🧾 本户的表决记录", "🧾 Your household's ballot record"}
	mMyVoteNone        = msg{"本户尚未投票，没有记录。", "No vote has been recorded for your household."}
	mMyVoteChoice      = msg{"意见：%s", "Choice: %s"}
	mMyVoteChannel     = msg{"方式：%s", "How: %s"}
	mMyVoteAt          = msg{"时间：%s", "Time: %s"}
	mMyVoteReceipt     = msg{"回执号：%s", "Receipt: %s"}
	mMyVoteByYou       = msg{"您本人在线投票", "you, in chat"}
	mMyVoteByMember    = msg{"本户另一位成员在线投票", "another member of your household, in chat"}
	mMyVoteByPaper     = msg{"纸质表决票，由社区工作人员录入", "a paper ballot, entered by a community worker"}
	mMyVoteByProxy     = msg{"委托书，由社区工作人员录入", "a proxy form, entered by a community worker"}
	mMyVoteEvidence    = msg{"（附有表决票照片）", " (with a photo of the ballot)"}
	mMyVoteOpen        = msg{"投票 %s 截止，截止前可以更改：/vote", "Voting closes %s; until then you may change it: /vote"}
	mMyVoteNotOpen     = msg{"投票将于 %s 开始。", "Voting opens %s."}
	mMyVoteClosed      = msg{"投票已于 %s 截止，以上是最终记录。", "Voting closed %s; this is the final record."}
	mMyVoteNotBound    = msg{"您还没有绑定住户，没有可查的记录。请先打开社区工作人员发给您的邀请链接。", "You have not linked your household, so there is no record to show. Please open the invitation link from the community workers first."}
	mPublicityOpenLine = msg{"📢 公示期：%s 至 %s。如对本户的记录有异议，请按下面的按钮或发送 /objection。", "📢 Public notice: %s to %s. If this record is wrong, press the button below or send /objection."}
	mPublicityNotYet   = msg{"📢 公示期：%s 至 %s。届时如对本户的记录有异议，可以发送 /objection 提出。", "📢 Public notice: %s to %s. If the record is wrong, you may object then with /objection."}
	mPublicityOver     = msg{"📢 公示期已于 %s 结束。如有疑问请联系社区工作人员。", "📢 The public notice ended %s. Questions? Contact the community workers."}
	mMyObjections      = msg{"本户提出的异议：", "Your household's objections:"}
	mMyObjectionLine   = msg{"%s · %s 提出 · %s", "%s · filed %s · %s"}
	mMyObjectionNote   = msg{"   处理说明：%s", "   Note: %s"}
	mBtnObject         = msg{"提出异议", "Object"}
)

// /objection: a resident objects during the publicity window.
var (
	mObjectionNotBound    = msg{"您还没有绑定住户，不能提出异议。请先打开社区工作人员发给您的邀请链接。", "You have not linked your household, so you cannot object. Please open the invitation link from the community workers first."}
	mObjectionNoWindow    = msg{"本小区没有设公示期，不能在这里提出异议。如有疑问请联系社区工作人员。", "Your compound has no public notice period, so objections cannot be made here. Questions? Contact the community workers."}
	mObjectionNotYet      = msg{"公示期为 %s 至 %s，届时才能提出异议。现在可以发送 /myvote 查看本户的记录。", "The public notice runs %s to %s; objections can be made then. Send /myvote to see your household's record now."}
	mObjectionOver        = msg{"公示期已于 %s 结束，不能再提出异议。如有疑问请联系社区工作人员。", "The public notice ended %s; objections can no longer be made. Questions? Contact the community workers."}
	mObjectionUnavailable = msg{"暂时不能在这里提出异议，请联系社区工作人员。", "Objections cannot be made here for now. Please contact the community workers."}
	mObjectionStart       = msg{"📝 提出异议（公示期至 %s）", "📝 Object to your record (public notice until %s)"}
	mObjectionRecorded    = msg{"本户的记录：%s", "Your household's record: %s"}
	mObjectionAsk         = msg{"请用文字写下您的异议（最多 %d 字），例如哪一项记录与实际不符。", "Please write your objection (at most %d characters), e.g. which part of the record is wrong."}
	mObjectionBlank       = msg{"请用文字写下您的异议。输入 /cancel 可退出。", "Please write your objection as text. /cancel to stop."}
	mObjectionCheck       = msg{"请核对您的异议：\n——\n%s\n——\n确认请按 [提交]；要修改请重新输入。", "Please check your objection:\n——\n%s\n——\nPress [Submit] to send it, or type it again to change it."}
	mObjectionExpectText  = msg{"请按 [提交] 或 [取消]，或重新输入异议。", "Please press [Submit] or [Cancel], or type the objection again."}
	mObjectionFiled       = msg{"✅ 异议已提交，编号 %s。\n社区工作人员会核实处理，处理后会通知您。可以发送 /myvote 查看。", "✅ Objection sent. Number: %s.\nThe community workers will look into it and tell you. Send /myvote to see it."}
	mObjectionFiledToast  = msg{"已提交", "Sent"}
	mObjectionCancelled   = msg{"已取消，异议未提交。", "Cancelled; the objection was NOT sent."}
	mObjectionNotFiled    = msg{"异议未提交。", "The objection was NOT sent."}
	mObjectionExpired     = msg{"这个异议已失效，请重新发送 /objection。", "This objection has expired. Please send /objection again."}
)

// Staff: the objection as workers get it, /objections, answers.
var (
	mObjectionHead        = msg{"【异议 %s】%s", "[Objection %s] %s"}
	mObjectionHousehold   = msg{"住户", "Household"}
	mObjectionFiledAt     = msg{"提交时间", "Filed"}
	mObjectionRecord      = msg{"本户记录", "Recorded"}
	mObjectionStatus      = msg{"状态", "Status"}
	mObjectionStatusOpen  = msg{"待处理", "open"}
	mObjectionStatusDone  = msg{"已处理", "handled"}
	mBtnObjectionHandled  = msg{"已处理", "Mark handled"}
	mObjectionHandledBtn  = msg{"✅ %s 已处理", "✅ %s handled"}
	mObjectionsHead       = msg{"⚖️ %s：待处理异议 %d 条（截至 %s）", "⚖️ %s: %d open objection(s) (as of %s)"}
	mObjectionsNone       = msg{"⚖️ 没有待处理的异议（截至 %s）。", "⚖️ No open objections (as of %s)."}
	mObjectionsMore       = msg{"还有 %d 条未显示，处理以上几条后再发送 /objections 查看。", "%d more not shown; handle these, then send /objections again."}
	mObjectionLine        = msg{"%s · %s · %s", "%s · %s · %s"}
	mObjectionAnsweredTo  = msg{"您提出的异议 %s 已由社区工作人员处理。如有疑问请联系社区工作人员。", "Your objection %s has been handled by the community workers. Questions? Contact them."}
	mObjectionAnsweredNt  = msg{"处理说明：%s", "Note: %s"}
	mObjectionUpdated     = msg{"已标记为已处理", "Marked handled"}
	mObjectionAlready     = msg{"这条异议已经处理过了。", "This objection has already been handled."}
	mObjectionNotFound    = msg{"找不到这条异议。", "No such objection."}
	mObjectionsNoneInPlan = msg{"本项目还没有小区设公示期。", "No compound of the programme has a public notice period yet."}
)

// /publicity: the printable notice (公示) of a compound.
var (
	mPublicityChoose      = msg{"打印哪个小区的公示？", "Which compound's public notice?"}
	mPublicityCaption     = msg{"📄 %s 表决结果公示（截至 %s）\n请用浏览器打开，按 A4 打印后张贴。不含任何住户个人信息。", "📄 %s: public notice of the ballot (as of %s)\nOpen it in a browser and print it on A4 for the bulletin board. It holds no personal data."}
	mPublicitySending     = msg{"正在生成公示…", "Preparing the notice…"}
	mPublicityUnavailable = msg{"公示功能没有配置。", "The public notice is not configured."}
	mPublicityNone        = msg{"您负责的范围内没有小区。", "There is no compound in your scope."}
	mPublicityMore        = msg{"共 %d 个小区，只列出前 %d 个。其他小区请发送：/publicity 小区名称", "%d compounds; only the first %d are listed. For another: /publicity <name>"}
)
