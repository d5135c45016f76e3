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

// Staff and help.
var (
	mAddWorkerUsage = msg{"用法：/addworker 用户ID（数字）", "Usage: /addworker <user id (a number)>"}
	mWorkerAdded    = msg{"已添加工作人员 %d。", "Worker %d added."}
	mHelpResident   = msg{
		"可以使用的命令：\n/vote 查看改造方案并投票\n/tally 查看本小区统计（如已公示）\n/cancel 取消当前操作\n/help 帮助\n绑定住户：请打开社区工作人员发给您的邀请链接。",
		"Commands:\n/vote see the plan and vote\n/tally your compound's tally (when published)\n/cancel stop what you are doing\n/help this help\nTo link your household, open the invitation link from the community workers.",
	}
	mHelpStaff = msg{
		"工作人员命令：\n/paper 录入纸质票或委托书\n/paper 小区 3-2-301 同意 [paper|proxy] 快速录入\n/tally 各小区统计；/tally 小区名称 查看一个小区",
		"Staff commands:\n/paper enter a paper ballot or proxy\n/paper <compound> 3-2-301 agree [paper|proxy] quick entry\n/tally every compound's tally; /tally <name> one compound",
	}
	mHelpAdmin = msg{"/addworker 用户ID 添加工作人员", "/addworker <user id> add a worker"}
)
