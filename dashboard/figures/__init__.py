"""Figure builders shared by every surface (explorer, briefing, export): data in, figure out.

flowmap (routes, places, events, countries), labels (where text goes), sankey, timeline (the
events strip), panels (country profile and regional overview data and charts) and views (the
named figures a briefing shows or an export writes, with what they need to stand alone).
"""
