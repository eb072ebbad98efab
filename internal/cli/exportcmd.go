package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"cqrslab/docs"
	"cqrslab/internal/atomicfile"
	"cqrslab/lessons"
)

func exportCmd(stdio Stdio) *cobra.Command {
	return group("export", "the lesson as markdown (export lesson) or as an AI prompt (export prompt)", "",
		"export: say what to export: 'cqrslab export lesson' or 'cqrslab export prompt'",
		"export: unknown subcommand %q; use 'export lesson', 'export prompt' or 'export guide'",
		exportLessonCmd(stdio), exportPromptCmd(stdio), exportGuideCmd(stdio))
}

func exportLessonCmd(stdio Stdio) *cobra.Command {
	c := leaf("lesson [--output FILE]\n\n"+
		"Writes the whole lesson as one markdown document: every page in order, the\n"+
		"seed code with each page's lines marked, hints as blockquotes. Pages are\n"+
		"separated by horizontal rules (slide breaks in most slide tools).",
		"the whole lesson as one markdown document (slides, print)")
	output := outputFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		pages, err := lessons.Default()
		if err != nil {
			return err
		}
		return emit(stdio, *output, lessons.Markdown(pages, lessons.SeedCode()),
			fmt.Sprintf("the lesson, %d pages", len(pages)))
	}
	return c
}

func exportGuideCmd(stdio Stdio) *cobra.Command {
	c := leaf("guide [--output FILE]\n\n"+
		"Writes the facilitator's guide for a 90-minute workshop (docs/workshop.md):\n"+
		"the agenda with measured timings, the room set-up, laptops without Docker,\n"+
		"the projector flags and collecting results.",
		"the facilitator's workshop guide (docs/workshop.md)")
	output := outputFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return emit(stdio, *output, docs.Workshop, "the workshop guide")
	}
	return c
}

func exportPromptCmd(stdio Stdio) *cobra.Command {
	c := leaf("prompt [--output FILE]\n\n"+
		"Writes a plain text to paste into an AI assistant: what to do with it, the\n"+
		"lesson in brief, the demo code, and the three try-it prompts in order.",
		"the lesson as plain text to paste into an AI assistant")
	output := outputFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
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
	return c
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

// outputFlag is every export's --output FILE, completed with file names.
func outputFlag(c *cobra.Command) *string {
	out := c.Flags().String("output", "", "write to FILE (replaced atomically) instead of standard output")
	c.MarkFlagFilename("output")
	return out
}
