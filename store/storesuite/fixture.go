package storesuite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

var (
	shanghai = time.FixedZone("CST", 8*3600)
	opens    = time.Date(2020, 4, 1, 8, 0, 0, 0, shanghai)
	closes   = time.Date(2020, 5, 1, 0, 0, 0, 0, shanghai)
	during   = opens.Add(48 * time.Hour)

	// The survey window (摸底调查) of every compound of the fixture.
	surveyOpens  = time.Date(2020, 5, 1, 8, 0, 0, 0, shanghai)
	surveyCloses = time.Date(2020, 6, 1, 0, 0, 0, 0, shanghai)
	surveyDuring = surveyOpens.Add(72 * time.Hour)
)

// Compounds of the fixture programme and their sizes.
const (
	small = "small"    // 8 households, civil code rule, for table tests
	lm    = "liangmao" // 粮贸小区, 55 households
	lzy   = "laozhongyi"
)

var sizes = map[string]int{small: 8, lm: 55, lzy: 220}

func testProgramme() renovote.Programme {
	major, _ := renovote.PresetRule(renovote.RuleCivilCodeMajor)
	w := renovote.Window{Opens: opens, Closes: closes}
	sw := renovote.Window{Opens: surveyOpens, Closes: surveyCloses}
	return renovote.Programme{
		ID: "fenggang_2020", Name: "凤冈县2020年城镇老旧小区改造", TimeZone: "Asia/Shanghai", MaxMembers: 3,
		Compounds: []renovote.Compound{
			{ID: small, Name: "测试小区", Rule: major, Ballot: w, Survey: sw},
			{ID: lm, Name: "粮贸小区", PlannedHouseholds: 55, Rule: renovote.DefaultRule(), Ballot: w, PublishTally: true, Survey: sw},
			{ID: lzy, Name: "老中医院小区", PlannedHouseholds: 220, Rule: renovote.DefaultRule(), Ballot: w, Survey: sw},
		},
		Menu: testMenu(),
	}
}

// testMenu is a short version of the Fenggang menu: two parts, each with
// must-do (必改) and upgrade (提升) items.
func testMenu() renovote.Menu {
	item := func(id, name, class string) renovote.MenuItem {
		return renovote.MenuItem{ID: id, Name: name, Class: class}
	}
	return renovote.Menu{
		Classes: []renovote.MenuClass{{ID: "must", Name: "必改", Required: true}, {ID: "upgrade", Name: "提升"}},
		Parts: []renovote.MenuPart{
			{ID: "building", Name: "居民住宅建筑", Items: []renovote.MenuItem{
				item("roof_repair", "屋面修缮", "must"), item("facade_leaks", "建筑外立面渗漏修补", "must"),
				item("stairwell_repair", "单元楼道整修", "must"), item("rain_sewage_pipes", "雨污管线", "must"),
				item("common_lighting", "公共区域照明系统", "must"), item("fire_safety_building", "消防设施", "must"),
				item("security_doors", "单元防盗门及门禁", "upgrade"), item("energy_saving", "节能改造", "upgrade"),
				item("flat_to_pitched_roof", "多层住宅楼房屋顶平改坡", "upgrade"),
			}},
			{ID: "public", Name: "小区公共区域", Items: []renovote.MenuItem{
				item("waste_sorting", "垃圾分类收集点", "must"), item("parking", "停车设施", "must"),
				item("outdoor_lighting", "室外照明系统", "must"), item("greening", "绿化改造提升", "must"),
				item("roads", "道路整治", "must"), item("elderly_friendly", "适老性改造", "must"),
				item("ev_charging", "充电设施", "upgrade"), item("fitness", "健身及活动设施", "upgrade"),
				item("parcel_lockers", "快递设施", "upgrade"),
			}},
		},
	}
}

// households builds a register of n units: 6 per floor-unit stack, two units a
// building; every 5th unit belongs to the owner of the previous one (owners of
// several units), every 7th owner has no phone.
func households(compoundID string, n int) []renovote.Household {
	out := make([]renovote.Household, 0, n)
	owner := 0
	for i := 0; i < n; i++ {
		b := fmt.Sprintf("%d栋", i/24+1)
		u := fmt.Sprintf("%d单元", (i/12)%2+1)
		r := fmt.Sprintf("%d0%d", (i%12)/2+1, i%2+1)
		if i%5 != 4 {
			owner++
		}
		phone := fmt.Sprintf("1390000%04d", owner)
		if owner%7 == 0 {
			phone = ""
		}
		out = append(out, renovote.Household{
			CompoundID: compoundID, ID: renovote.HouseholdID(b, u, r),
			Building: b, Unit: u, Room: r,
			Owner: fmt.Sprintf("业主%d", owner), Phone: phone,
			Area: renovote.Area(5000 + (i*3719)%6000),
		})
	}
	return out
}

// setup returns a store with the programme applied and every register imported.
func setup(t testing.TB) (Store, map[string][]renovote.Household) {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	if err := s.ApplyProgramme(ctx, testProgramme()); err != nil {
		t.Fatal(err)
	}
	regs := map[string][]renovote.Household{}
	for c, n := range sizes {
		regs[c] = households(c, n)
		if _, err := s.ImportRegister(ctx, c, regs[c], store.ImportOptions{Actor: "cli:test", Now: opens}); err != nil {
			t.Fatal(err)
		}
	}
	return s, regs
}

var opSeq atomic.Int64

// cmd builds a chat vote command with a fresh OpID.
func cmd(ref renovote.HouseholdRef, c renovote.Choice, at time.Time) renovote.VoteCmd {
	return renovote.VoteCmd{
		Ref: ref, Choice: c, Channel: renovote.ChannelChat, Actor: "tg:1",
		OpID: fmt.Sprintf("test:%d:%d", time.Now().UnixNano(), opSeq.Add(1)), ReceiptID: renovote.NewReceiptID(), At: at,
	}
}

// checkTally asserts that the counters equal the recount from scratch.
func checkTally(t testing.TB, s Store, compoundID string) renovote.Tally {
	t.Helper()
	ctx := context.Background()
	got, err := s.Tally(ctx, compoundID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Recount(ctx, compoundID)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%s: counters differ from recount:\n got %+v\nwant %+v", compoundID, got, want)
	}
	return got
}

func wantErr(t testing.TB, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v, want %v", err, kind)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func envRedisURL() string { return os.Getenv("REDIS_URL") }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func joinErr(errs ...error) error { return errors.Join(errs...) }
