package sandbox

import (
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

// page serves the chat page in the browser's language.
func (s *Sandbox) page(w http.ResponseWriter, r *http.Request) {
	lg := lang(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lg)
	w.Header().Set("Vary", "Accept-Language")
	w.Header().Set("Cache-Control", "no-store")
	if err := pageTmpl.Execute(w, map[string]any{"Lang": lg, "T": pageText[lg]}); err != nil {
		s.log.Error("sandbox: page", "err", err)
	}
}
