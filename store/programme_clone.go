package store

import (
	"reflect"

	"github.com/renovote/renovote"
)

// cloneProgramme returns a deep copy of p: Programme hands out the cached
// programme (cachedProgramme), which its callers may change. Every slice,
// map and pointer reachable from p through exported fields is copied, so
// a field added to the programme later is copied too; unexported fields
// are copied as values (a time.Time's zone is immutable).
func cloneProgramme(p renovote.Programme) renovote.Programme {
	var out renovote.Programme
	deepCopy(reflect.ValueOf(&out).Elem(), reflect.ValueOf(p))
	return out
}

// deepCopy sets dst (settable, of src's type) to a deep copy of src.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		deepCopy(v, src.Elem())
		dst.Set(v)
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Struct:
		dst.Set(src) // every field, the unexported ones as values
		for i := range src.NumField() {
			if f := dst.Field(i); f.CanSet() && needsCopy(f.Kind()) {
				deepCopy(f, src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

// needsCopy reports kinds that may reference memory the copy must not share.
func needsCopy(k reflect.Kind) bool {
	switch k {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Array, reflect.Struct:
		return true
	}
	return false
}
