package register

import (
	"fmt"

	"github.com/renovote/renovote"
)

// GenerateSeed makes a fake but plausible register for every compound of p with
// exactly its PlannedHouseholds units (compounds without a plan get none). The
// same programme and seed always give the same register, on any Go version.
//
// Each compound has buildings 1栋, 2栋, ... of 2-3 units (单元) and 5-7 floors with
// two flats per floor (101, 102, 201, ...), the last building filled only as far
// as needed. A stack of flats (same unit and position) shares one area between
// 45.00 and 120.00 m². Owners are 住户0001, 住户0002, ... with phones 13800000001,
// ...; about one in twenty has no phone, and about one owner in forty owns two
// units of the compound (at least one per compound of four or more units), so
// the owner count differs from the household count. Nothing in it is real.
func GenerateSeed(p renovote.Programme, seed int64) []renovote.Household {
	rng := &splitMix{state: uint64(seed)}
	var out []renovote.Household
	person := 0
	for _, c := range p.Compounds {
		n := c.PlannedHouseholds
		start := len(out)
		for b := 1; n > 0; b++ {
			units := 2 + rng.intn(2)
			floors := 5 + rng.intn(3)
			for u := 1; u <= units && n > 0; u++ {
				stack := [2]renovote.Area{
					renovote.Area(4500 + rng.intn(7501)),
					renovote.Area(4500 + rng.intn(7501)),
				}
				for f := 1; f <= floors && n > 0; f++ {
					for pos := 1; pos <= 2 && n > 0; pos++ {
						person++
						h := renovote.Household{
							CompoundID: c.ID,
							Building:   fmt.Sprintf("%d栋", b),
							Unit:       fmt.Sprintf("%d单元", u),
							Room:       fmt.Sprintf("%d%02d", f, pos),
							Owner:      fmt.Sprintf("住户%04d", person),
							Phone:      fmt.Sprintf("138%08d", person),
							Area:       stack[pos-1],
						}
						if rng.intn(20) == 0 {
							h.Phone = ""
						}
						h.ID = renovote.HouseholdID(h.Building, h.Unit, h.Room)
						out = append(out, h)
						n--
					}
				}
			}
		}
		// A few owners own two units: pair distinct households and give the
		// second of each pair the first one's owner.
		hhs := out[start:]
		if len(hhs) < 4 {
			continue
		}
		pairs := max(1, len(hhs)/40)
		perm := make([]int, len(hhs))
		for i := range perm {
			perm[i] = i
		}
		for i := len(perm) - 1; i > 0; i-- {
			j := rng.intn(i + 1)
			perm[i], perm[j] = perm[j], perm[i]
		}
		for k := range pairs {
			from, to := &hhs[perm[2*k]], &hhs[perm[2*k+1]]
			to.Owner, to.Phone = from.Owner, from.Phone
		}
	}
	return out
}

// splitMix is SplitMix64: a small generator whose output is fixed by its
// definition, unlike math/rand's, so the example register never changes.
type splitMix struct{ state uint64 }

func (r *splitMix) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *splitMix) intn(n int) int { return int(r.next() % uint64(n)) }
