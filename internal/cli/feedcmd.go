package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"cqrslab/demo"
	"cqrslab/internal/safetext"
)

func feedCmd(stdio Stdio) *cobra.Command {
	c := leaf("feed --author A [-n N] [--sql] [--json]", "read an author's feed from Redis (or --sql from PostgreSQL)")
	fs := c.Flags()
	author := fs.String("author", "", "author ID")
	n := fs.IntP("n", "n", demo.DefaultFeedSize, "how many items, newest first")
	useSQL := fs.Bool("sql", false, "read with the SQL join in PostgreSQL instead of the Redis projection")
	asJSON := fs.Bool("json", false, "print the items as JSON")
	c.RegisterFlagCompletionFunc("author", completeAuthors)
	c.RegisterFlagCompletionFunc("n", cobra.NoFileCompletions)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if *author == "" {
			return usagef("feed: --author is required (e.g. --author alice)")
		}
		if *n < 1 || *n > 10000 {
			return usagef("feed: -n %d is out of range; use 1 to 10000", *n)
		}
		st, info, err := connectCurrentInfo(ctx, stdio.Err)
		if err != nil {
			return err
		}
		defer st.Close()
		rm := demo.NewReadModel(st.Service(demo.Options{})) // what the TUI reads through
		rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		var read demo.FeedRead
		source := "Redis " + rm.FeedKey(*author)
		if *useSQL {
			source = "PostgreSQL (join)"
			read.Items, err = rm.GetFeedSQL(rctx, *author, *n)
		} else {
			read, err = rm.ReadFeed(rctx, *author, *n)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			out := struct {
				Lab         string          `json:"lab"`
				Author      string          `json:"author"`
				Source      string          `json:"source"`
				Items       []demo.FeedItem `json:"items"`
				Undecodable []string        `json:"undecodable"`
			}{info.RunID, *author, source, read.Items, read.Undecodable}
			if out.Items == nil {
				out.Items = []demo.FeedItem{}
			}
			if out.Undecodable == nil {
				out.Undecodable = []string{}
			}
			return json.NewEncoder(stdio.Out).Encode(out)
		}
		fmt.Fprintf(stdio.Out, "Feed of %s from %s: %d item(s)", *author, source, len(read.Items))
		if len(read.Undecodable) > 0 {
			fmt.Fprintf(stdio.Out, " and %d member(s) that are not feed items", len(read.Undecodable))
		}
		fmt.Fprintln(stdio.Out)
		for _, it := range read.Items {
			fmt.Fprintf(stdio.Out, "  %s  %s  %s\n", time.UnixMilli(it.PublishedAt).UTC().Format("2006-01-02 15:04:05.000"),
				safetext.Visible(it.PostID), safetext.Visible(it.Title))
		}
		// Shown, not dropped: written by hand, by an older version, or damaged,
		// they are the projection holding something the engine did not write.
		for _, m := range read.Undecodable {
			fmt.Fprintf(stdio.Out, "  (not a feed item)        %s\n", safetext.Visible(clipMember(m)))
		}
		if len(read.Undecodable) > 0 {
			fmt.Fprintln(stdio.Out, "  `cqrslab reconcile --repair` removes members that are not feed items.")
		}
		return nil
	}
	return c
}

// clipMember keeps a raw member short enough for one line.
func clipMember(m string) string {
	const max = 120
	if len(m) <= max {
		return m
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(m[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…[%d bytes]", m[:cut], len(m))
}
