"""The explorer at /: its callbacks (the layout lives in layouts/explorer.py)."""
