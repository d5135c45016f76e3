package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/chart"
	"github.com/renovote/renovote/report"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"overview", "compound", "refused", "login"} {
		out[name] = template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// pageBase is what every page has.
type pageBase struct {
	L     L
	Nonce string
	// Events is the URL of the page's live updates ("" for none); Expired
	// what the page says when its session ends.
	Events  string
	Expired string
	// Who is the reader's role and scope, Ends when their session ends,
	// Updated when the numbers were read.
	Who, Ends, Updated string
	Programme          string
}

func (p *pageBase) setNonce(n string) { p.Nonce = n }

type refusedPage struct {
	pageBase
	Why string
	// Back, when set, links to the overview (a session exists).
	Back string
}

// summaryTable is the compounds table: rows, and the prefix of the link to a
// compound's page ("" for no link).
type summaryTable struct {
	Rows []compoundView
	Link string
}

type overviewPage struct {
	pageBase
	Table  summaryTable
	Charts []string
}

type compoundPage struct {
	pageBase
	Table     summaryTable
	Compound  compoundView
	Buildings []buildingView
	Survey    *surveyView
	Notices   []noticeRow
	Charts    []string
}

// render writes a page with its Content-Security-Policy: scripts only with
// the page's nonce, connections and images only to us, nothing else.
func (d *Dashboard) render(w http.ResponseWriter, status int, name string, data interface{ setNonce(string) }) {
	n := nonce()
	data.setNonce(n)
	var buf bytes.Buffer
	if err := pages[name].Execute(&buf, data); err != nil {
		d.log.Error("dashboard: render "+name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+n+"'; style-src 'unsafe-inline'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pageFor fills what every signed-in page shows.
func (d *Dashboard) pageFor(s session, p renovote.Programme, events string) pageBase {
	loc := location(p)
	scope := words["all"].s(s.l)
	if !slices.Contains(s.claims.Compounds, renovote.AllCompounds) {
		var names []string
		for _, c := range p.Compounds {
			if s.covers(c.ID) {
				names = append(names, orID(c.Name, c.ID))
			}
		}
		scope = strings.Join(names, "、")
	}
	return pageBase{L: L{s.l}, Events: events, Expired: mExpiredSession.s(s.l) + " " + words["ask_again"].s(s.l),
		Who:       roleWord(s.l, s.claims.Role) + " · " + words["scope"].s(s.l) + ": " + scope,
		Ends:      s.claims.Expires.In(loc).Format("2006-01-02 15:04"),
		Updated:   d.now().In(loc).Format(time.TimeOnly),
		Programme: orID(p.Name, p.ID)}
}

func location(p renovote.Programme) *time.Location {
	loc, err := p.Location()
	if err != nil {
		return time.UTC
	}
	return loc
}

// inScope lists the programme's compounds the session covers.
func inScope(p renovote.Programme, s session) []renovote.Compound {
	var out []renovote.Compound
	for _, c := range p.Compounds {
		if s.covers(c.ID) {
			out = append(out, c)
		}
	}
	return out
}

// overview shows every compound of the scope against its rule.
func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request, s session) {
	p, err := d.src.Programme(r.Context())
	if err != nil {
		d.fail(w, r, s.l, "programme", err)
		return
	}
	page := overviewPage{pageBase: d.pageFor(s, p, "events"), Table: summaryTable{Link: "c/"}}
	rows, _, err := summaries(r.Context(), d.src, s.l, inScope(p, s))
	if err != nil {
		d.fail(w, r, s.l, "summaries", err)
		return
	}
	page.Table.Rows = rows
	page.Charts = chartLinks("chart/", "")
	d.render(w, http.StatusOK, "overview", &page)
}

// compound shows one compound: summary, buildings, survey, notices. A
// compound out of the scope is not found, like one that does not exist.
func (d *Dashboard) compound(w http.ResponseWriter, r *http.Request, s session) {
	id := r.PathValue("id")
	p, err := d.src.Programme(r.Context())
	if err != nil {
		d.fail(w, r, s.l, "programme", err)
		return
	}
	c, ok := p.Compound(id)
	if !ok || !s.covers(id) {
		d.notFound(w, r, s.l)
		return
	}
	ctx := r.Context()
	vs, _, err := summaries(ctx, d.src, s.l, []renovote.Compound{c})
	if err != nil {
		d.fail(w, r, s.l, "summary "+id, err)
		return
	}
	v := vs[0]
	bs, err := readBuildings(ctx, d.src, id)
	if err != nil {
		d.fail(w, r, s.l, "buildings "+id, err)
		return
	}
	page := compoundPage{pageBase: d.pageFor(s, p, "../events?c="+id), Table: summaryTable{Rows: []compoundView{v}},
		Compound: v, Buildings: bs}
	if hasSurvey(c) {
		counts, err := d.src.SurveyCounts(ctx, id)
		if err != nil {
			d.fail(w, r, s.l, "survey "+id, err)
			return
		}
		sv := survey(p, counts)
		page.Survey = &sv
	}
	ns, err := d.src.Notices(ctx, id, maxNotices)
	if err != nil {
		d.fail(w, r, s.l, "notices "+id, err)
		return
	}
	page.Notices = noticeRows(s.l, location(p), ns)
	page.Charts = chartLinks("../chart/", id)
	d.render(w, http.StatusOK, "compound", &page)
}

// maxNotices is how many of a compound's latest notices its page lists.
const maxNotices = 50

// scopeOf is the scope of a download: the session's, or one compound of it
// (?c=ID); false when that compound is not in the scope.
func (d *Dashboard) scopeOf(r *http.Request, p renovote.Programme, s session) (func(string) bool, string, bool) {
	id := r.URL.Query().Get("c")
	if id == "" {
		return s.covers, "", true
	}
	if _, ok := p.Compound(id); !ok || !s.covers(id) {
		return nil, "", false
	}
	return func(c string) bool { return c == id }, id, true
}

// workbook sends the bureau's workbook of the scope (report.Build, without
// owner names or phones).
func (d *Dashboard) workbook(w http.ResponseWriter, r *http.Request, s session) {
	p, err := d.src.Programme(r.Context())
	if err != nil {
		d.fail(w, r, s.l, "programme", err)
		return
	}
	scope, id, ok := d.scopeOf(r, p, s)
	if !ok {
		d.notFound(w, r, s.l)
		return
	}
	// The workbook of a whole large programme leaves the households out
	// (its 说明 sheet says so); each compound's has them.
	t, err := report.BuildWith(r.Context(), d.src, p, report.Options{Scope: scope, Detail: report.All,
		MaxDetailHouseholds: report.DefaultMaxDetailHouseholds})
	if err != nil {
		d.fail(w, r, s.l, "report", err)
		return
	}
	data, err := report.XLSX(t)
	if err != nil {
		d.fail(w, r, s.l, "report xlsx", err)
		return
	}
	name := p.ID
	if id != "" {
		name += "-" + id
	}
	name = fmt.Sprintf("%s-%s.xlsx", name, d.now().In(location(p)).Format("20060102-1504"))
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data)
	d.log.Info("dashboard: workbook", "user", s.claims.UserID, "compound", id)
}

// chartKind is one chart image a page shows, drawn by package chart.
type chartKind struct {
	name string
	// detail: the chart needs the households (votes by day); the others
	// are drawn from the counters alone.
	detail bool
	draw   func(t report.Tables, compoundID, lang string) ([]byte, error)
}

var charts = []chartKind{
	{"consent.png", false, func(t report.Tables, _, lang string) ([]byte, error) { return chart.Consent(t, lang) }},
	{"survey.png", false, chart.Survey},
	{"response.png", true, func(t report.Tables, _, lang string) ([]byte, error) { return chart.Response(t, lang) }},
}

// chartLinks lists the chart images of a page ("" compound: the scope's).
func chartLinks(prefix, compoundID string) []string {
	var out []string
	for _, c := range charts {
		u := prefix + c.name
		if compoundID != "" {
			u += "?c=" + compoundID
		}
		out = append(out, u)
	}
	return out
}

// chart draws one chart of the scope (or of ?c=ID) as a PNG; a chart with
// nothing to draw is not found (the page then drops its image).
func (d *Dashboard) chart(w http.ResponseWriter, r *http.Request, s session) {
	name := r.PathValue("name")
	i := slices.IndexFunc(charts, func(c chartKind) bool { return c.name == name })
	if i < 0 {
		d.notFound(w, r, s.l)
		return
	}
	p, err := d.src.Programme(r.Context())
	if err != nil {
		d.fail(w, r, s.l, "programme", err)
		return
	}
	scope, id, ok := d.scopeOf(r, p, s)
	if !ok {
		d.notFound(w, r, s.l)
		return
	}
	var t report.Tables
	if charts[i].detail {
		t, err = report.BuildWith(r.Context(), d.src, p, report.Options{Scope: scope, Detail: report.All, MaxDetailHouseholds: report.DefaultMaxDetailHouseholds})
	} else {
		t, err = report.BuildSummary(r.Context(), d.src, p, scope)
	}
	if err != nil {
		d.fail(w, r, s.l, "report", err)
		return
	}
	lang := "zh"
	if s.l == en {
		lang = "en"
	}
	png, err := charts[i].draw(t, id, lang)
	if errors.Is(err, chart.ErrNoData) {
		http.Error(w, "no data", http.StatusNotFound)
		return
	}
	if err != nil {
		d.fail(w, r, s.l, "chart "+name, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}
