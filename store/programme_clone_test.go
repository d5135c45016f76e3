package store

import (
	"reflect"
	"testing"

	"github.com/renovote/renovote/programme"
)

// The copy equals the programme and shares no slice, map or pointer with
// it, however deep: a caller changing its copy cannot change the cache.
func TestCloneProgrammeSharesNothing(t *testing.T) {
	p := programme.Seed()
	c := cloneProgramme(p)
	if !reflect.DeepEqual(c, p) {
		t.Fatalf("copy differs:\n%+v\n%+v", c, p)
	}
	var walk func(a, b reflect.Value, path string) int
	walk = func(a, b reflect.Value, path string) int {
		n := 0
		switch a.Kind() {
		case reflect.Slice:
			if a.Len() > 0 && a.Pointer() == b.Pointer() {
				t.Errorf("%s: slice shared", path)
			}
			for i := range a.Len() {
				n += walk(a.Index(i), b.Index(i), path+"[]")
			}
			return n + 1
		case reflect.Map:
			if !a.IsNil() && a.Pointer() == b.Pointer() {
				t.Errorf("%s: map shared", path)
			}
			for it := a.MapRange(); it.Next(); {
				n += walk(it.Value(), b.MapIndex(it.Key()), path+"[k]")
			}
			return n + 1
		case reflect.Pointer:
			if !a.IsNil() && a.Pointer() == b.Pointer() {
				t.Errorf("%s: pointer shared", path)
			}
			if !a.IsNil() {
				n += walk(a.Elem(), b.Elem(), path)
			}
			return n
		case reflect.Struct:
			for i := range a.NumField() {
				if a.Type().Field(i).IsExported() {
					n += walk(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
				}
			}
		}
		return n
	}
	if n := walk(reflect.ValueOf(c), reflect.ValueOf(p), "Programme"); n < 10 {
		t.Errorf("only %d slices and maps in the seed programme: the test checks little", n)
	}
	c.Compounds[0].Name = "changed"
	c.Menu.Parts[0].Items[0].ID = "changed"
	if p.Compounds[0].Name == "changed" || p.Menu.Parts[0].Items[0].ID == "changed" {
		t.Error("changing the copy changed the original")
	}
}
