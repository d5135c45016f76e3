package dialogs

import (
	"fmt"
	"strings"

	"github.com/renovote/renovote"
)

// The wording of every message, Chinese and English side by side. Keep them
// short and plain: many residents are elderly. Arguments are in the same order
// in both languages.

type lang int

const (
	zh lang = iota
	en
)

// langOf: Chinese when the code is empty or starts with "zh", else English.
func langOf(code string) lang {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" || strings.HasPrefix(code, "zh") {
		return zh
	}
	return en
}

type msg struct{ zh, en string }

func (m msg) s(l lang) string {
	if l == zh {
		return m.zh
	}
	return m.en
}

func (m msg) f(l lang, args ...any) string { return fmt.Sprintf(m.s(l), args...) }

// General.
var (
	mBusy          = msg{"系统繁忙，请稍后再试。", "The system is busy. Please try again later."}
	mBusyVote      = msg{"系统繁忙，本次投票未记录，请稍后再试。", "The system is busy; the vote was NOT recorded. Please try again."}
	mHint          = msg{"请输入 /vote 查看方案并投票，或输入 /help 查看帮助。", "Send /vote to see the plan and vote, or /help for help."}
	mCancelled     = msg{"已取消。", "Cancelled."}
	mButtonExpired = msg{"按钮已过期，请重新输入 /vote", "This button has expired. Please send /vote again."}
	mNotAllowed    = msg{"您没有权限使用此功能。", "You are not allowed to do this."}
	mNotInScope    = msg{"这个小区不在您负责的范围内。", "This compound is not in your scope."}
	mNotBound      = msg{"您还没有绑定住户。请打开社区工作人员发给您的邀请链接或扫描二维码。", "You have not linked your household yet. Please open the invitation link or scan the QR code from the community workers."}
)

// /start and binding.
var (
	mGreeting              = msg{"您好！这里是「%s」的居民改造意愿投票。", "Hello! This is the consent ballot of the old-compound renovation programme “%s”."}
	mGreetingUnbound       = msg{"请使用社区工作人员发给您的邀请链接或二维码绑定您家，然后就可以投票。", "To vote, first link your household: open the invitation link or scan the QR code the community workers gave you."}
	mGreetingBound         = msg{"您已绑定：%s\n输入 /vote 查看方案并投票。", "Your household: %s\nSend /vote to see the plan and vote."}
	mTooManyAttempts       = msg{"尝试次数过多，请在 %d 分钟后再试。", "Too many attempts. Please try again in %d minutes."}
	mInviteInvalid         = msg{"邀请码无效。请核对链接，或向社区工作人员索取。", "This invitation code is not valid. Please check the link, or ask the community workers for one."}
	mInviteRevoked         = msg{"此邀请码已作废，请向社区工作人员索取新的邀请。", "This invitation has been cancelled. Please ask the community workers for a new one."}
	mHouseholdRemoved      = msg{"该住户已不在登记名册中，请联系社区工作人员。", "This household is no longer on the register. Please contact the community workers."}
	mConfirmHousehold      = msg{"请确认这是您家：\n🏠 %s", "Please confirm this is your home:\n🏠 %s"}
	mBtnYesMine            = msg{"是，这是我家", "Yes, this is my home"}
	mBtnNotMine            = msg{"不是", "No"}
	mBindReminder          = msg{"请按下面的按钮确认是否是您家。", "Please press a button below: is this your home?"}
	mBindExpired           = msg{"此按钮已失效，请重新打开您的邀请链接。", "This button has expired. Please open your invitation link again."}
	mBindDeclined          = msg{"已取消。如信息有误，请联系社区工作人员。", "Cancelled. If the details are wrong, please contact the community workers."}
	mBound                 = msg{"✅ 绑定成功！\n🏠 %s\n现在可以投票了。", "✅ Linked!\n🏠 %s\nYou can vote now."}
	mBoundToast            = msg{"绑定成功", "Linked"}
	mAlreadyThisHousehold  = msg{"您已绑定本户：\n🏠 %s", "You are already linked to this household:\n🏠 %s"}
	mAlreadyOtherHousehold = msg{"您的账号已绑定另一户：\n🏠 %s\n如需更换，请联系社区工作人员。", "Your account is already linked to another household:\n🏠 %s\nTo change it, please contact the community workers."}
	mAlreadyBoundElsewhere = msg{"您的账号已绑定另一户。如需更换，请联系社区工作人员。", "Your account is already linked to another household. To change it, please contact the community workers."}
	mHouseholdFull         = msg{"该户已有 %d 位成员绑定，不能再添加。如需更换，请联系社区工作人员。", "This household already has %d members linked; no more can be added. Please contact the community workers."}
	mBtnGoVote             = msg{"去投票", "Vote"}
)

// The ballot.
var (
	mPlan             = msg{"📋 改造方案：\n%s", "📋 Renovation plan:\n%s"}
	mWindow           = msg{"🗓 投票时间：%s 至 %s", "🗓 Voting: %s to %s"}
	mNoBallot         = msg{"本小区目前没有投票。如有疑问请联系社区工作人员。", "There is no ballot for your compound now. Questions? Contact the community workers."}
	mNoVoteYet        = msg{"本户尚未投票。", "No vote yet for this household."}
	mCurrentVote      = msg{"本户当前选择：%s（%s，%s）", "Current choice: %s (%s, %s)"}
	mNotOpenYet       = msg{"⏳ 投票尚未开始，将于 %s 开始，届时请再输入 /vote。", "⏳ Voting has not started yet. It opens on %s; send /vote again then."}
	mClosed           = msg{"投票已于 %s 截止，不能再更改。", "Voting closed on %s; no more changes."}
	mOpenChoose       = msg{"请选择（%s 截止前可以更改）：", "Please choose (you may change it until %s):"}
	mBtnAgree         = msg{"同意改造", "Agree to renovate"}
	mBtnDisagree      = msg{"不同意", "Disagree"}
	mChoiceAgree      = msg{"同意改造", "agree to renovate"}
	mChoiceDisagree   = msg{"不同意", "disagree"}
	mChannelChat      = msg{"本人/家庭成员", "by a household member in chat"}
	mChannelPaper     = msg{"纸质票", "paper ballot"}
	mChannelProxy     = msg{"委托书", "proxy form"}
	mRecorded         = msg{"✅ 已记录：%s\n时间：%s\n回执号：%s", "✅ Recorded: %s\nTime: %s\nReceipt: %s"}
	mRecordedVia      = msg{"方式：%s", "Via: %s"}
	mRecordedToast    = msg{"已记录", "Recorded"}
	mCanChange        = msg{"%s 截止前可以更改：", "You may change it until %s:"}
	mNotRecorded      = msg{"未记录。", "NOT recorded."}
	mVoteNotOpen      = msg{"投票尚未开始（%s 开始），本次选择未记录。", "Voting has not started yet (opens %s). Your choice was NOT recorded."}
	mVoteClosed       = msg{"投票已于 %s 截止，本次选择未记录。", "Voting closed on %s. Your choice was NOT recorded."}
	mVoteNotBound     = msg{"您还没有绑定住户，不能投票。请先打开社区工作人员发给您的邀请链接。", "You have not linked your household, so you cannot vote. Please open the invitation link from the community workers first."}
	mNotYourHousehold = msg{"这个按钮不属于您的住户，请输入 /vote 重新打开。", "This button is not for your household. Please send /vote again."}
	mMemberChanged    = msg{"本户的选择已由另一位成员更新为：%s（%s）", "Your household's choice was changed by another member to: %s (%s)"}
	mMemberPaper      = msg{"社区工作人员已为本户登记%s：%s（%s）。如有疑问请联系社区工作人员。", "A community worker recorded a %s for your household: %s (%s). Questions? Contact the community workers."}
)

// Paper and proxy ballots (staff).
var (
	mPaperChooseCompound  = msg{"录入纸质票或委托书。请选择小区：", "Enter a paper ballot or proxy. Choose the compound:"}
	mPaperTypeCompound    = msg{"录入纸质票或委托书。请输入小区名称或编号：", "Enter a paper ballot or proxy. Type the compound's name or id:"}
	mPaperUnknownCompound = msg{"找不到这个小区，请核对名称或编号。", "No such compound. Please check the name or id."}
	mPaperAskHousehold    = msg{"%s\n请输入门牌号：楼栋-单元-房号，例如 3-2-301", "%s\nType the household as building-unit-room, e.g. 3-2-301"}
	mPaperNoSuchHousehold = msg{"%s 没有这一户，请核对后重新输入（例如 3-2-301）。", "%s has no such household. Please check and type it again (e.g. 3-2-301)."}
	mOwner                = msg{"户主：%s", "Owner: %s"}
	mPaperAskChoice       = msg{"请选择表决方式和意见：", "Choose the kind of ballot and the answer:"}
	mBtnPaperAgree        = msg{"纸质票·同意", "Paper · agree"}
	mBtnPaperDisagree     = msg{"纸质票·不同意", "Paper · disagree"}
	mBtnProxyAgree        = msg{"委托书·同意", "Proxy · agree"}
	mBtnProxyDisagree     = msg{"委托书·不同意", "Proxy · disagree"}
	mBtnCancel            = msg{"取消", "Cancel"}
	mBtnSkip              = msg{"跳过", "Skip"}
	mBtnConfirm           = msg{"确认", "Confirm"}
	mPaperWillRecord      = msg{"将登记：%s · %s", "To record: %s · %s"}
	mPaperAskEvidence     = msg{"请发送表决票照片作为凭证，或按 [跳过]。", "Send a photo of the ballot as evidence, or press [Skip]."}
	mEvidencePhoto        = msg{"已附照片", "photo attached"}
	mEvidenceNone         = msg{"无", "none"}
	mPaperSummary         = msg{"请核对：\n🏠 %s\n方式：%s\n意见：%s\n凭证：%s", "Please check:\n🏠 %s\nKind: %s\nAnswer: %s\nEvidence: %s"}
	mPaperNext            = msg{"可继续输入下一户门牌号，或输入 /cancel 结束。", "Type the next household, or /cancel to finish."}
	mPaperCancelled       = msg{"已取消，未记录。", "Cancelled; nothing recorded."}
	mPaperButtonExpired   = msg{"按钮已过期，请重新输入 /paper", "This button has expired. Please send /paper again."}
	mPaperExpectCompound  = msg{"请按按钮选择小区，或输入小区名称或编号。输入 /cancel 可退出。", "Please choose the compound with a button, or type its name or id. /cancel to stop."}
	mPaperExpectHousehold = msg{"请输入门牌号，例如 3-2-301。输入 /cancel 可退出。", "Please type the household, e.g. 3-2-301. /cancel to stop."}
	mPaperExpectChoice    = msg{"请按按钮选择表决方式和意见。输入 /cancel 可退出。", "Please choose the kind of ballot and the answer with a button. /cancel to stop."}
	mPaperExpectEvidence  = msg{"请发送表决票照片，或按 [跳过]。输入 /cancel 可退出。", "Please send a photo of the ballot, or press [Skip]. /cancel to stop."}
	mPaperExpectConfirm   = msg{"请按 [确认] 或 [取消]。", "Please press [Confirm] or [Cancel]."}
	mPaperUsage           = msg{"用法：/paper 小区 楼栋-单元-房号 同意|不同意 [paper|proxy]\n例如：/paper 粮贸小区 3-2-301 同意 paper", "Usage: /paper <compound> <building-unit-room> <agree|disagree> [paper|proxy]\nFor example: /paper liangmao 3-2-301 agree paper"}
)

// Tallies.
var (
	mTallyHeader         = msg{"📊 %s 统计（截至 %s）", "📊 %s tally (as of %s)"}
	mTallyCounts         = msg{"总户数 %d，已投票 %d 户", "Households %d, voted %d"}
	mTallyCountsStaff    = msg{"总户数 %d，已绑定 %d 户，已投票 %d 户", "Households %d, linked %d, voted %d"}
	mTallyChoices        = msg{"同意 %d，不同意 %d，未投票 %d", "Agree %d, disagree %d, not voted %d"}
	mTallyArea           = msg{"面积（m²）：总 %s，已投票 %s，同意 %s", "Area (m²): total %s, voted %s, agree %s"}
	mTallyOwners         = msg{"业主：共 %d 人，已投票 %d 人，同意 %d 人", "Owners: %d, voted %d, agree %d"}
	mTestPass            = msg{"：通过", ": PASS"}
	mTestFail            = msg{"：未通过，", ": FAIL, "}
	mNeedHouseholdsAgree = msg{"还需 %d 户同意", "agreeing households still needed: %d"}
	mNeedHouseholdsVote  = msg{"还需 %d 户参与投票", "voting households still needed: %d"}
	mNeedOwnersAgree     = msg{"还需 %d 位业主同意", "agreeing owners still needed: %d"}
	mNeedOwnersVote      = msg{"还需 %d 位业主参与投票", "voting owners still needed: %d"}
	mNeedAreaAgree       = msg{"还需 %s m² 同意", "agreeing area still needed: %s m²"}
	mNeedAreaVote        = msg{"还需 %s m² 参与投票", "voting area still needed: %s m²"}
	mTallyPass           = msg{"结果：已达到规则要求。", "Result: the rule is met."}
	mTallyFail           = msg{"结果：尚未达到规则要求。", "Result: the rule is not met yet."}
	mTallyMore           = msg{"共 %d 个小区，只显示前 %d 个。查看某个小区：/tally 小区名称", "%d compounds; only the first %d are shown. For one compound: /tally <name>"}
	mTallyNotPublished   = msg{"本小区的投票统计暂未公示，请留意社区通知。", "Your compound's tally has not been published yet. Please watch for the community's notices."}
)

// quantityLabels name the numbers a rule test compares.
var quantityLabels = map[renovote.Quantity]msg{
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

// Roles, staff and help.
var (
	mRoleResident      = msg{"居民", "resident"}
	mRoleWorker        = msg{"社区工作人员", "community worker"}
	mRoleBureau        = msg{"住建局", "housing bureau"}
	mRoleAdmin         = msg{"管理员", "admin"}
	mAllCompounds      = msg{"全部小区", "all compounds"}
	mYourRole          = msg{"您的身份：%s", "Your role: %s"}
	mUnknownCompounds  = msg{"找不到这些小区：%s", "No such compound: %s"}
	mAddWorkerUsage    = msg{"用法：/addworker 用户ID [小区,小区…|all]（不写小区即全部小区）", "Usage: /addworker <user id> [compound,compound…|all] (all compounds when none is named)"}
	mWorkerAdded       = msg{"已添加工作人员 %d（%s）。", "Worker %d added (%s)."}
	mStaffHeader       = msg{"👥 工作人员名单（截至 %s）", "👥 Staff (as of %s)"}
	mStaffConfigAdmin  = msg{"%d · 管理员（配置文件）", "%d · admin (configuration)"}
	mStaffAdded        = msg{"%s 由 %s 添加", "added %s by %s"}
	mStaffNone         = msg{"（还没有其他工作人员）", "(no other staff yet)"}
	mStaffFooter       = msg{"邀请：/invite_staff worker 小区；取消：/revoke_staff 用户ID", "Invite: /invite_staff worker <compound>; revoke: /revoke_staff <user id>"}
	mRevokeUsage       = msg{"用法：/revoke_staff 用户ID", "Usage: /revoke_staff <user id>"}
	mRevokeConfigAdmin = msg{"%d 是配置文件里的管理员，不能在这里取消。", "%d is an admin of the configuration and cannot be revoked here."}
	mNotStaff          = msg{"用户 %d 不是工作人员。", "User %d is not staff."}
	mStaffRevoked      = msg{"已取消用户 %d 的身份（%s）。", "User %d is no longer staff (was: %s)."}
	mYouAreRevoked     = msg{"您的工作人员身份已被取消。", "Your staff role has been revoked."}
	mHelpResident      = msg{
		"可以使用的命令：\n/vote 查看改造方案并投票\n/survey 填写改造需求调查\n/report_problem 反馈问题（可以带照片）\n/notices 本小区的通知\n/tally 查看本小区统计（如已公示）\n/myvote 查看本户的表决记录\n/objection 公示期内对本户记录提出异议\n/cancel 取消当前操作\n/help 帮助\n绑定住户：请打开社区工作人员发给您的邀请链接。",
		"Commands:\n/vote see the plan and vote\n/survey fill in the renovation survey\n/report_problem report a problem (photos welcome)\n/notices your compound's notices\n/tally your compound's tally (when published)\n/myvote see what is recorded for your household\n/objection object to your household's record during the public notice\n/cancel stop what you are doing\n/help this help\nTo link your household, open the invitation link from the community workers.",
	}
	mHelpStaff  = msg{"工作人员命令：", "Staff commands:"}
	mHelpBureau = msg{"住建局命令（只能查看，不能修改）：", "Housing bureau commands (read only):"}
	mHelpRead   = msg{
		"/tally 各小区统计；/tally 小区名称 查看一个小区\n/survey_results 调查结果；/survey_results 小区名称 查看一个小区\n/reports 待处理的问题反馈；/reports 小区名称\n/objections 居民的异议（公示期）；/objections 小区名称\n/report 住建局报表（各小区表决情况和调查前三项），可下载表格\n/publicity [小区] 表决结果公示（HTML，可打印张贴）",
		"/tally every compound's tally; /tally <name> one compound\n/survey_results survey results; /survey_results <name> one compound\n/reports open problem reports; /reports <name>\n/objections residents' objections (public notice); /objections <name>\n/report the bureau's report (each compound's ballot, the survey's top 3), with a spreadsheet\n/publicity [compound] the public notice of the ballot (HTML, to print and post)",
	}
	mHelpNotices    = msg{"/notices 通知和送达情况\n/undelivered 未能送达的消息\n/schedule 定时任务：下次和上次运行", "/notices notices and their delivery\n/undelivered messages that could not be delivered\n/schedule scheduled jobs: next and last runs"}
	mHelpNoticesAll = msg{"/notices_all 全部通知和送达情况\n/undelivered 未能送达的消息\n/schedule 定时任务：下次和上次运行", "/notices_all every notice and its delivery\n/undelivered messages that could not be delivered\n/schedule scheduled jobs: next and last runs"}
	mHelpWork       = msg{
		"/paper 录入纸质票或委托书\n/paper 小区 3-2-301 同意 [paper|proxy] 快速录入\n/notice 给住户发通知（可带照片或文件，可定时）\n/nonvoters [小区] 未投票住户名单（扫楼用），可提醒他们投票\n/supervisor 用户ID [小区] 设为民间监理员；/supervisor remove 用户ID [小区] 取消",
		"/paper enter a paper ballot or proxy\n/paper <compound> 3-2-301 agree [paper|proxy] quick entry\n/notice send residents a notice (photo or file welcome, now or later)\n/nonvoters [compound] households that have not voted (door to door), and remind them\n/supervisor <user id> [compound] name a resident supervisor; /supervisor remove <user id> [compound]",
	}
	mHelpStaffAdmin = msg{
		"/staff 工作人员名单\n/invite_staff worker 小区[,小区…|all] 邀请社区工作人员\n/revoke_staff 用户ID 取消工作人员身份",
		"/staff list the staff\n/invite_staff worker <compound>[,<compound>…|all] invite a community worker\n/revoke_staff <user id> revoke a member of staff",
	}
	mHelpAdmin = msg{
		"/invite_staff bureau 邀请住建局人员\n/addworker 用户ID [小区,…|all] 直接添加工作人员",
		"/invite_staff bureau invite a member of the housing bureau\n/addworker <user id> [compound,…|all] add a worker directly",
	}
	mHelpBasics = msg{"/help 帮助\n/cancel 取消当前操作", "/help this help\n/cancel stop what you are doing"}
)

// Staff invitations.
var (
	mInviteStaffUsage = msg{
		"用法：\n/invite_staff worker 小区[,小区…|all] 邀请社区工作人员\n/invite_staff bureau 邀请住建局人员（仅管理员）",
		"Usage:\n/invite_staff worker <compound>[,<compound>…|all] invite a community worker\n/invite_staff bureau invite a member of the housing bureau (admins only)",
	}
	mInviteStaffCreated    = msg{"✅ 已创建邀请：%s\n请把下面的链接转发给这位新成员。只能使用一次，%s 前有效：\n%s", "✅ Invitation created: %s\nForward the link below to the new member. It works once, until %s:\n%s"}
	mInviteStaffCreatedCmd = msg{"✅ 已创建邀请：%s\n请让这位新成员向本机器人发送下面这条消息。只能使用一次，%s 前有效：\n%s", "✅ Invitation created: %s\nAsk the new member to send the bot the message below. It works once, until %s:\n%s"}
	mStaffInviteConfirm    = msg{"👥 工作人员邀请\n接受后您的身份：%s", "👥 Staff invitation\nIf you accept, your role: %s"}
	mStaffInviteGeneric    = msg{"👥 工作人员邀请\n接受后您将成为本项目的工作人员，身份和负责的小区以邀请为准。", "👥 Staff invitation\nIf you accept, you join this programme's staff with the role and compounds of the invitation."}
	mStaffInviteCurrent    = msg{"您现在的身份：%s（邀请不会降低已有的身份）", "Your role now: %s (an invitation never lowers a role)"}
	mBtnAccept             = msg{"接受", "Accept"}
	mBtnDecline            = msg{"不接受", "Decline"}
	mStaffInviteInvalid    = msg{"这个工作人员邀请无效。请核对链接，或让邀请人重新发一个。", "This staff invitation is not valid. Please check the link, or ask for a new one."}
	mStaffInviteUsed       = msg{"这个工作人员邀请已被使用或已过期。请让邀请人重新发一个。", "This staff invitation has been used or has expired. Please ask for a new one."}
	mStaffInviteAccepted   = msg{"✅ 已接受邀请。您现在的身份：%s", "✅ Invitation accepted. Your role now: %s"}
	mStaffInviteToast      = msg{"已接受", "Accepted"}
	mStaffInviteDeclined   = msg{"已取消，您的身份没有变化。", "Declined; your role has not changed."}
	mStaffInviteReminder   = msg{"请按下面的按钮，接受或不接受工作人员邀请。", "Please press a button below: accept the staff invitation or not."}
	mStaffInviteExpired    = msg{"这个按钮已失效，请重新打开邀请链接。", "This button has expired. Please open the invitation link again."}
)

// Notices (通知).
var (
	mNoticeStep           = msg{"📢 发通知 · 第 %d/%d 步", "📢 New notice · Step %d of %d"}
	mNoticeReminderTitle  = msg{"📢 提醒未投票住户", "📢 Remind the households that have not voted"}
	mNoticeAskCompounds   = msg{"发给哪些小区？点选小区（再点一次取消），选好按 [下一步]。", "Which compounds? Tap them (tap again to unchoose), then press [Next]."}
	mNoticeTypeCompounds  = msg{"发给哪些小区？请输入小区名称或编号，多个用逗号分开；全部小区请输入 全部。", "Which compounds? Type their names or ids, separated by commas; type all for every compound."}
	mNoticeTo             = msg{"发给：%s", "To: %s"}
	mNoticeNoneChosen     = msg{"（还没选）", "(none yet)"}
	mBtnAll               = msg{"全部", "All"}
	mBtnAllBuildings      = msg{"全部楼栋", "All buildings"}
	mNoticeAskBuildings   = msg{"只发给某些楼栋吗？点选楼栋（再点一次取消），选好按 [下一步]；整个小区请按 [全部楼栋]。", "Only some buildings? Tap them (tap again to unchoose), then press [Next]; for the whole compound press [All buildings]."}
	mNoticeAskText        = msg{"请发送通知内容（最多 %d 字）。也可以发一张照片或一个文件，说明文字就是通知内容（带附件最多 %d 字）。", "Send the notice's text (at most %d characters). You may send one photo or one file instead, with the text as its caption (at most %d characters then)."}
	mNoticeAskWhen        = msg{"什么时候发送？按 [立即发送]，或输入时间，例如 %s", "When? Press [Send now], or type a time such as %s"}
	mBtnSendNow           = msg{"立即发送", "Send now"}
	mNoticeBadTime        = msg{"看不懂这个时间。请按 [立即发送]，或输入时间，例如 %s", "Cannot read that time. Press [Send now], or type a time such as %s"}
	mNoticePastTime       = msg{"这个时间已经过去了，请输入以后的时间，例如 %s", "That time has passed; please type a later one, such as %s"}
	mNoticePreview        = msg{"📢 请核对。住户将收到：", "📢 Please check. Residents will receive:"}
	mNoticeRecipients     = msg{"收件人：%d 人（已绑定的住户成员，屏蔽了机器人的除外）", "Recipients: %d (linked household members, less those who blocked the bot)"}
	mNoticeRemindCount    = msg{"收件人：%d 人（还没投票的住户的已绑定成员）", "Recipients: %d (linked members of the households that have not voted)"}
	mNoticeWhenNow        = msg{"发送时间：立即", "Sending: now"}
	mNoticeWhenAt         = msg{"发送时间：%s", "Sending: %s"}
	mNoticeAttachPhoto    = msg{"附件：照片", "Attachment: a photo"}
	mNoticeAttachDoc      = msg{"附件：文件 %s", "Attachment: the file %s"}
	mNoticeNoRecipients   = msg{"现在没有可以送达的住户，不能立即发送。", "Nobody can be reached now, so it cannot be sent now."}
	mBtnSend              = msg{"确认发送", "Send"}
	mBtnEditText          = msg{"修改内容", "Change the text"}
	mNoticeCancelled      = msg{"已取消，通知没有发送。", "Cancelled; the notice was NOT sent."}
	mNoticeExpired        = msg{"这份通知已过期，请重新输入 /notice", "This notice has expired. Please send /notice again."}
	mNoticeNeedContent    = msg{"请发送通知内容：文字、一张照片或一个文件。", "Please send the notice: text, a photo or a file."}
	mNoticeExpectButtons  = msg{"请在通知消息里按按钮。输入 /cancel 可退出。", "Please press a button in the notice message. /cancel to stop."}
	mNoticeMoved          = msg{"📢 发通知：请看下方最新的消息。", "📢 New notice: please see the latest message below."}
	mNoticeChooseOne      = msg{"请至少选一个小区。", "Choose at least one compound."}
	mNoticeNoCompounds    = msg{"您负责的范围里没有小区。", "There is no compound in your scope."}
	mNoticeConfirmed      = msg{"📢 通知 %s（%s）：", "📢 Notice %s (%s):"}
	mNoticeSendingToast   = msg{"开始发送", "Sending"}
	mNoticeScheduled      = msg{"⏰ 通知 %s 将在 %s 发送。发送前可以取消。", "⏰ Notice %s will be sent on %s. You may cancel it until then."}
	mNoticeScheduledToast = msg{"已安排", "Scheduled"}
	mBtnCancelSend        = msg{"取消发送", "Cancel sending"}
	mBtnCancelNotice      = msg{"取消发送 %s", "Cancel %s"}
	mNoticeCancelledSend  = msg{"通知 %s 已取消，不会发送。", "Notice %s is cancelled; it will not be sent."}
	mNoticeCancelledToast = msg{"已取消发送", "Cancelled"}
	mNoticeAlreadySent    = msg{"通知 %s 已经开始发送，不能取消。", "Notice %s is being sent already; it cannot be cancelled."}
	mNoticeNotFound       = msg{"找不到这个通知。", "No such notice."}
	mProgressSending      = msg{"📢 通知 %s 正在发送：%d/%d …", "📢 Notice %s: sending %d/%d …"}
	mProgressDone         = msg{"✅ 通知 %s：已送达 %d，无法送达 %d（已屏蔽机器人），失败 %d", "✅ Notice %s: delivered %d, unreachable %d (blocked the bot), failed %d"}
	mProgressCancelled    = msg{"通知 %s 已取消，没有发送。", "Notice %s was cancelled and not sent."}
	mNoticesHeader        = msg{"📢 通知（截至 %s）", "📢 Notices (as of %s)"}
	mUndeliveredHeader    = msg{"⚠️ 未能送达的消息（重试多次后放弃），最近 %d 条：", "⚠️ Messages given up on after retries, latest %d:"}
	mUndeliveredNone      = msg{"没有未能送达的消息。", "No message was given up on."}
	mUndeliveredLine      = msg{"%s · 通知 %s · 用户 %d · %s", "%s · notice %s · user %d · %s"}
	mNoticesNone          = msg{"还没有通知。", "No notices yet."}
	mNoticesOf            = msg{"📢 %s 的通知", "📢 Notices of %s"}
	mNoticesOfNone        = msg{"本小区还没有通知。", "Your compound has no notices yet."}
	mNoticeStScheduled    = msg{"⏰ %s 发送", "⏰ sends %s"}
	mNoticeStSending      = msg{"发送中", "sending"}
	mNoticeStDone         = msg{"已完成", "done"}
	mNoticeLate           = msg{"（晚于预定时间发出）", " (sent later than planned)"}
	mNoticeStCancelled    = msg{"已取消", "cancelled"}
	mNoticeCounts         = msg{"送达 %d/%d，无法送达 %d，失败 %d", "delivered %d/%d, unreachable %d, failed %d"}
	mKindReminder         = msg{"催投", "reminder"}
	mReminderText         = msg{"「%s」：您家还没有对%s的改造方案投票。投票 %s 截止，每户一票，截止前可以更改。请输入 /vote 查看方案并投票。", "%s: your household has not voted on the renovation plan of %s yet. Voting closes on %s; one vote per household, which you may change until then. Send /vote to see the plan and vote."}
)

// The door-to-door list (扫楼).
var (
	mNonVotersChoose  = msg{"🚪 未投票住户名单（扫楼）。请选择小区：", "🚪 Households that have not voted (door to door). Choose the compound:"}
	mNonVotersUsage   = msg{"用法：/nonvoters 小区名称", "Usage: /nonvoters <compound>"}
	mNonVotersHead    = msg{"🚪 %s：%d 户未投票（共 %d 户，截至 %s）", "🚪 %s: %d households have not voted (of %d, as of %s)"}
	mNonVotersNone    = msg{"🎉 %s 所有住户都已投票。", "🎉 Every household of %s has voted."}
	mUnreachableMark  = msg{"（无法联系）", " (unreachable)"}
	mNonVotersLegend  = msg{"（无法联系）：已绑定的成员都屏蔽了机器人，只能上门。", "(unreachable): every linked member blocked the bot, so visit them."}
	mNonVotersPrivacy = msg{"含户主和电话的名单见下面的文件，仅供入户使用，请勿外传。", "The list with owners and phones is in the file below: for door visits only, do not pass it on."}
	mNonVotersFile    = msg{"%s 未投票住户名单（%s）", "%s: households that have not voted (%s)"}
	mBtnRemind        = msg{"提醒未投票住户", "Remind them"}
	mRemindNotOpen    = msg{"投票现在没有开放，不能提醒。", "Voting is not open now; no reminder can be sent."}
)

// The survey (摸底调查).
var (
	mSurveyNotBound         = msg{"您还没有绑定住户，不能填写调查。请先打开社区工作人员发给您的邀请链接。", "You have not linked your household, so you cannot answer the survey. Please open the invitation link from the community workers first."}
	mSurveyNone             = msg{"本小区目前没有改造需求调查。", "There is no renovation survey for your compound."}
	mSurveyWindow           = msg{"🗓 调查时间：%s 至 %s", "🗓 Survey: %s to %s"}
	mSurveyNotOpen          = msg{"⏳ 改造需求调查还没开始，%s 开始，届时请再输入 /survey。", "⏳ The renovation survey has not started yet. It opens on %s; send /survey again then."}
	mSurveyClosed           = msg{"改造需求调查已于 %s 截止，不能再填写或修改。", "The renovation survey closed on %s; no more answers or changes."}
	mSurveyResume           = msg{"📝 您有一份还没提交的改造需求调查。", "📝 You have a renovation survey that is not submitted yet."}
	mBtnSurveyContinue      = msg{"继续上次的调查", "Continue"}
	mBtnSurveyRestart       = msg{"重新开始", "Start over"}
	mBtnSurvey              = msg{"填写改造需求调查", "Fill in the survey"}
	mSurveyStepOf           = msg{"📝 改造需求调查 · 第 %d/%d 步", "📝 Renovation survey · Step %d of %d"}
	mSurveyPart             = msg{"【%s】", "[%s]"}
	mSurveyPartGoal         = msg{"【%s】%s", "[%s] %s"}
	mSurveyUrgentAsk        = msg{"下面是必须改造的项目。哪些对您家最急？最多选 %d 项，最急的先点，再点一次取消。选好按 [下一步]。", "These items must be done. Which are most urgent for your home? Choose up to %d, most urgent first; tap again to unchoose. Then press [Next]."}
	mSurveyChosen           = msg{"已选：%s", "Chosen: %s"}
	mSurveyMaxUrgent        = msg{"最多选 %d 项。要换，请先点一个已选的取消。", "At most %d. To change, first tap a chosen one to unchoose it."}
	mSurveyUpgradesAsk      = msg{"下面是提升项目（不是必须做的）。您家想要哪些？可以多选，再点一次取消。选好按 [下一步]。", "These are upgrades (not required). Which would your home like? Choose any; tap again to unchoose. Then press [Next]."}
	mSurveyUpgradesChosen   = msg{"已选 %d 项", "Chosen: %d"}
	mSurveyContributeAsk    = msg{"改造可能需要居民出一部分钱。您家愿意出资吗？大约多少？", "Residents may be asked to pay a part of the works. Would your home contribute? About how much?"}
	mBtnNoContribution      = msg{"不愿意出资", "No"}
	mSurveyCommentAsk       = msg{"还有其他意见或建议吗？请直接打字发送（最多 %d 字），没有就按 [跳过]。", "Anything else to tell us? Type it and send it (at most %d characters), or press [Skip]."}
	mSurveyCommentHave      = msg{"您写的意见：\n%s\n\n要改就重新发送；按 [下一步] 保留。", "Your comment:\n%s\n\nSend a new one to change it; press [Next] to keep it."}
	mBtnClearComment        = msg{"清除意见", "Clear comment"}
	mTextTooLong            = msg{"太长了：最多 %d 字，您发了 %d 字。没有保存，请缩短后重新发送。", "Too long: at most %d characters, yours has %d. Not saved; please shorten it and send it again."}
	mSurveyPhotosAsk        = msg{"有问题的地方可以拍照发来（最多 %d 张，可以加说明文字），发完按 [完成]。没有照片就直接按 [完成]。", "You may send photos of problems (up to %d, with a caption if you like), then press [Done]. No photos? Just press [Done]."}
	mSurveyPhotosHave       = msg{"已收到 %d 张照片。", "Photos received: %d."}
	mBtnClearPhotos         = msg{"清除照片", "Remove photos"}
	mBtnDone                = msg{"完成", "Done"}
	mBtnBack                = msg{"上一步", "Back"}
	mBtnNext                = msg{"下一步", "Next"}
	mBtnSubmit              = msg{"提交", "Submit"}
	mBtnChange              = msg{"从头修改", "Change from step 1"}
	mPhotoReceived          = msg{"已收到第 %d 张照片。还可以再发 %d 张，发完请按 [%s]。", "Photo %d received. You may send %d more; then press [%s]."}
	mPhotoReceivedFull      = msg{"已收到第 %d 张照片，照片已满。请按 [%s]。", "Photo %d received; that is the most allowed. Please press [%s]."}
	mPhotoTooMany           = msg{"最多只能发 %d 张照片，这张没有收下。请按 [%s]。", "At most %d photos; this one was NOT added. Please press [%s]."}
	mPhotoTooBig            = msg{"这张照片太大（超过 %d MB），没有收下。请换一张小一点的。", "This photo is too big (over %d MB); it was NOT added. Please send a smaller one."}
	mCaptionTooLong         = msg{"照片说明太长：最多 %d 字，您写了 %d 字。这张照片没有收下，请缩短说明后重新发送。", "The caption is too long: at most %d characters, yours has %d. The photo was NOT added; please send it again with a shorter caption."}
	mSurveyReviewTitle      = msg{"📝 改造需求调查 · 请核对", "📝 Renovation survey · Please check"}
	mSurveyPrefilled        = msg{"您家已提交过（%s），可以查看和修改，以最后一次提交为准。", "Your household answered already (%s); review or change it. The latest answer counts."}
	mSurveyReviewUrgent     = msg{"最急（%s）：%s", "Most urgent (%s): %s"}
	mSurveyReviewUpgrades   = msg{"想要的提升项目：%s", "Upgrades wanted: %s"}
	mSurveyReviewContribute = msg{"出资：%s", "Contribution: %s"}
	mSurveyNoContribution   = msg{"不愿意出资", "not willing to contribute"}
	mSurveyUnanswered       = msg{"未回答", "not answered"}
	mSurveyReviewComment    = msg{"其他意见：%s", "Comment: %s"}
	mSurveyReviewPhotos     = msg{"照片：%d 张", "Photos: %d"}
	mSurveyReviewAsk        = msg{"没问题请按 [提交]。", "If all is right, press [Submit]."}
	mNone                   = msg{"无", "none"}
	mWithPart               = msg{"%s（%s）", "%s (%s)"}
	mSurveySubmitted        = msg{"✅ 已提交，谢谢！\n%s 前可以修改：再输入 /survey。", "✅ Submitted, thank you!\nYou may change it until %s: send /survey again."}
	mSurveySubmittedToast   = msg{"已提交", "Submitted"}
	mSurveyNotSubmitted     = msg{"本次没有提交。", "NOT submitted."}
	mSurveyStale            = msg{"问卷和最新的改造菜单对不上。", "The survey no longer matches the current menu."}
	mSurveyHouseholdChanged = msg{"您绑定的住户已变更，这份问卷作废，没有提交。请重新输入 /survey。", "Your linked household has changed; this survey is void and was NOT submitted. Please send /survey again."}
	mSurveyCancelled        = msg{"已取消，这次填写的内容没有保存。", "Cancelled; nothing from this survey was saved."}
	mSurveyCancelledKept    = msg{"已取消。您家之前提交的回答不变。", "Cancelled. Your household's earlier answer stands."}
	mSurveyExpired          = msg{"这个问卷已过期，请重新输入 /survey", "This survey has expired. Please send /survey again."}
	mSurveyOldStep          = msg{"这是之前的步骤，请用最新的问卷消息。", "That step is over; please use the latest survey message."}
	mSurveyMoved            = msg{"📝 改造需求调查：请看下方最新的消息。", "📝 Renovation survey: please see the latest message below."}
	mSurveyExpectItems      = msg{"请在问卷消息里点选项目，选好按 [下一步]。", "Please tap the items in the survey message, then press [Next]."}
	mSurveyExpectContribute = msg{"请在问卷消息里按按钮，选择是否出资。", "Please press a button in the survey message: would you contribute?"}
	mSurveyExpectComment    = msg{"请打字写下您的意见，或按 [跳过]。", "Please type your comment, or press [Skip]."}
	mSurveyExpectPhoto      = msg{"现在请发送照片，或按 [完成]。", "Please send a photo now, or press [Done]."}
	mSurveyExpectSubmit     = msg{"请在问卷消息里按 [提交]，或按 [取消]。", "Please press [Submit] in the survey message, or [Cancel]."}
	mSurveyFindIt           = msg{"找不到问卷消息？请输入 /survey 继续。", "Cannot find the survey message? Send /survey to continue."}
	mSurveyPhotoNotNow      = msg{"现在还没到发照片的一步，这张照片没有收下。", "It is not the photo step yet; this photo was NOT added."}
)

// Survey results (staff).
var (
	mResultsAsOf           = msg{"📋 %s 改造需求调查结果（截至 %s）", "📋 %s: survey results (as of %s)"}
	mResultsTitle          = msg{"📋 %s 改造需求调查", "📋 %s: renovation survey"}
	mResultsResponse       = msg{"已回复 %d 户，共 %d 户（%s）", "Answered: %d of %d households (%s)"}
	mResultsNoAnswers      = msg{"还没有住户回复。", "No household has answered yet."}
	mResultsUrgent         = msg{"【最急需的必改项目】按得分排序：第一选择 3 分，第二 2 分，第三 1 分；①②③ 后是选它为第一、二、三的户数", "[Most urgent must-do items] by score: 1st choice 3 points, 2nd 2, 3rd 1; ①②③ are the households per choice"}
	mResultsUrgentLine     = msg{"%d. %s：%d 分，%d 户（占回复 %s，占总户数 %s）", "%d. %s: score %d, households %d (%s of respondents, %s of all)"}
	mResultsUpgrades       = msg{"【想要的提升项目】", "[Upgrades wanted]"}
	mResultsUpgradeLine    = msg{"%d. %s：%d 户（占回复 %s，占总户数 %s）", "%d. %s: households %d (%s of respondents, %s of all)"}
	mResultsNoneYet        = msg{"（暂无）", "(none yet)"}
	mResultsContribute     = msg{"【出资意愿】愿意出资 %d 户（占回复 %s）", "[Contribution] willing: households %d (%s of respondents)"}
	mResultsBand           = msg{"· %s：%d 户（%s）", "· %s: households %d (%s)"}
	mResultsCounts         = msg{"其他意见 %d 条，照片 %d 张", "Comments: %d, photos: %d"}
	mResultsAllName        = msg{"%s（全部 %d 个小区）", "%s (all %d compounds)"}
	mResultsScopeName      = msg{"您负责的 %d 个小区合计", "Your %d compounds together"}
	mResultsNoSurvey       = msg{"%s 没有改造需求调查。", "%s has no renovation survey."}
	mResultsNoSurveys      = msg{"本项目没有改造需求调查。", "This programme has no renovation survey."}
	mResultsNoSurveysScope = msg{"您负责的小区没有改造需求调查。", "None of your compounds has a renovation survey."}
	mResultsMore           = msg{"共 %d 个小区有调查，上面只列出前 %d 个；合计包括全部小区。查看某个小区：/survey_results 小区名称", "%d compounds have a survey; only the first %d are listed above; the total covers them all. For one compound: /survey_results <name>"}
)

// Problem reports (民间监理员).
var (
	mReportNotBound       = msg{"您还没有绑定住户，不能反馈问题。请先打开社区工作人员发给您的邀请链接。", "You have not linked your household, so you cannot report a problem. Please open the invitation link from the community workers first."}
	mReportWhere          = msg{"📷 问题反馈\n问题在哪里？", "📷 Report a problem\nWhere is the problem?"}
	mPublicArea           = msg{"小区公共区域", "Public areas"}
	mReportDescribe       = msg{"问题在：%s\n请打字说明问题（最多 %d 字），也可以发照片（最多 %d 张）。", "Where: %s\nPlease type what the problem is (at most %d characters); you may also send photos (up to %d)."}
	mReportTextSaved      = msg{"已记下说明。还可以发照片（最多 %d 张），然后按 [提交]。", "Description noted. You may also send photos (up to %d), then press [Submit]."}
	mReportExpectWhere    = msg{"请按按钮选择问题在哪里。输入 /cancel 可退出。", "Please choose with a button where the problem is. /cancel to stop."}
	mReportPhotoNotNow    = msg{"请先按按钮选择问题在哪里，再发照片。这张照片没有收下。", "Please first choose with a button where the problem is, then send photos. This photo was NOT added."}
	mReportNeedSomething  = msg{"请先打字说明问题，或发一张照片。", "Please describe the problem or send a photo first."}
	mReportFiled          = msg{"✅ 已提交，编号 %s。工作人员处理后会通知您。", "✅ Sent. Number: %s. You will be told when the workers act on it."}
	mReportFiledToast     = msg{"已提交", "Sent"}
	mReportCancelled      = msg{"已取消，问题没有提交。", "Cancelled; nothing was sent."}
	mReportExpired        = msg{"这个反馈已过期，请重新输入 /report_problem", "This report has expired. Please send /report_problem again."}
	mReportNotSent        = msg{"问题没有提交。", "Nothing was sent."}
	mReportHead           = msg{"【问题反馈 %s】%s %s", "Problem report %s: %s, %s"}
	mSupervisorMark       = msg{"（监理员）", " (supervisor)"}
	mReportFrom           = msg{"反馈住户", "From"}
	mReportFiledAt        = msg{"时间", "Filed"}
	mReportStatus         = msg{"状态", "Status"}
	mReportPhotos         = msg{"照片", "Photos"}
	mStatusOpen           = msg{"待处理", "open"}
	mStatusAcknowledged   = msg{"已受理", "acknowledged"}
	mStatusResolved       = msg{"已解决", "resolved"}
	mBtnAcknowledge       = msg{"已受理", "Acknowledge"}
	mBtnResolved          = msg{"已解决", "Resolved"}
	mReporterAcknowledged = msg{"您反馈的问题 %s 已受理。", "Your problem report %s has been acknowledged."}
	mReporterResolved     = msg{"您反馈的问题 %s 已解决。如果还有问题，请再反馈。", "Your problem report %s has been resolved. If the problem remains, please report it again."}
	mReportAlready        = msg{"已是该状态：%s", "Already %s"}
	mReportUpdatedToast   = msg{"已更新", "Updated"}
	mReportNotFound       = msg{"找不到这个问题反馈。", "No such problem report."}
	mReportsHeader        = msg{"📋 待处理的问题反馈（截至 %s）", "📋 Open problem reports (as of %s)"}
	mReportsCompound      = msg{"%s：%d 件", "%s: %d"}
	mReportsNone          = msg{"目前没有待处理的问题反馈。", "No open problem reports."}
	mReportsMore          = msg{"共 %d 个小区，只看了前 %d 个。查看某个小区：/reports 小区名称", "%d compounds; only the first %d were checked. For one compound: /reports <name>"}
	mAgeNow               = msg{"刚刚", "just now"}
	mAgeMinutes           = msg{"%d 分钟前", "%d min ago"}
	mAgeHours             = msg{"%d 小时前", "%d h ago"}
	mAgeDays              = msg{"%d 天前", "%d d ago"}
	mSupervisorUsage      = msg{"用法：/supervisor 用户ID [小区]\n取消：/supervisor remove 用户ID [小区]", "Usage: /supervisor <user id> [compound]\nTo remove: /supervisor remove <user id> [compound]"}
	mSupervisorNotBound   = msg{"用户 %d 还没有绑定住户，不能设为监理员。", "User %d has not linked a household, so cannot be a supervisor."}
	mSupervisorWhich      = msg{"用户 %d 没有绑定住户，请写明小区：/supervisor remove 用户ID 小区", "User %d has no household; please name the compound: /supervisor remove <user id> <compound>"}
	mSupervisorSet        = msg{"✅ 已将用户 %d 设为 %s 的民间监理员。", "✅ User %d is now a resident supervisor of %s."}
	mSupervisorRemoved    = msg{"已取消用户 %d 在 %s 的监理员身份。", "User %d is no longer a resident supervisor of %s."}
	mSupervisorNotice     = msg{"您已被设为 %s 的民间监理员。发现施工问题，请输入 /report_problem 反馈。", "You are now a resident supervisor of %s. To report a problem with the works, send /report_problem."}
	mSupervisorNoticeOff  = msg{"您在 %s 的民间监理员身份已取消。", "You are no longer a resident supervisor of %s."}
)

// The calendar (issue 5): automatic reminders, phase announcements, staff
// digests, /schedule.
var (
	mAutoReminderBallot = msg{"「%s」：您家还没有对%s的改造方案投票。投票 %s 截止，每户一票，截止前可以更改。请输入 /vote 查看方案并投票。", "%s: your household has not voted on the renovation plan of %s yet. Voting closes on %s; one vote per household, which you may change until then. Send /vote to see the plan and vote."}
	mAutoReminderSurvey = msg{"「%s」：您家还没有填写%s的摸底调查。调查 %s 截止。请输入 /survey 填写，告诉我们您家最需要改造什么。", "%s: your household has not answered the survey of %s yet. The survey closes on %s. Send /survey to tell us what your household needs most."}
	mPhaseHead          = msg{"📅 「%s」进入新阶段：%s（%s 至 %s）", "📅 %s enters a new phase: %s (%s to %s)"}
	mPhaseResidents     = msg{"居民可以：%s", "What you can do: %s"}
	mPhaseBallotOpen    = msg{"改造方案投票进行中，%s 截止：输入 /vote 投票。", "The ballot on the plan is open until %s: send /vote."}
	mPhaseSurveyOpen    = msg{"摸底调查进行中，%s 截止：输入 /survey 填写。", "The survey is open until %s: send /survey."}
	mDigestHead         = msg{"🗓 每日简报（%s 至 %s）", "🗓 Daily digest (%s to %s)"}
	mDigestCompound     = msg{"%s：新投票 %d，新调查 %d；已投票 %d/%d 户，同意 %d；%s；待处理问题 %d", "%s: %d new votes, %d new survey answers; %d/%d households voted, %d agree; %s; %d open reports"}
	mDigestPass         = msg{"已达到表决规则", "meets its rule"}
	mDigestFail         = msg{"尚未达到表决规则", "does not meet its rule yet"}
	mDigestNone         = msg{"您负责的小区暂无数据。", "No compounds in your scope."}
	mScheduleHead       = msg{"⏱ 定时任务（%s）", "⏱ Scheduled jobs (%s)"}
	mScheduleLine       = msg{"%s  [%s]\n  下次：%s\n  上次：%s", "%s  [%s]\n  next: %s\n  last: %s"}
	mScheduleNever      = msg{"尚未运行", "not run yet"}
	mScheduleNone       = msg{"没有定时任务。", "No scheduled jobs."}
)

// The bureau's report (/report).
var (
	mBReportHead    = msg{"📑 %s 报表（截至 %s）", "📑 %s: report (as of %s)"}
	mBReportCounts  = msg{"总户数 %d · 绑定 %d · 已投票 %d · 同意 %d · 不同意 %d", "households %d · bound %d · voted %d · agree %d · disagree %d"}
	mBReportMore    = msg{"……另有 %d 个小区，见表格。", "… %d more compounds: see the spreadsheet."}
	mBReportTop     = msg{"📋 改造需求调查（答卷 %d/%d 户，%s）最急需的：", "📋 Survey (%d of %d households answered, %s), most urgent:"}
	mBReportTopLine = msg{"%d. %s：%d 分，%d 户（占答卷 %s）", "%d. %s: score %d, %d households (%s of respondents)"}
	mBReportNone    = msg{"您负责的范围内没有小区。", "There are no compounds in your scope."}
	mBtnSpreadsheet = msg{"📥 下载表格", "📥 Spreadsheet"}
	mBReportCaption = msg{"📑 %s 报表（截至 %s）：汇总、楼栋、调查结果、住户明细（含户主和电话，请妥善保管）", "📑 %s: report (as of %s): summary, buildings, survey, households (with owners and phones: keep it safe)"}
	mBReportSep     = msg{"，", ": "}
	mBReportSending = msg{"正在生成表格…", "Preparing the spreadsheet…"}
)
