package programme

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// walker decodes a yaml.Node tree into the file structs, like yaml.v3 with
// KnownFields, but it keeps going after a problem, names every problem by its
// path and remembers the line of every path for later validation messages.
type walker struct {
	problems []problem
	lines    map[string]int // path -> line of the key or item in the file
	// values counts the values decoded; aliases can make a small file decode
	// to millions (a list of aliases of a list of aliases...). Past limit
	// (when not 0) decoding stops and overflow is set.
	values, limit int
	overflow      bool
}

// countNodes counts the nodes of the file as written, an alias as one.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

// problem is a renovote.Problem with the line it was found on (0: unknown).
type problem struct {
	path string
	msg  string
	line int
}

// nodeDecoder is implemented by file types that accept more than one shape.
type nodeDecoder interface {
	decodeNode(w *walker, n *yaml.Node, path string)
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

func newWalker() *walker { return &walker{lines: map[string]int{}} }

func (w *walker) add(path string, line int, msg string) {
	w.problems = append(w.problems, problem{path: path, msg: msg, line: line})
}

// lineOf returns the line of path or of its nearest ancestor in the file.
func (w *walker) lineOf(path string) int {
	for path != "" {
		if l, ok := w.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func field(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// orFile is the path of a problem at path: "file" for the top level.
func orFile(path string) string {
	if path == "" {
		return "file"
	}
	return path
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// decode fills v (addressable) from n. A null leaves v at its zero value.
func (w *walker) decode(n *yaml.Node, path string, v reflect.Value) {
	if w.overflow {
		return
	}
	if w.values++; w.limit > 0 && w.values > w.limit {
		w.overflow = true
		return
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(w, n, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		w.decode(n, path, nv.Elem())
		v.Set(nv)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.add(path, n.Line, "want a string, got "+kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			w.add(path, n.Line, "want true or false, got "+kindName(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Decode(&i) != nil {
			w.add(path, n.Line, "want a whole number, got "+kindName(n))
			return
		}
		v.SetInt(i)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.add(path, n.Line, "want a list, got "+kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := index(path, i)
			w.lines[p] = item.Line
			w.decode(item, p, s.Index(i))
		}
		v.Set(s)
	case reflect.Struct:
		w.decodeStruct(n, path, v)
	default:
		panic("programme: cannot decode into " + v.Type().String())
	}
}

func (w *walker) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		w.add(path, n.Line, "want a mapping, got "+kindName(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			w.add(orFile(path), k.Line, "a key must be a plain name, got "+kindName(k))
			continue
		}
		key := k.Value
		p := field(path, key)
		if key == "<<" {
			w.add(orFile(path), k.Line, "merge keys (<<) are not supported")
			continue
		}
		fi, ok := fields[key]
		if !ok {
			w.add(orFile(p), k.Line, fmt.Sprintf("unknown field %q (known: %s)", key, strings.Join(names, ", ")))
			continue
		}
		if first, dup := seen[key]; dup {
			w.add(p, k.Line, fmt.Sprintf("duplicate key %q, first at line %d", key, first))
			continue
		}
		seen[key] = k.Line
		w.lines[p] = k.Line
		w.decode(val, p, v.Field(fi))
	}
}

// reflectValue returns the addressable value p points to.
func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
