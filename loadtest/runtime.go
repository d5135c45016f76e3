package loadtest

import (
	"runtime/metrics"
	"time"
)

// runtimeSample is what the Go runtime has counted so far: heap bytes and
// objects allocated, CPU time spent on garbage collection.
type runtimeSample struct {
	allocBytes, allocObjects uint64
	gcCPU                    time.Duration
}

var runtimeMetrics = []string{"/gc/heap/allocs:bytes", "/gc/heap/allocs:objects", "/cpu/classes/gc/total:cpu-seconds"}

// readRuntime samples the runtime's counters; one it does not know stays 0.
// The GC's CPU time is an estimate of the runtime's, updated at each
// collection.
func readRuntime() runtimeSample {
	s := make([]metrics.Sample, len(runtimeMetrics))
	for i, name := range runtimeMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	var r runtimeSample
	if s[0].Value.Kind() == metrics.KindUint64 {
		r.allocBytes = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		r.allocObjects = s[1].Value.Uint64()
	}
	if s[2].Value.Kind() == metrics.KindFloat64 {
		r.gcCPU = time.Duration(s[2].Value.Float64() * float64(time.Second))
	}
	return r
}

// since is what was counted from earlier to r.
func (r runtimeSample) since(earlier runtimeSample) runtimeSample {
	return runtimeSample{allocBytes: r.allocBytes - earlier.allocBytes,
		allocObjects: r.allocObjects - earlier.allocObjects, gcCPU: r.gcCPU - earlier.gcCPU}
}

func (r *runtimeSample) add(q runtimeSample) {
	r.allocBytes += q.allocBytes
	r.allocObjects += q.allocObjects
	r.gcCPU += q.gcCPU
}
