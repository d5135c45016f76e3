package bottest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif"  // image.DecodeConfig for uploaded photos
	_ "image/jpeg" // "
	_ "image/png"  // "
	"mime"
	"net/http"
	"path"
	"strings"
)

type storedFile struct {
	id       string
	uniqueID string
	kind     string // photo, document, video, ...
	path     string // file_path for getFile and downloads
	name     string // original file name (documents)
	mimeType string
	data     []byte
	width    int
	height   int
}

// FileInfo describes a stored file: uploaded by the bot, sent by a test
// user, or added with AddFile.
type FileInfo struct {
	ID       string
	UniqueID string
	Kind     string
	Path     string
	Name     string
	MIMEType string
	Size     int
	Data     []byte
}

var extraMIME = map[string]string{
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".xls":  "application/vnd.ms-excel",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".csv":  "text/csv",
	".pdf":  "application/pdf",
	".zip":  "application/zip",
	".txt":  "text/plain",
	".json": "application/json",
}

func mimeFor(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := extraMIME[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

var filePrefix = map[string]string{"photo": "AgAC", "document": "BQAC", "video": "BAAC", "audio": "CQAC", "voice": "AwAC"}

func (s *Server) addFileLocked(kind, name, mimeType string, data []byte) *storedFile {
	s.st.nextFile++
	n := s.st.nextFile
	prefix := filePrefix[kind]
	if prefix == "" {
		prefix = "CAAC"
	}
	dir, ext := kind+"s", path.Ext(name)
	if kind == "photo" {
		ext = ".jpg"
	}
	if mimeType == "" {
		mimeType = mimeFor(name)
	}
	f := &storedFile{
		id:       fmt.Sprintf("%sbottest%08d", prefix, n),
		uniqueID: fmt.Sprintf("AQAD%08d", n),
		kind:     kind,
		path:     fmt.Sprintf("%s/file_%d%s", dir, n, ext),
		name:     name,
		mimeType: mimeType,
		data:     data,
	}
	if kind == "photo" {
		f.width, f.height, f.mimeType = 1280, 960, "image/jpeg"
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			f.width, f.height = cfg.Width, cfg.Height
			f.mimeType = "image/" + format
		}
	}
	s.st.files[f.id] = f
	s.st.filesByPath[f.path] = f
	return f
}

// mediaJSON renders the file as the message field for kind: an array of
// one PhotoSize for photos, an object (Document, Video, ...) otherwise.
func (f *storedFile) mediaJSON(kind string) any {
	obj := map[string]any{"file_id": f.id, "file_unique_id": f.uniqueID, "file_size": len(f.data)}
	if kind == "photo" {
		obj["width"], obj["height"] = f.width, f.height
		return []any{obj}
	}
	if f.name != "" {
		obj["file_name"] = f.name
	}
	if f.mimeType != "" {
		obj["mime_type"] = f.mimeType
	}
	return obj
}

// AddFile stores a document so that a test can refer to it by file_id
// (e.g. in User.SendPhotoID or an injected update) and the bot can getFile
// and download it. It returns the file_id.
func (s *Server) AddFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked("document", name, "", data).id
}

// File returns a stored file by file_id, e.g. a document the bot sent.
func (s *Server) File(fileID string) (FileInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.files[fileID]
	if f == nil {
		return FileInfo{}, false
	}
	return FileInfo{ID: f.id, UniqueID: f.uniqueID, Kind: f.kind, Path: f.path, Name: f.name,
		MIMEType: f.mimeType, Size: len(f.data), Data: f.data}, true
}

// inputFileLocked resolves an InputFile parameter: an uploaded part (by
// field or attach://name), a known file_id, or an HTTP URL (registered
// without content: the fake never fetches).
func (s *Server) inputFileLocked(r *request, field, kind string) (*storedFile, *apiError) {
	if up := r.uploads[field]; up != nil {
		f := s.addFileLocked(kind, up.Filename, up.ContentType, up.Data)
		if kind != "photo" && up.ContentType == "application/octet-stream" {
			f.mimeType = mimeFor(up.Filename)
		}
		r.setFileID(field, f.id)
		return f, nil
	}
	v := r.params[field]
	if name, ok := strings.CutPrefix(v, "attach://"); ok {
		up := r.uploads[name]
		if up == nil {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		f := s.addFileLocked(kind, up.Filename, up.ContentType, up.Data)
		r.setFileID(name, f.id)
		return f, nil
	}
	if f := s.st.files[v]; f != nil {
		return f, nil
	}
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return s.addFileLocked(kind, path.Base(v), "", nil), nil
	}
	return nil, badRequest("wrong file identifier/HTTP URL specified")
}

func (s *Server) getFile(r *request) (any, *apiError) {
	f := s.st.files[r.params["file_id"]]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > MaxDownloadBytes {
		return nil, badRequest("file is too big")
	}
	return map[string]any{"file_id": f.id, "file_unique_id": f.uniqueID, "file_size": len(f.data), "file_path": f.path}, nil
}

// serveFile serves /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, p, _ := strings.Cut(rest, "/")
	if token != s.Token {
		writeError(w, errUnauthorized)
		return
	}
	s.mu.Lock()
	f := s.st.filesByPath[p]
	var data []byte
	var ctype string
	if f != nil {
		data, ctype = f.data, f.mimeType
	}
	s.mu.Unlock()
	if f == nil {
		writeError(w, &apiError{Code: http.StatusNotFound, Description: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data)
}
