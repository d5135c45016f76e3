package apispec

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

//go:embed api.json
var apiJSON []byte

// Field is one parameter of a method (or one field of an object type).
type Field struct {
	Name     string   `json:"name"`
	Types    []string `json:"types"`
	Required bool     `json:"required"`
}

// Method is one Bot API method.
type Method struct {
	Name    string   `json:"name"`
	Returns []string `json:"returns"`
	Fields  []Field  `json:"fields"`
}

// Field returns the parameter called name.
func (m *Method) Field(name string) (Field, bool) {
	for _, f := range m.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Type is one Bot API object type.
type Type struct {
	Name   string  `json:"name"`
	Fields []Field `json:"fields"`
}

// Spec is the parsed reference.
type Spec struct {
	Version     string             `json:"version"`
	ReleaseDate string             `json:"release_date"`
	Methods     map[string]*Method `json:"methods"`
	Types       map[string]*Type   `json:"types"`

	lower map[string]*Method
}

// Method looks a method up by name. Like Telegram, the lookup ignores case
// ("logout" finds logOut).
func (s *Spec) Method(name string) (*Method, bool) {
	m, ok := s.lower[strings.ToLower(name)]
	return m, ok
}

var (
	loadOnce sync.Once
	loaded   *Spec
	loadErr  error
)

// Load parses the embedded api.json once and returns the shared, read-only
// result. It panics if the embedded file is corrupt, which would be a build
// defect rather than a runtime condition.
func Load() *Spec {
	loadOnce.Do(func() {
		loaded, loadErr = Parse(apiJSON)
	})
	if loadErr != nil {
		panic(loadErr)
	}
	return loaded
}

// Parse parses a spec in the api.json format.
func Parse(data []byte) (*Spec, error) {
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("apispec: %w", err)
	}
	if len(s.Methods) == 0 {
		return nil, fmt.Errorf("apispec: no methods in spec")
	}
	s.lower = make(map[string]*Method, len(s.Methods))
	for name, m := range s.Methods {
		if m.Name == "" {
			m.Name = name
		}
		s.lower[strings.ToLower(m.Name)] = m
	}
	return &s, nil
}
