package chart

import "testing"

// Drawing the seed programme's charts: go test -run '^$' -bench . ./chart/
func BenchmarkCharts(b *testing.B) {
	tb := seedTables(b)
	b.Run("consent", func(b *testing.B) {
		for b.Loop() {
			if _, err := Consent(tb, "zh"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("survey", func(b *testing.B) {
		for b.Loop() {
			if _, err := Survey(tb, "", "zh"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("response", func(b *testing.B) {
		for b.Loop() {
			if _, err := Response(tb, "zh"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
