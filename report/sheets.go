package report

import (
	"fmt"
	"strconv"

	"github.com/renovote/renovote"
)

// A sheet is one table laid out for people: the XLSX and CSV writers share it.
// Its rows are either in Rows or, for tables that may be long, made one at a
// time by Row (Len of them), so that a writer never holds every cell of a
// table at once.
type sheet struct {
	Name      string // sheet name (汇总, 楼栋, 调查结果, 住户明细, 说明)
	File      string // CSV file name
	Header    []string
	Rows      [][]cell
	Len       int                            // rows made by Row
	Row       func(i int, buf []cell) []cell // row i, appended to buf[:0]
	Landscape bool
}

// len returns the number of rows.
func (s sheet) len() int {
	if s.Row != nil {
		return s.Len
	}
	return len(s.Rows)
}

// row returns row i, made in buf when the sheet makes its rows; the result is
// valid until the next call with the same buf.
func (s sheet) row(i int, buf []cell) []cell {
	if s.Row != nil {
		return s.Row(i, buf[:0])
	}
	return s.Rows[i]
}

type cellKind int

const (
	textCell cellKind = iota
	intCell
	percentCell // an exact share, a float only in the spreadsheet cell
	areaCell    // 0.01 m² units, shown in m² with two decimals
)

type cell struct {
	kind  cellKind
	text  string
	n     int64
	share renovote.Share
}

func txt(s string) cell         { return cell{kind: textCell, text: s} }
func num(n int64) cell          { return cell{kind: intCell, n: n} }
func pct(s renovote.Share) cell { return cell{kind: percentCell, share: s} }
func area(n int64) cell         { return cell{kind: areaCell, n: n} }
func blank() cell               { return cell{kind: textCell} }
func yesNo(b bool, yes, no string) cell {
	if b {
		return txt(yes)
	}
	return txt(no)
}

// width is the cell's width in columns as String shows it (a CJK character
// counts two), without making the string.
func (c cell) width() int {
	switch c.kind {
	case intCell:
		return digits(c.n)
	case percentCell:
		if c.share.Den <= 0 {
			return 0
		}
		return digits(c.share.Permille()/10) + 3 // "66.7%"
	case areaCell:
		if c.n < 0 {
			return digits(-c.n/100) + 4
		}
		return digits(c.n/100) + 3 // "66.70"
	}
	return displayWidth(c.text)
}

// digits counts the characters of n in base 10, with its sign.
func digits(n int64) int {
	d := 1
	if n < 0 {
		d++
	}
	for ; n >= 10 || n <= -10; n /= 10 {
		d++
	}
	return d
}

// String is the cell as CSV text.
func (c cell) String() string {
	switch c.kind {
	case intCell:
		return strconv.FormatInt(c.n, 10)
	case percentCell:
		if c.share.Den <= 0 {
			return ""
		}
		return c.share.String()
	case areaCell:
		return renovote.Area(c.n).String()
	}
	return c.text
}

// testColumns lists the distinct tests of the summary's rules, in first-seen order.
func (t Tables) testColumns() []TestCell {
	var cols []TestCell
	seen := map[string]bool{}
	for _, r := range t.Summary {
		for _, c := range r.Tests {
			key := c.Name + "\x00" + c.Label
			if !seen[key] {
				seen[key] = true
				cols = append(cols, c)
			}
		}
	}
	return cols
}

// sheets lists the tables of the report: 汇总, 楼栋, 调查结果, 住户明细, with
// 楼栋 and 住户明细 only when the report lists some compound's detail, and
// 说明 last when it leaves some out.
func (t Tables) sheets() []sheet {
	detail := t.LeftOut == nil || t.LeftOut.Compounds < len(t.Summary)
	out := []sheet{t.summarySheet()}
	if detail {
		out = append(out, t.buildingSheet())
	}
	out = append(out, t.surveySheet())
	if detail {
		out = append(out, t.householdSheet())
	}
	if t.LeftOut != nil {
		out = append(out, t.notesSheet())
	}
	return out
}

// notesSheet says what the workbook leaves out and how to get it.
func (t Tables) notesSheet() sheet {
	s := sheet{Name: "说明", File: "notes.csv", Header: []string{"说明"}}
	lo := t.LeftOut
	line := func(format string, a ...any) { s.Rows = append(s.Rows, []cell{txt(fmt.Sprintf(format, a...))}) }
	line("本报表共 %d 个小区：汇总和调查结果列出全部小区。", len(t.Summary))
	why := ""
	if lo.Limit > 0 {
		why = fmt.Sprintf("，超过每份报表 %d 户的上限", lo.Limit)
	}
	if lo.Compounds >= len(t.Summary) {
		line("楼栋统计和住户明细未列入（共 %d 户%s）。", lo.Households, why)
	} else {
		line("其中 %d 个小区（共 %d 户）的楼栋统计和住户明细未列入%s。", lo.Compounds, lo.Households, why)
	}
	if lo.Hint != "" {
		line("%s", lo.Hint)
	}
	return s
}

func (t Tables) summarySheet() sheet {
	s := sheet{Name: "汇总", File: "summary.csv",
		Header: []string{"小区", "总户数", "绑定户数", "已投票户数", "同意户数", "不同意户数", "未投票户数", "表决规则", "结论"}}
	cols := t.testColumns()
	for _, c := range cols {
		s.Header = append(s.Header, c.Label+" 结果", c.Label+" 分子", c.Label+" 分母", c.Label+" 比例", c.Label+" 还需")
	}
	s.Header = append(s.Header, "调查答卷户数", "调查回收率")
	s.Landscape = true
	s.Len = len(t.Summary)
	s.Row = func(i int, row []cell) []cell {
		r := t.Summary[i]
		row = append(row, txt(r.Compound), num(r.Households), num(r.Bound), num(r.Voted), num(r.Agree), num(r.Disagree),
			num(max(r.Households-r.Voted, 0)), txt(ruleName(r.Rule)), yesNo(r.Pass, "通过", "未通过"))
		for _, col := range cols {
			i := -1
			for j, c := range r.Tests {
				if c.Name == col.Name && c.Label == col.Label {
					i = j
				}
			}
			if i < 0 {
				row = append(row, blank(), blank(), blank(), blank(), blank())
				continue
			}
			c := r.Tests[i]
			if c.Area {
				row = append(row, yesNo(c.Pass, "通过", "未通过"), area(c.Num), area(c.Den), pct(c.Share()), area(c.Needed))
			} else {
				row = append(row, yesNo(c.Pass, "通过", "未通过"), num(c.Num), num(c.Den), pct(c.Share()), num(c.Needed))
			}
		}
		if r.HasSurvey {
			row = append(row, num(r.Respondents), pct(r.ResponseRate))
		} else {
			row = append(row, blank(), blank())
		}
		return row
	}
	return s
}

func (t Tables) buildingSheet() sheet {
	s := sheet{Name: "楼栋", File: "buildings.csv",
		Header: []string{"小区", "楼栋", "总户数", "已投票户数", "同意户数", "不同意户数", "未投票户数", "投票率", "同意率（占总户数）"}}
	s.Len = len(t.Buildings)
	s.Row = func(i int, row []cell) []cell {
		r := t.Buildings[i]
		return append(row, txt(r.Compound), txt(r.Building), num(r.Households), num(r.Voted), num(r.Agree), num(r.Disagree),
			num(max(r.Households-r.Voted, 0)), pct(renovote.Share{Num: r.Voted, Den: r.Households}), pct(renovote.Share{Num: r.Agree, Den: r.Households}))
	}
	return s
}

func (t Tables) surveySheet() sheet {
	s := sheet{Name: "调查结果", File: "survey.csv",
		Header: []string{"小区", "排名", "改造内容", "部位", "类别", "选择户数", "占答卷户数", "占总户数", "紧迫度加权分"}}
	s.Len = len(t.Survey)
	s.Row = func(i int, row []cell) []cell {
		r := t.Survey[i]
		score := blank()
		if r.Required {
			score = num(r.Score)
		}
		return append(row, txt(r.Compound), num(int64(r.Rank)), txt(r.Item), txt(r.Part), txt(r.Class), num(r.Households),
			pct(r.OfRespondents), pct(r.OfAll), score)
	}
	return s
}

func (t Tables) householdSheet() sheet {
	s := sheet{Name: "住户明细", File: "households.csv",
		Header: []string{"小区", "楼栋", "单元", "房号", "表决意见", "投票方式", "投票时间", "录入人"}}
	if t.Personal {
		s.Header = append(s.Header, "户主", "电话")
		s.Landscape = true
	}
	s.Len = len(t.Households)
	s.Row = func(i int, row []cell) []cell {
		r := t.Households[i]
		row = append(row, txt(r.Compound), txt(r.Building), txt(r.Unit), txt(r.Room), txt(choiceName(r.Choice)), txt(channelName(r.Channel)), txt(r.At), txt(r.EnteredBy))
		if t.Personal {
			row = append(row, txt(r.Owner), txt(r.Phone))
		}
		return row
	}
	return s
}

func choiceName(c renovote.Choice) string {
	switch c {
	case renovote.ChoiceAgree:
		return "同意"
	case renovote.ChoiceDisagree:
		return "不同意"
	}
	return "未投票"
}

func channelName(c renovote.Channel) string {
	switch c {
	case renovote.ChannelChat:
		return "网上投票"
	case renovote.ChannelPaper:
		return "纸质票"
	case renovote.ChannelProxy:
		return "委托书"
	}
	return ""
}

func ruleName(r string) string {
	switch r {
	case renovote.RuleCounty:
		return "县规则（同意户数≥2/3）"
	case renovote.RuleCivilCodeMajor:
		return "民法典第278条（重大事项）"
	case renovote.RuleCivilCodeOrdinary:
		return "民法典第278条（一般事项）"
	}
	return r
}
