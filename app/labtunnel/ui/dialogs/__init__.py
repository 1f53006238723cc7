"""Windows of the tray app: profile editor, host-key and one-time-code prompts, log viewer."""
