package loadtest

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Result is what a run measured and checked.
type Result struct {
	Residents    int     `json:"residents"`
	Rounds       int     `json:"rounds"`
	PhaseSeconds float64 `json:"phase_seconds,omitempty"` // each bot, each round
	PhasePresses int     `json:"phase_presses,omitempty"` // instead of a duration
	Backend      string  `json:"store"`
	Rate         float64 `json:"rate_limit_per_second"` // both bots
	Shards       int     `json:"shards,omitempty"`      // 0: the bot's default
	GOMAXPROCS   int     `json:"gomaxprocs"`
	LoadBefore   string  `json:"load_average_before,omitempty"` // /proc/loadavg: 1, 5, 15 min
	LoadAfter    string  `json:"load_average_after,omitempty"`

	Full  Figures `json:"full"`
	Bare  Figures `json:"bare"`
	Ratio float64 `json:"ratio"` // Full.PerSecond / Bare.PerSecond
	Check Check   `json:"check"`
}

// Figures are one bot's measured presses, all rounds together.
type Figures struct {
	Bot       string  `json:"bot"`
	Presses   int     `json:"presses"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"presses_per_second"`
	// Latency runs from the press to the answer and the edit both received
	// by the fake server; Answer to the answer alone.
	Latency Latency `json:"latency_ms"`
	Answer  Latency `json:"answer_latency_ms"`
	// Failed counts presses answered with an alert (not acknowledged), and
	// answers or edits the fake server refused.
	Failed int `json:"failed"`
	// CPUPerPress is the CPU time of this whole process (the bot, the fake
	// Telegram, the residents; not a Redis server) per press, in µs: less
	// sensitive than throughput to other work on the machine.
	CPUPerPress float64 `json:"cpu_us_per_press"`
	// ServerCPUPerPress is the store server's CPU time per press, in µs,
	// when it is known (a redis-server of the run's own).
	ServerCPUPerPress float64 `json:"server_cpu_us_per_press,omitempty"`
	// AllocBytesPerPress and AllocsPerPress are the heap allocations of
	// this process per press, GCCPUPerPress the garbage collector's CPU
	// time per press in µs (the runtime's estimate): where the part of
	// CPUPerPress that grows with allocation goes.
	// MachineCPUPerPress is the CPU time of the whole machine per press, in
	// µs, where it is known (/proc/stat): with the machine saturated, what
	// throughput follows.
	MachineCPUPerPress float64 `json:"machine_cpu_us_per_press,omitempty"`
	AllocBytesPerPress float64 `json:"alloc_bytes_per_press"`
	AllocsPerPress     float64 `json:"allocs_per_press"`
	GCCPUPerPress      float64 `json:"gc_cpu_us_per_press"`
}

// Latency holds percentiles (nearest rank) and the maximum.
type Latency struct {
	P50 time.Duration `json:"-"`
	P90 time.Duration `json:"-"`
	P99 time.Duration `json:"-"`
	Max time.Duration `json:"-"`

	// The same in milliseconds, for JSON.
	P50ms float64 `json:"p50"`
	P90ms float64 `json:"p90"`
	P99ms float64 `json:"p99"`
	MaxMs float64 `json:"max"`
}

// Check is the store after the run, against what the residents saw.
type Check struct {
	// Acknowledged counts the presses the full bot answered without an
	// alert, warm-ups included; AuditEntries the entries of the vote audit
	// trails of the compounds, one per vote recorded. They must be equal.
	Acknowledged int64 `json:"presses_acknowledged"`
	AuditEntries int64 `json:"audit_entries"`
	Compounds    int   `json:"compounds"`
	// CountersEqualRecount: every compound's counters equal a recount from
	// its stored votes. ChoicesMatch: every resident's household's stored
	// choice is the resident's last acknowledged press.
	CountersEqualRecount bool `json:"counters_equal_recount"`
	ChoicesMatch         bool `json:"choices_match"`
	// Unanswered counts the presses of the whole run the bots never
	// answered.
	Unanswered int      `json:"unanswered_presses"`
	OK         bool     `json:"ok"`
	Problems   []string `json:"problems,omitempty"`
}

// phaseSamples collects presses, of one phase or, added up, of one bot.
type phaseSamples struct {
	done, answer []time.Duration
	presses      int
	failed       int
	failedCalls  int
	seconds      float64
	cpu          time.Duration // of the process
	serverCPU    time.Duration // of the store's server, when known
	runtime      runtimeSample // of the process
	machineCPU   time.Duration // of the whole machine, when known
}

func (p *phaseSamples) record(s sample) {
	p.presses++
	if !s.acked {
		p.failed++
	}
	p.done = append(p.done, s.done)
	p.answer = append(p.answer, s.answer)
}

func (p *phaseSamples) add(q *phaseSamples) {
	p.done = append(p.done, q.done...)
	p.answer = append(p.answer, q.answer...)
	p.presses += q.presses
	p.failed += q.failed
	p.failedCalls += q.failedCalls
	p.seconds += q.seconds
	p.cpu += q.cpu
	p.serverCPU += q.serverCPU
	p.runtime.add(q.runtime)
	p.machineCPU += q.machineCPU
}

func (p *phaseSamples) figures(bot string) Figures {
	f := Figures{Bot: bot, Presses: p.presses, Seconds: p.seconds, Failed: p.failed + p.failedCalls,
		Latency: latency(p.done), Answer: latency(p.answer)}
	if p.seconds > 0 {
		f.PerSecond = float64(p.presses) / p.seconds
	}
	if p.presses > 0 {
		f.CPUPerPress = float64(p.cpu.Microseconds()) / float64(p.presses)
		f.ServerCPUPerPress = float64(p.serverCPU.Microseconds()) / float64(p.presses)
		f.MachineCPUPerPress = float64(p.machineCPU.Microseconds()) / float64(p.presses)
		f.AllocBytesPerPress = float64(p.runtime.allocBytes) / float64(p.presses)
		f.AllocsPerPress = float64(p.runtime.allocObjects) / float64(p.presses)
		f.GCCPUPerPress = float64(p.runtime.gcCPU.Microseconds()) / float64(p.presses)
	}
	return f
}

// latency computes the percentiles of ds (nearest rank).
func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.999999) - 1 // ceil(q·n) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	l := Latency{P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: s[len(s)-1]}
	msOf := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	l.P50ms, l.P90ms, l.P99ms, l.MaxMs = msOf(l.P50), msOf(l.P90), msOf(l.P99), msOf(l.Max)
	return l
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// LoadAverage returns the machine's load averages over 1, 5 and 15 minutes
// ("" where /proc/loadavg is not there).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// Goal is the ratio of the full bot's throughput to the bare bot's that the
// full bot should reach.
const Goal = 0.8

// WriteTable writes the result for people: the set-up, a table of both
// bots, the ratio and the check.
func (r Result) WriteTable(w io.Writer) error {
	var b strings.Builder
	what := fmt.Sprintf("%d presses", r.PhasePresses)
	if r.PhasePresses == 0 {
		what = fmt.Sprintf("%gs", r.PhaseSeconds)
	}
	shards := "the bot's default number of"
	if r.Shards > 0 {
		shards = fmt.Sprint(r.Shards)
	}
	fmt.Fprintf(&b, "renovote load: %d residents, each bot %d × %s, store %s, GOMAXPROCS %d", r.Residents, r.Rounds, what, r.Backend, r.GOMAXPROCS)
	if r.LoadBefore != "" {
		fmt.Fprintf(&b, ", load average %s (before) %s (after)", r.LoadBefore, r.LoadAfter)
	}
	fmt.Fprintf(&b, "\nboth bots: package bot on go-telegram, the same fake Telegram over HTTP, %s shards (one update of a chat at a time), outgoing calls limited to %g/s\n\n", shards, r.Rate)
	fmt.Fprintf(&b, "%-5s %9s %10s %9s %9s %9s %9s %9s %9s %9s %7s\n", "bot", "presses", "presses/s", "p50", "p90", "p99", "max", "answ p50", "answ p99", "CPU/press", "failed")
	for _, f := range []Figures{r.Full, r.Bare} {
		fmt.Fprintf(&b, "%-5s %9d %10.1f %9s %9s %9s %9s %9s %9s %7.0fµs %7d\n", f.Bot, f.Presses, f.PerSecond,
			ms(f.Latency.P50), ms(f.Latency.P90), ms(f.Latency.P99), ms(f.Latency.Max), ms(f.Answer.P50), ms(f.Answer.P99), f.CPUPerPress, f.Failed)
	}
	b.WriteString("(latency: from the press to the bot's answer and edit; answ: to the answer alone;\n CPU/press: this process's CPU time (bot, fake Telegram, residents; not Redis) per press)\n")
	if r.Full.ServerCPUPerPress > 0 {
		fmt.Fprintf(&b, "the store's server: %.0fµs of CPU per press of the full bot\n", r.Full.ServerCPUPerPress)
	}
	for _, f := range []Figures{r.Full, r.Bare} {
		fmt.Fprintf(&b, "%s bot, per press: %.0f B allocated in %.0f objects, %.0fµs of the CPU/press in garbage collection",
			f.Bot, f.AllocBytesPerPress, f.AllocsPerPress, f.GCCPUPerPress)
		if f.MachineCPUPerPress > 0 {
			fmt.Fprintf(&b, "; the whole machine's CPU %.0fµs", f.MachineCPUPerPress)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	verdict := "meets"
	if r.Ratio < Goal {
		verdict = "below"
	}
	fmt.Fprintf(&b, "throughput full/bare: %.2f (%s the goal of %.1f)\n", r.Ratio, verdict, Goal)
	c := r.Check
	fmt.Fprintf(&b, "check: %d presses acknowledged by the full bot, %d votes in the audit trails; counters equal the recount in %d compounds: %t; stored choices are the last presses: %t; unanswered presses: %d: ",
		c.Acknowledged, c.AuditEntries, c.Compounds, c.CountersEqualRecount, c.ChoicesMatch, c.Unanswered)
	if c.OK {
		b.WriteString("OK\n")
	} else {
		b.WriteString("FAILED\n")
		for _, p := range c.Problems {
			b.WriteString("  " + p + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
