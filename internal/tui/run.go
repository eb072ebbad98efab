package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/tui/ui"
)

// teardownLimit bounds how long Run waits for a lab that is still starting
// or stopping when the program ends (a docker pull cancels quickly; a
// container removal takes seconds).
const teardownLimit = 90 * time.Second

// Run opens the TUI and returns when the learner quits. Whatever ends the
// program (q, ctrl+c, SIGTERM, a closed terminal), the lab is torn down
// before Run returns: the app normally does it itself while saying so, and
// Run makes sure of it for every other way out.
func Run(ctx context.Context, cfg ui.Config) error {
	a := NewApp(cfg).WithContext(ctx)
	_, err := tea.NewProgram(a, tea.WithContext(ctx)).Run()
	a.stats.write(a.sh.Dropped)
	if a.quiz != nil {
		if ferr := a.quiz.Flush(); ferr != nil {
			fmt.Fprintf(os.Stderr, "cqrslab: the quiz answer being written was not saved: %v\n", ferr)
		}
	}
	s := a.sh.Session
	if s.Lab != nil || s.Phase == ui.LabStarting || s.Phase == ui.LabStopping {
		fmt.Fprintln(os.Stderr, "cqrslab: stopping the lab…")
	}
	if serr := s.Shutdown(teardownLimit); serr != nil {
		fmt.Fprintf(os.Stderr, "cqrslab: tearing the lab down: %v (run `cqrslab cleanup`)\n", serr)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
