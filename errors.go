package renovote

import "errors"

// Error kinds. Callers wrap them with the operation (fmt.Errorf("cast vote: %w", ErrBallotClosed))
// and test them with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrInvalid       = errors.New("invalid input")
	ErrBallotNotOpen = errors.New("ballot not open yet")
	ErrBallotClosed  = errors.New("ballot closed")
	ErrHouseholdFull = errors.New("household has its maximum number of members")
	ErrAlreadyBound  = errors.New("user already bound to another household")
	ErrRevoked       = errors.New("invitation revoked")
	ErrThrottled     = errors.New("too many attempts")
	ErrForbidden     = errors.New("not allowed")
	ErrRemoved       = errors.New("household removed from the register")
	ErrConflict      = errors.New("conflicting data")
	ErrSurveyNotOpen = errors.New("survey not open yet")
	ErrSurveyClosed  = errors.New("survey closed")
	// The publicity window (公示期) in which residents may file objections.
	ErrObjectionNotOpen = errors.New("objection window not open yet")
	ErrObjectionClosed  = errors.New("objection window closed")
)

// Problem is one thing wrong with an input, located by a path such as
// "compounds[2].rule.tests[0].fraction" or "line 14".
type Problem struct {
	Path string
	Msg  string
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// ValidationError lists every problem found in an input. It matches ErrInvalid.
type ValidationError struct {
	What     string // what was validated: "programme", "register"
	Problems []Problem
}

func (e *ValidationError) Error() string {
	s := e.What + ": " + itoa(int64(len(e.Problems))) + " problem(s)"
	for _, p := range e.Problems {
		s += "\n  " + p.String()
	}
	return s
}

func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Add records a problem.
func (e *ValidationError) Add(path, msg string) { e.Problems = append(e.Problems, Problem{path, msg}) }

// Err returns e if it holds any problem, nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}
