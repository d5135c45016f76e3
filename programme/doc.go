// Package programme reads programme files: the YAML (or JSON) description of one
// county's yearly renovation programme — its compounds, their consent rules,
// ballot and survey windows, the phases, the renovation menu and the survey's
// contribution bands — and turns it into a validated renovote.Programme.
//
// It owns the file format and nothing else: the meaning of the data (rules,
// tallies, windows) is the root package's. It also carries the seed programme,
// Fenggang County 2020 (seed/fenggang-2020.yaml, embedded; examples/ holds an
// identical copy for people to read and edit). examples/national-classes.yaml is
// the same programme with the national guideline's three menu classes
// (基础类/完善类/提升类, 国办发〔2020〕23号) instead of the county's two: another
// programme is another file, not other code.
//
// # File format
//
//	id: fenggang_2020                 # [a-z0-9_]{1,32}
//	name: 凤冈县2020年城镇老旧小区改造
//	time_zone: Asia/Shanghai          # IANA name; default Asia/Shanghai
//	max_members: 3                    # Telegram users per household; default 3
//	publish_tally: true               # default for compounds; default false
//	rule: county                      # default for compounds; default county
//	ballot:                           # default window for compounds
//	  opens: 2020-05-01 08:00
//	  closes: 2020-05-20              # a date alone: the END of that day
//	survey:                           # default survey window (摸底调查); optional
//	  opens: 2020-05-01 08:00
//	  closes: 2020-05-31
//	publicity:                        # default public-notice window (公示期); optional
//	  opens: 2020-05-21 08:00
//	  closes: 2020-05-27
//	contribution_bands:               # optional; default the three below
//	  - {id: lt500, name: 500元以下}
//	  - {id: "500_2000", name: 500–2000元}
//	  - {id: gt2000, name: 2000元以上}
//	compounds:
//	  - id: liangmao
//	    name: 粮贸小区
//	    planned_households: 55
//	    plan: |
//	      first line
//	      second line
//	    ballot: {closes: 2020-05-25}  # overrides one bound, inherits the other
//	    survey: {opens: 2020-05-10}   # the same for the survey window
//	    publicity: {closes: 2020-05-30} # and for the publicity window
//	    rule:                         # a preset name, or a custom list of tests
//	      name: my_rule
//	      tests:
//	        - {name: households, num: agree, den: households, fraction: "2/3"}
//	        - {name: owners, num: agree_owners, den: voted_owners, fraction: 1/2, strict: true}
//	phases:
//	  - {id: survey, name: 摸底调查, starts: 2020-05-01, ends: 2020-05-31, description: ...}
//	menu:
//	  classes:
//	    - {id: must, name: 必改, required: true}
//	  parts:
//	    - id: building
//	      name: 居民住宅建筑
//	      goal: 屋顶不漏、底层不堵、楼道不暗、管线不乱
//	      items:
//	        - {id: roof_repair, name: 屋面修缮, class: must}
//
// Unknown fields are errors (like yaml.v3's KnownFields), and so are duplicate
// keys; anchors and aliases work, merge keys (<<) do not. Aliases may repeat
// values, up to ten times as many values as the file itself holds (plus
// 10,000): a file whose aliases expand further is refused.
//
// # Survey
//
// The survey asks each household to rank up to renovote.MaxUrgent items of the
// menu's required classes per part as most urgent, to pick the upgrades it
// wants among the items of the other classes, and whether it would contribute
// money (居民出资) and in which band.
//
// survey gives the window [opens, closes) in which answers are accepted, with
// the same time rules as ballot. The programme's survey is the default of
// every compound; a compound's survey overrides either bound (an empty mapping,
// survey: {}, inherits both). A compound left without both bounds has no survey:
// its households' answers are refused. A window given by only one bound is an
// error, reported once at "survey" when the compounds inherit it.
//
// # Publicity
//
// publicity gives the window [opens, closes) of the public notice of the
// tally (公示期): staff print the notice (/publicity, renovote report
// -publicity) for the bulletin board, and residents may file objections to
// what was recorded for their household (/objection) while it is open. It
// is inherited and overridden bound by bound like survey; a compound left
// without both bounds has no publicity window, and its residents' objections
// are refused. It must not open before the compound's ballot opens; it
// usually opens when the ballot closes.
//
// contribution_bands lists the answers to the money question: each an id
// ([a-z0-9_]{1,32}, read as written; quoting one that looks like a number, such
// as "500_2000", keeps other YAML tools from reading it as 5002000) and a name
// shown to residents. Absent or empty, renovote.DefaultContributionBands
// apply (lt500 500元以下, 500_2000 500–2000元, gt2000 2000元以上). Ids must be
// unique; problems are reported at contribution_bands[i].id or .name.
//
// Rule presets are those of renovote.PresetRule: county, civil_code_major,
// civil_code_ordinary. A custom rule's fraction is a string "p/q"; strict makes
// the test "more than" instead of "at least" (以上, inclusive). A mapping with a
// preset name and no tests is that preset.
//
// # Times
//
// Times are local to the programme's time_zone, whatever the zone of the machine
// (time zone data is embedded with time/tzdata, so a bare container works too).
// Accepted forms: "2020-05-01", "2020-05-01 08:00", "2020-05-01 08:00:00",
// "2020-05-01T08:00", "2020-05-01T08:00:00", and RFC 3339 with an offset
// ("2020-05-01T08:00:00+08:00", which ignores time_zone). Years run from 1970
// to 9999 (the store keeps times as RFC 3339).
//
// A date alone means the START of that day for ballot.opens, survey.opens,
// publicity.opens and phase starts, and the END of that day for
// ballot.closes, survey.closes, publicity.closes and phase ends: since windows are half-open [opens, closes), "closes: 2020-05-20"
// is stored as 2020-05-21 00:00 local time, so votes are accepted all through
// 20 May.
//
// # Errors
//
// Parse reports every problem it finds at once, as a *renovote.ValidationError
// (What "programme") whose problems carry the path of the offending value, such
// as "compounds[2].ballot.closes", and the line of the file in the message:
//
//	compounds[2].ballot.closes: not a date-time "2020-13-01": month out of range (line 34)
//
// A problem of a value the compounds inherit from the programme (ballot, survey,
// publicity, rule) is reported once, at the programme's path.
//
// # Imports
//
// This package imports the root renovote package, gopkg.in/yaml.v3 and the
// standard library. It must not import go-telegram, go-redis, the store, the
// dialogs or any other chat or storage package: it is used by the command-line
// tools and the bot alike.
package programme
