"""The bodies of the CLI commands, one module per command family (hatch's layout)."""
