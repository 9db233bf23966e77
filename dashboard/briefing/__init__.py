"""Briefing mode at /briefing/: briefing files (YAML) and the projector app."""
