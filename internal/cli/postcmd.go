package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
)

func postCmd(stdio Stdio) *cobra.Command {
	return group("post", "create a post through the engine (post create)", "",
		"post: say what to do: 'cqrslab post create --author A --title T'",
		"post: unknown subcommand %q; use 'post create'",
		postCreateCmd(stdio))
}

func postCreateCmd(stdio Stdio) *cobra.Command {
	c := leaf("create --author A --title T [--id ID] [--policy P] [--json]", "create a post through the engine")
	fs := c.Flags()
	author := fs.String("author", "", "author ID (the lab has alice, bob, carol and dave)")
	title := fs.String("title", "", fmt.Sprintf("post title: one line, at most %d characters", demo.MaxTitleRunes))
	id := fs.String("id", "", "post ID (default: generated); repeating an ID with the same content is a no-op")
	policy := fs.String("policy", string(demo.PolicySeed), "write policy: "+demo.PolicyList(", "))
	asJSON := fs.Bool("json", false, "print the result as JSON")
	c.RegisterFlagCompletionFunc("author", completeAuthors)
	c.RegisterFlagCompletionFunc("policy", completePolicies(false))
	for _, n := range []string{"title", "id"} {
		c.RegisterFlagCompletionFunc(n, cobra.NoFileCompletions)
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if *author == "" {
			return usagef("post create: --author is required (e.g. --author alice)")
		}
		pol, err := demo.ParsePolicy(*policy)
		if err != nil {
			return usagef("post create: --policy: %v", err)
		}
		st, info, err := connectCurrentInfo(ctx, stdio.Err)
		if err != nil {
			return err
		}
		defer st.Close()
		svc := st.Service(demo.Options{Logger: warnLogger(stdio.Err), Policy: pol})
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		res, err := svc.CreatePost(wctx, demo.NewPost{ID: *id, AuthorID: *author, Title: *title})
		if err != nil {
			return err
		}
		if *asJSON {
			out := struct {
				Post       demo.Post `json:"post"`
				Existing   bool      `json:"existing"`
				Projected  bool      `json:"projected"`
				Projection string    `json:"projection_error,omitempty"`
				Lab        string    `json:"lab"` // the run ID of the lab written to
			}{res.Post, res.Existing, res.ProjectionErr == nil, errString(res.ProjectionErr), info.RunID}
			return json.NewEncoder(stdio.Out).Encode(out)
		}
		verb := "Created"
		if res.Existing {
			verb = "Already had"
		}
		fmt.Fprintf(stdio.Out, "%s post %s by %s: %s\n", verb, res.Post.ID, res.Post.AuthorID, safetext.Visible(res.Post.Title))
		fmt.Fprintf(stdio.Out, "  PostgreSQL: committed at %s\n", res.Post.PublishedAt.Format(time.RFC3339Nano))
		if res.ProjectionErr != nil {
			fmt.Fprintf(stdio.Out, "  Redis:      NOT updated (%v): the feed is stale until repaired\n", res.ProjectionErr)
		} else {
			fmt.Fprintf(stdio.Out, "  Redis:      added to %s\n", svc.FeedKey(res.Post.AuthorID))
		}
		return nil
	}
	return c
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// connectCurrent connects to the newest running lab. When several run, it
// says on w (stderr) which one it used, so a post never lands in a lab
// the user was not looking at without a word.
func connectCurrent(ctx context.Context, w io.Writer) (*demo.Stores, error) {
	st, _, err := connectCurrentInfo(ctx, w)
	return st, err
}

// connectCurrentInfo is connectCurrent, also returning the lab's record.
func connectCurrentInfo(ctx context.Context, w io.Writer) (*demo.Stores, lab.Info, error) {
	labs := runningLabs()
	if len(labs) == 0 {
		return nil, lab.Info{}, errNoLab
	}
	info := labs[0]
	if len(labs) > 1 && w != nil {
		others := make([]string, 0, len(labs)-1)
		for _, o := range labs[1:] {
			others = append(others, fmt.Sprintf("%s (pid %d)", o.RunID, o.PID))
		}
		fmt.Fprintf(w, "cqrslab: %d labs are running; using the newest, %s (%s, pid %d, started %s); also running: %s\n",
			len(labs), info.RunID, info.Provider, info.PID, info.Started.Format(time.TimeOnly), strings.Join(others, ", "))
	}
	st, err := connectInfo(ctx, info)
	return st, info, err
}

func connectInfo(ctx context.Context, info lab.Info) (*demo.Stores, error) {
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := demo.Connect(cctx, info)
	if err != nil {
		return nil, fmt.Errorf("lab %s is recorded but does not answer (%v); restart it with `cqrslab lab up`", info.RunID, err)
	}
	return st, nil
}
