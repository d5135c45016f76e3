// Package register imports and exports the household register (住户登记册) of a
// programme: the spreadsheet community workers fill in during the survey, one
// row per unit, and the invitation sheet they print and hand out.
//
// # Register files
//
// Read takes a CSV file (UTF-8 with or without a byte order mark; GBK/GB18030,
// as Excel saves "CSV" on Chinese Windows, is recognised when the file is not
// valid UTF-8; comma- or tab-separated) or an XLSX workbook (first sheet),
// chosen by the file name's extension (a workbook that would unzip to more
// than 256 MiB is refused). The header row names the columns in
// Chinese or English, in any order, case and surrounding space ignored:
//
//	小区 compound   required  the compound's Chinese name (小区 suffix optional) or its id
//	楼栋 building   required  also 栋, 楼号, 栋号, 楼栋号
//	单元 unit       optional  also 单元号; empty for single-unit buildings
//	房号 room       required  also 房间号, 门牌号, 室号
//	户主 owner      optional  also 业主, 姓名, 户主姓名, 业主姓名, name
//	电话 phone      optional  also 联系电话, 手机, 手机号, 手机号码, mobile, tel
//	面积 area       required  also 建筑面积, 房屋面积, 专有面积, 专有部分面积; a unit
//	                          suffix such as 面积(㎡) or 面积（平方米） is ignored
//
// Other columns (序号, 备注, ...) are ignored. Title rows above the header are
// skipped: the header is the first of the first ten rows that names the required
// columns. Empty rows are skipped.
//
// Every row is checked before anything is returned: the compound must be known,
// building and room given, the unit (compound, building, unit, room) must not
// appear twice, the area must be a positive number of m² with at most two
// decimals (renovote.ParseArea: exact, no floats), and the phone, if given, a
// mainland mobile (1[3-9] and nine more digits, optionally +86/86/0086 and
// spaces or dashes) or a landline with its area code (0851-12345678). Phones are
// stored normalised (13800000001, 0851-12345678), so that the same owner is
// recognised on several units. On any problem Read returns no household and a
// *renovote.ValidationError (What "register") listing every problem, each at
// "line N" (the CSV line, or the XLSX row) or at "header".
//
// # Writing
//
// WriteCSV writes a register in the Chinese header format that Read reads back;
// WriteInvitesCSV writes the invitation sheet (小区,楼栋,单元,房号,链接). Both
// start with a UTF-8 byte order mark so that Excel shows the Chinese correctly,
// and both defuse spreadsheet formulas: a cell beginning with = + - or @ gets a
// leading apostrophe, which Read removes again (a cell that already begins
// with apostrophes before one of those gets one more, so it reads back as is).
//
// GenerateSeed makes a deterministic, plausible and entirely fake register for a
// programme (examples/fenggang-2020-register.csv is its output for the seed
// programme; regenerate it with `go test ./register -run TestExampleRegister -update`).
//
// # Personal data
//
// Owner names and phones are personal data. This package never logs, and its
// problems name rows by line and column: they quote the offending compound,
// building, unit, room or area, never an owner or a phone number.
//
// # Imports
//
// This package imports the root renovote package, excelize, golang.org/x/text
// and the standard library. It must not import go-telegram, go-redis, the store,
// the dialogs or any other chat or storage package; callers hand it readers and
// writers and store the result themselves.
package register
