package dialogs

// The wording of the bureau's charts (/report's 图表 button).
var (
	mBtnCharts     = msg{"📊 图表", "📊 Charts"}
	mChartsCaption = msg{"📊 %s 图表 %d/%d（截至 %s）", "📊 %s: chart %d of %d (as of %s)"}
	mChartsSending = msg{"正在生成图表…", "Drawing the charts…"}
	mChartsNone    = msg{"还没有可画的数据。", "Nothing to draw yet."}
)

// chartLang is the language code the chart package takes.
func chartLang(l lang) string {
	if l == en {
		return "en"
	}
	return "zh"
}
