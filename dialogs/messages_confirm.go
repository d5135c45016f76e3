package dialogs

import (
	"time"

	"github.com/renovote/renovote"
)

// The wording of a vote the store holds but could not confirm durable
// (renovote.Receipt.Pending: in the Redis store's confirmed mode, fewer
// replicas than configured acknowledged it in time). The resident is told it
// was received and is pending, never that it was recorded; mPendingReceipt's
// arguments are those of mRecorded, in the same order in both languages.
var (
	mPendingReceipt = msg{"⏳ 已收到，待确认：%s\n时间：%s\n回执号：%s", "⏳ Received, pending confirmation: %s\nTime: %s\nReceipt: %s"}
	mPendingToast   = msg{"已收到，待确认", "Received, pending confirmation"}
	mPendingCheck   = msg{
		"系统尚未确认已安全保存。请稍后输入 /myvote 查看；如那里没有这次投票，请重新投票。",
		"The system has not yet confirmed it is safely stored. Check with /myvote in a moment; if this vote is not there, please vote again.",
	}
	// To the household's other members (memberNotice), arguments as those of
	// mMemberChanged and mMemberPaper.
	mMemberPending = msg{
		"本户另一位成员提交了选择：%s（%s），系统尚待确认保存。可稍后输入 /myvote 查看。",
		"Another member of your household submitted: %s (%s); the system has not yet confirmed it is stored. Check with /myvote in a moment.",
	}
	mMemberPaperPending = msg{
		"社区工作人员为本户提交了%s：%s（%s），系统尚待确认保存。可稍后输入 /myvote 查看。",
		"A community worker submitted a %s for your household: %s (%s); the system has not yet confirmed it is stored. Check with /myvote in a moment.",
	}
	mPendingCheckPaper = msg{
		"系统尚未确认已安全保存。请稍后再次输入该户门牌号核对；如没有显示这张票，请重新登记。",
		"The system has not yet confirmed it is safely stored. Enter this household again in a moment to check; if this ballot is not shown, enter it again.",
	}
)

// receiptHead is the first lines of a vote's receipt: recorded, or received
// and pending confirmation (noted in the log).
func (t *turn) receiptHead(loc *time.Location, rc renovote.Receipt) string {
	m := mRecorded
	if rc.Pending {
		m = mPendingReceipt
		t.e.log.Warn("dialogs: vote pending confirmation (fewer replicas than configured acknowledged it)",
			"update", t.in.UpdateID, "receipt", rc.ID, "channel", string(rc.Channel), "replayed", rc.Replayed)
	}
	return m.f(t.l, choiceLabel(t.l, rc.Choice), fmtTime(t.l, loc, rc.At), rc.ID)
}

// pendingHint ends a pending vote's receipt with how to check it later: the
// resident with /myvote, the worker of a paper or proxy ballot by entering
// the household again.
func (t *turn) pendingHint(rc renovote.Receipt) string {
	switch {
	case !rc.Pending:
		return ""
	case rc.Channel == renovote.ChannelPaper || rc.Channel == renovote.ChannelProxy:
		return "\n" + mPendingCheckPaper.s(t.l)
	}
	return "\n" + mPendingCheck.s(t.l)
}

// voteToast is the answer to the press that cast the vote.
func (t *turn) voteToast(rc renovote.Receipt) string {
	if rc.Pending {
		return mPendingToast.s(t.l)
	}
	return mRecordedToast.s(t.l)
}
