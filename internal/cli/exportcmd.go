package cli

import (
	"context"
	"fmt"

	"cqrslab/docs"
	"cqrslab/internal/atomicfile"
	"cqrslab/lessons"
)

const exportUsage = `export lesson [--output FILE]  the whole lesson as one markdown document (slides, print)
       cqrslab export prompt [--output FILE]  the lesson as plain text to paste into an AI assistant
       cqrslab export guide [--output FILE]   the facilitator's workshop guide (docs/workshop.md)`

func runExport(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 {
		return usagef("export: say what to export: 'cqrslab export lesson' or 'cqrslab export prompt'")
	}
	switch args[0] {
	case "lesson":
		return runExportLesson(stdio, args[1:])
	case "prompt":
		return runExportPrompt(stdio, args[1:])
	case "guide":
		return runExportGuide(stdio, args[1:])
	case "-h", "--help", "-help", "help":
		fmt.Fprintf(stdio.Out, "Usage: cqrslab %s\n", exportUsage)
		return nil
	}
	return usagef("export: unknown subcommand %q; use 'export lesson', 'export prompt' or 'export guide'", args[0])
}

func runExportLesson(stdio Stdio, args []string) error {
	fs := newFlags("export lesson", "export lesson [--output FILE]\n\n"+
		"Writes the whole lesson as one markdown document: every page in order, the\n"+
		"seed code with each page's lines marked, hints as blockquotes. Pages are\n"+
		"separated by horizontal rules (slide breaks in most slide tools).", stdio)
	output := fs.String("output", "", "write to `FILE` (replaced atomically) instead of standard output")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	pages, err := lessons.Default()
	if err != nil {
		return err
	}
	return emit(stdio, *output, lessons.Markdown(pages, lessons.SeedCode()),
		fmt.Sprintf("the lesson, %d pages", len(pages)))
}

func runExportGuide(stdio Stdio, args []string) error {
	fs := newFlags("export guide", "export guide [--output FILE]\n\n"+
		"Writes the facilitator's guide for a 90-minute workshop (docs/workshop.md):\n"+
		"the agenda with measured timings, the room set-up, laptops without Docker,\n"+
		"the projector flags and collecting results.", stdio)
	output := fs.String("output", "", "write to `FILE` (replaced atomically) instead of standard output")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	return emit(stdio, *output, docs.Workshop, "the workshop guide")
}

func runExportPrompt(stdio Stdio, args []string) error {
	fs := newFlags("export prompt", "export prompt [--output FILE]\n\n"+
		"Writes a plain text to paste into an AI assistant: what to do with it, the\n"+
		"lesson in brief, the demo code, and the three try-it prompts in order.", stdio)
	output := fs.String("output", "", "write to `FILE` (replaced atomically) instead of standard output")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	pages, err := lessons.Default()
	if err != nil {
		return err
	}
	prompts, err := lessons.Prompts()
	if err != nil {
		return err
	}
	return emit(stdio, *output, lessons.PromptText(pages, lessons.SeedCode(), prompts),
		fmt.Sprintf("the AI prompt, %d questions", len(prompts)))
}

// emit writes text to stdout, or to path when one is given, saying on
// stdout what it wrote there.
func emit(stdio Stdio, path, text, what string) error {
	if path == "" {
		_, err := fmt.Fprint(stdio.Out, text)
		return err
	}
	if err := writeFileAtomic(path, []byte(text)); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "Wrote %s (%s).\n", path, what)
	return nil
}

// writeFileAtomic replaces path with data, so a reader (a slide tool
// watching the file, say) sees the old document or the new one, never half
// of one, and a failed write leaves the old file as it was.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
