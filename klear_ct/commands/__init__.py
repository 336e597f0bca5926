"""CLI commands that live in their own module; each has `register(app)`, called by `klear_ct.cli`."""
