package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/safetext"
)

func runFeed(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("feed", "feed --author A [-n N] [--sql] [--json]", stdio)
	author := fs.String("author", "", "author ID")
	n := fs.Int("n", demo.DefaultFeedSize, "how many items, newest first")
	useSQL := fs.Bool("sql", false, "read with the SQL join in PostgreSQL instead of the Redis projection")
	asJSON := fs.Bool("json", false, "print the items as JSON")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *author == "" {
		return usagef("feed: --author is required (e.g. --author alice)")
	}
	if *n < 1 || *n > 10000 {
		return usagef("feed: -n %d is out of range; use 1 to 10000", *n)
	}
	st, err := connectCurrent(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rm := demo.NewReadModel(st.Service(demo.Options{})) // what the TUI reads through
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	read, source := rm.GetFeed, "Redis "+rm.FeedKey(*author)
	if *useSQL {
		read, source = rm.GetFeedSQL, "PostgreSQL (join)"
	}
	items, err := read(rctx, *author, *n)
	if err != nil {
		return err
	}
	if *asJSON {
		if items == nil {
			items = []demo.FeedItem{}
		}
		return json.NewEncoder(stdio.Out).Encode(items)
	}
	fmt.Fprintf(stdio.Out, "Feed of %s from %s: %d item(s)\n", *author, source, len(items))
	for _, it := range items {
		fmt.Fprintf(stdio.Out, "  %s  %s  %s\n", time.UnixMilli(it.PublishedAt).UTC().Format("2006-01-02 15:04:05.000"),
			safetext.Visible(it.PostID), safetext.Visible(it.Title))
	}
	return nil
}
