package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// `renovote objections` lists the objections filed in a publicity window,
// all or only the open ones, as a table or JSON, without the filer's id.
func TestObjectionsCommand(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	hhs := seedHouseholds(t, "liangmao")
	st := s.store()
	ctx := context.Background()
	filed := time.Date(2020, 5, 22, 10, 0, 0, 0, shanghai) // in the seed's publicity window
	for i, text := range []string{"3号楼的票数有误", "公示时间太短"} {
		_, err := st.FileObjection(ctx, renovote.Objection{CompoundID: "liangmao", Household: hhs[i].Ref(),
			UserID: int64(777000 + i), Text: text, Created: filed}, "op:obj:"+text)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AnswerObjection(ctx, "liangmao", "O1", "tg:900", "已核对 checked", filed.Add(time.Hour), "op:ans"); err != nil {
		t.Fatal(err)
	}

	out := s.ok("objections", "-compound", "粮贸小区")
	wantContains(t, "table", out, "O1", "O2", "answered", "open", "3号楼的票数有误", "已核对 checked", "2020-05-22 10:00", "2020-05-22 11:00", "tg:900")
	if strings.Contains(out, "777000") {
		t.Errorf("the list shows the filer's Telegram id:\n%s", out)
	}
	open := s.ok("objections", "-open", "-json")
	var js struct {
		Objections []struct {
			ID, Status string
		}
	}
	if err := json.Unmarshal([]byte(open), &js); err != nil {
		t.Fatalf("%v:\n%s", err, open)
	}
	if len(js.Objections) != 1 || js.Objections[0].ID != "O2" || js.Objections[0].Status != "open" {
		t.Errorf("open objections: %+v", js.Objections)
	}
	if out := s.ok("objections", "-compound", "laozhongyiyuan"); !strings.Contains(out, "No objections") {
		t.Errorf("a compound without objections:\n%s", out)
	}
	if err := s.fails("objections", "-compound", "nowhere"); !strings.Contains(err.Error(), `no compound "nowhere"`) {
		t.Errorf("unknown compound: %v", err)
	}
}
