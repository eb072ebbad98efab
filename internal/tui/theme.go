package tui

import "cqrslab/internal/tui/ui"

// Theme chooses the colours; it lives with the styles in ui, and is named
// here too because the CLI configures the app through this package alone.
type Theme = ui.Theme

// The themes, named here for the CLI (see ui.Theme).
const (
	ThemeAuto         = ui.ThemeAuto
	ThemeDark         = ui.ThemeDark
	ThemeLight        = ui.ThemeLight
	ThemeHighContrast = ui.ThemeHighContrast
)

// ParseTheme reads a --theme value (see ui.ParseTheme).
func ParseTheme(s string) (Theme, error) { return ui.ParseTheme(s) }

// Config is how the app runs (see ui.Config); named here so the CLI
// configures the app through this package alone.
type Config = ui.Config
