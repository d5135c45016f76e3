package programme_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
)

// FuzzParse reads any bytes as a programme file: never a panic; either a
// programme that validates and survives the JSON the store keeps it in, or a
// *renovote.ValidationError whose every problem has a path and a message,
// no longer than the file can explain (aliases do not blow a small file up).
func FuzzParse(f *testing.F) {
	f.Add(programme.SeedYAML())
	if b, err := os.ReadFile("../examples/national-classes.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		minimal,
		strings.Replace(minimal, "    name: A\n", "    name: A\n    rule: country\n", 1),
		strings.Replace(minimal, "    name: A\n", "    name: A\n    ballot: {opens: 2020-06-01 08:00, closes: 2020-05-31}\n", 1),
		strings.Replace(minimal, "    name: A\n", "    name: A\n    rule:\n      tests:\n        - {name: t1, num: agree, den: households, fraction: \"0.66\"}\n", 1),
		strings.Replace(minimal, "closes: 2020-05-20", "closes: 2020-13-01", 1),
		strings.Replace(minimal, "closes: 2020-05-20", "closes: 9999-12-31", 1),
		strings.Replace(minimal, "opens: 2020-05-01 08:00", "opens: 0000-01-01", 1),
		"time_zone: Asia/Fenggang\n" + minimal,
		minimal + "colour: red\n",
		minimal + "---\nid: second\n",
		"id: x\nname: y\nballot: &w {opens: 2020-05-01, closes: 2020-05-20}\ncompounds:\n  - {id: a, name: A, ballot: *w}\n  - {id: b, name: B, ballot: *w, survey: {}}\nmenu: {classes: [{id: must, name: 必改, required: true}], parts: [{id: p, name: P, items: [{id: i, name: I, class: must}]}]}\n",
		"<<: {id: x}\n", "\"\": 1\n", "? [a]\n: 1\n", "compounds: [{\"\": 1, <<: {}}]\n", "[]", "id", "", "~", "\t", "{", "id: [", "a: &a [*a]", "*x", "!!binary aGk=",
		`{"id": "json_prog", "name": "J", "ballot": {"opens": "2020-05-01", "closes": "2020-05-20"}, "compounds": [{"id": "a", "name": "A"}], "menu": {"classes": [{"id": "must", "name": "M", "required": true}], "parts": [{"id": "p", "name": "P", "items": [{"id": "i", "name": "I", "class": "must"}]}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := programme.Parse(data)
		if err != nil {
			checkProblems(t, data, err)
			if !reflect.ValueOf(p).IsZero() {
				t.Errorf("a programme comes back with the error %v", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse accepts a programme that does not validate: %v", err)
		}
		// The store keeps the programme as JSON: it must come back the same.
		js, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("the programme cannot be stored: %v", err)
		}
		var q renovote.Programme
		if err := json.Unmarshal(js, &q); err != nil {
			t.Fatalf("the stored programme cannot be read: %v", err)
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("the stored programme does not validate: %v", err)
		}
		if js2, _ := json.Marshal(q); !bytes.Equal(js, js2) || !sameValue(reflect.ValueOf(p), reflect.ValueOf(q)) {
			t.Fatalf("the stored programme changes when read back:\n%s\n%s", js, js2)
		}
	})
}

// checkProblems checks that err lists the problems of the file clearly.
func checkProblems(t *testing.T, data []byte, err error) {
	t.Helper()
	var v *renovote.ValidationError
	if !errors.As(err, &v) || !errors.Is(err, renovote.ErrInvalid) {
		t.Fatalf("error %v (%T) is not a *renovote.ValidationError", err, err)
	}
	if v.What != "programme" || len(v.Problems) == 0 {
		t.Fatalf("validation error of %q with %d problems", v.What, len(v.Problems))
	}
	for _, pr := range v.Problems {
		if pr.Path == "" || strings.TrimSpace(pr.Msg) == "" {
			t.Errorf("problem without a path or a message: %q", pr)
		}
	}
	if n, max := len(err.Error()), 300*len(data)+10_000; n > max {
		t.Fatalf("a file of %d bytes gives an error of %d bytes (%d problems)", len(data), n, len(v.Problems))
	}
}

var timeType = reflect.TypeFor[time.Time]()

// sameValue is reflect.DeepEqual with times compared as instants (a time
// read back from JSON has another *time.Location).
func sameValue(a, b reflect.Value) bool {
	if a.Type() == timeType {
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
