"""Every component id, kebab-case with the view's prefix."""

EXPLORER_MAP = "explorer-map"
EXPLORER_YEAR = "explorer-year"
EXPLORER_NATIONALITY = "explorer-nationality"
EXPLORER_SUMMARY = "explorer-summary"
EXPLORER_DOWNLOADS = "explorer-downloads"
EXPLORER_REPORT = "explorer-report"
