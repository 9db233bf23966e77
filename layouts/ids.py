"""Every component id, kebab-case with the view's prefix."""

EXPLORER_URL = "explorer-url"
EXPLORER_MAP = "explorer-map"
EXPLORER_TIME_STRIP = "explorer-time-strip"
EXPLORER_YEAR = "explorer-year"
EXPLORER_NATIONALITY = "explorer-nationality"
EXPLORER_ORIGIN = "explorer-origin"
EXPLORER_DESTINATION = "explorer-destination"
EXPLORER_MEASURE = "explorer-measure"
EXPLORER_FORM = "explorer-form"
EXPLORER_WIDTH = "explorer-width"
EXPLORER_LAYERS = "explorer-layers"
EXPLORER_COUNTRY = "explorer-country"
EXPLORER_VIEW = "explorer-view"
EXPLORER_MESSAGES = "explorer-messages"
EXPLORER_SIDE = "explorer-side"
EXPLORER_SANKEY = "explorer-sankey"
EXPLORER_SANKEY_NOTE = "explorer-sankey-note"
EXPLORER_TABLE = "explorer-table"
EXPLORER_TABLE_CSV = "explorer-table-csv"
EXPLORER_OVERVIEW = "explorer-overview"
EXPLORER_SUMMARY = "explorer-summary"
EXPLORER_DOWNLOADS = "explorer-downloads"
EXPLORER_REPORT = "explorer-report"
EXPLORER_MAP_MESSAGE = "explorer-map-message"
EXPLORER_LEGEND = "explorer-legend"
EXPLORER_LEGEND_BOX = "explorer-legend-box"
EXPLORER_VIEWPORT = "explorer-viewport"
# the query each server answer was last asked for (the map tab's panels, and each other tab's)
EXPLORER_MAP_QUERY = "explorer-map-query"
EXPLORER_SANKEY_QUERY = "explorer-sankey-query"
EXPLORER_TABLE_QUERY = "explorer-table-query"
EXPLORER_OVERVIEW_QUERY = "explorer-overview-query"
EXPLORER_HEADLINES = "explorer-headlines"
EXPLORER_CONTROLS_BOX = "explorer-controls-box"

# Route card
ROUTE_CARD = "route-card"

# Country profile
PROFILE_PANEL = "profile-panel"
PROFILE_FIGURES = "profile-figures"
PROFILE_NOTES = "profile-notes"
PROFILE_INBOUND = "profile-inbound"
PROFILE_OUTBOUND = "profile-outbound"
PROFILE_THROUGH = "profile-through"

# Regional overview
OVERVIEW_PANEL = "overview-panel"
OVERVIEW_CARDS = "overview-cards"
OVERVIEW_CASELOAD_CHART = "overview-caseload-chart"
OVERVIEW_SEX_SPLIT_CHART = "overview-sex-split-chart"
OVERVIEW_INCONSISTENCIES = "overview-inconsistencies"
OVERVIEW_CAVEATS = "overview-caveats"

# Briefing mode
BRIEFING_URL = "briefing-url"
BRIEFING_CONTENT = "briefing-content"
BRIEFING_PREV = "briefing-prev"
BRIEFING_NEXT = "briefing-next"
BRIEFING_FULLSCREEN = "briefing-fullscreen"
BRIEFING_GRAPH = "briefing-graph"
BRIEFING_VIEWPORT = "briefing-viewport"
BRIEFING_STAGE = "briefing-stage"  # the slide's figure box
BRIEFING_STAGE_SIZE = "briefing-stage-size"  # its size, measured by assets/briefing.js
BRIEFING_EXPLORER = "briefing-explorer"
PRESENTER_NOTE = "presenter-note"
PRESENTER_CLOCK = "presenter-clock"
PRESENTER_TIMER = "presenter-timer"
PRESENTER_NOTE_SMALLER = "presenter-note-smaller"
PRESENTER_NOTE_LARGER = "presenter-note-larger"

# Publication export from the explorer
EXPLORER_EXPORT = "explorer-export"
EXPLORER_EXPORT_SIZE = "explorer-export-size"

# Upload of the user's own data (one browser session)
EXPLORER_UPLOAD = "explorer-upload"
EXPLORER_UPLOAD_TOKEN = "explorer-upload-token"  # the session's key to its flows (sessionStorage)
EXPLORER_UPLOAD_REPORT = "explorer-upload-report"
EXPLORER_UPLOAD_CLEAR = "explorer-upload-clear"
