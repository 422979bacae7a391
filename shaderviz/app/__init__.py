"""Application layer: resolve a show from CLI options and presets, keymap, commands."""
