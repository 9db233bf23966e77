"""The command line: `python -m dashboard serve | validate | export`."""
