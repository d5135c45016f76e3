package bottest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

const (
	maxFieldBytes  = 1 << 20  // one non-file form field
	maxUploadBytes = 50 << 20 // Telegram's upload limit for bots
	maxBodyBytes   = maxUploadBytes + 10<<20
)

// errTooLarge maps to Telegram's 413 answer.
var errTooLarge = errors.New("Request Entity Too Large")

// upload is one file part of a multipart request.
type upload struct {
	Field       string
	Filename    string
	ContentType string
	Data        []byte
}

// parseParams reads the request parameters the way Telegram does: query
// string, then the body as multipart/form-data, urlencoded form or JSON
// object. Every value becomes a string; JSON bodies keep nested objects and
// numbers as their JSON text, which is what a form client sends as well.
func parseParams(w http.ResponseWriter, r *http.Request) (map[string]string, map[string]*upload, error) {
	params := map[string]string{}
	files := map[string]*upload{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			params[k] = vs[len(vs)-1]
		}
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return params, files, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	ct := r.Header.Get("Content-Type")
	mt, mtParams, _ := mime.ParseMediaType(ct)
	switch mt {
	case "multipart/form-data":
		if mtParams["boundary"] == "" {
			return nil, nil, errors.New("can't parse multipart form: no boundary")
		}
		if err := readMultipart(r, params, files); err != nil {
			return nil, nil, err
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, nil, fmt.Errorf("can't parse form: %v", err)
		}
		for k, vs := range r.PostForm {
			if len(vs) > 0 {
				params[k] = vs[len(vs)-1]
			}
		}
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, fmt.Errorf("can't read body: %v", err)
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			break
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, nil, errors.New("can't parse JSON object")
		}
		for k, raw := range obj {
			if v, ok := jsonParamString(raw); ok {
				params[k] = v
			}
		}
	default:
		// Telegram ignores bodies it does not understand; so do we.
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return params, files, nil
}

// jsonParamString turns one JSON value into the string a form would carry.
// null is treated as absent.
func jsonParamString(raw json.RawMessage) (string, bool) {
	t := strings.TrimSpace(string(raw))
	switch {
	case t == "null" || t == "":
		return "", false
	case strings.HasPrefix(t, `"`):
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return t, true
		}
		return s, true
	default:
		return t, true
	}
}

func readMultipart(r *http.Request, params map[string]string, files map[string]*upload) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return fmt.Errorf("can't parse multipart form: %v", err)
	}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if n == 0 && errors.Is(err, io.EOF) {
			return nil // empty body: go-telegram sends no parts for methods without params
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errTooLarge
			}
			return fmt.Errorf("can't parse multipart form: %v", err)
		}
		name := part.FormName()
		if name == "" {
			_ = part.Close()
			continue
		}
		_, cd, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		_, hasFilename := cd["filename"]
		isFile := hasFilename || part.Header.Get("Content-Type") != ""
		limit := int64(maxFieldBytes)
		if isFile {
			limit = maxUploadBytes
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		_ = part.Close()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errTooLarge
			}
			return fmt.Errorf("can't read multipart form: %v", err)
		}
		if int64(len(data)) > limit {
			if isFile {
				return errTooLarge
			}
			return fmt.Errorf("field %q is too long", name)
		}
		if isFile {
			files[name] = &upload{
				Field:       name,
				Filename:    part.FileName(),
				ContentType: part.Header.Get("Content-Type"),
				Data:        data,
			}
			continue
		}
		params[name] = string(data)
	}
}
