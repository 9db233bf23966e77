"""The country profile: the report's text, key figures, notes and routes for one country.

A component tree only: every text comes from the dict that
`dashboard.figures.panels.profile_data` builds.
"""

from __future__ import annotations

from dash import html

from layouts import ids

ROLE_WORDS = {"origin": "Origin", "transit": "Transit", "destination": "Destination"}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _citation(citation: str) -> html.P:
    return html.P(["Source: ", html.Cite(citation)], className="profile-citation")


def _header(data: dict) -> html.Header:
    children: list = [html.H2(data["name"], className="profile-title")]
    if data["role"]:
        children.append(
            html.Ul(
                className="profile-roles",
                **{"aria-label": "Role in the trafficking routes"},
                children=[
                    html.Li(
                        ROLE_WORDS.get(r, _sentence(r)),
                        className=f"profile-badge profile-badge-{r}",
                    )
                    for r in data["role"]
                ],
            )
        )
    if data["role_label"]:
        children.append(html.P(data["role_label"], className="profile-role-label"))
    if not data["has_profile"]:
        children.append(
            html.P(
                f"The records hold no country profile for {data['name']}: only its figures "
                "and routes are listed.",
                className="profile-missing",
            )
        )
    scope = f"Key figures and routes shown for {data['filters']}."
    if data["sections"]:
        scope += " The report's text is shown whatever the filters."
    children.append(html.P(scope, className="profile-filters"))
    return html.Header(className="profile-header", children=children)


def _section(section: dict) -> html.Section:
    return html.Section(
        className="profile-section",
        children=[
            html.H3(section["heading"]),
            html.Ul([html.Li(p["text"]) for p in section["points"]], className="profile-points"),
            _citation(section["citation"]),
        ],
    )


def _figures(data: dict) -> html.Section:
    if not data["figures"]:
        body: list = [
            html.P(
                f"No key figures for {data['name']} in the records for these filters.",
                className="profile-none",
            )
        ]
    else:
        rows = []
        for f in data["figures"]:
            value: list = [f["value"]]
            if f["flagged"]:
                value += [
                    " ",
                    html.Span("⚠ See the inconsistency noted below", className="profile-flag"),
                ]
            rows.append(
                html.Tr(
                    className="profile-flagged" if f["flagged"] else None,
                    children=[
                        html.Th(f["label"], scope="row"),
                        html.Td(value, className="profile-value", **{"data-label": "Value"}),
                        html.Td(f["period"], **{"data-label": "Period"}),
                        html.Td(
                            html.Cite(f["citation"]), title=f["source"], **{"data-label": "Source"}
                        ),
                    ],
                )
            )
        body = [
            html.Table(
                className="profile-table",
                children=[
                    html.Caption(
                        "Each figure counts its own measure; figures are never added together."
                    ),
                    html.Thead(
                        html.Tr(
                            [
                                html.Th("Figure", scope="col"),
                                html.Th("Value", scope="col"),
                                html.Th("Period", scope="col"),
                                html.Th("Source", scope="col"),
                            ]
                        )
                    ),
                    html.Tbody(rows),
                ],
            )
        ]
    return html.Section(
        id=ids.PROFILE_FIGURES,
        className="profile-figures",
        children=[html.H3("Key figures"), *body],
    )


def _note(note: dict) -> html.Li:
    lead = "Note — the report is inconsistent:" if note["inconsistency"] else "Note:"
    return html.Li(
        className="profile-note profile-note-inconsistency"
        if note["inconsistency"]
        else "profile-note",
        role="note",
        children=[
            html.Strong(("⚠ " if note["inconsistency"] else "") + lead),
            " ",
            note["text"],
            html.Span(
                f" (About: {'; '.join(note['about'])}. Section: {note['section']}.)",
                className="profile-note-about",
            )
            if note["about"]
            else html.Span(f" (Section: {note['section']}.)", className="profile-note-about"),
        ],
    )


def _notes(data: dict) -> html.Details | None:
    if not data["notes"]:
        return None
    flagged = any(n["inconsistency"] for n in data["notes"])
    return html.Details(
        id=ids.PROFILE_NOTES,
        className="profile-notes profile-fold",
        open=flagged,
        children=[
            html.Summary(f"Notes on these figures and routes ({len(data['notes'])})"),
            html.Ul([_note(n) for n in data["notes"]], className="profile-note-list"),
        ],
    )


def _route(route: dict) -> html.Li:
    line = f"{_sentence(route['measure'])} — {route['count']}"
    if route["share"]:
        line += f" (share {route['share']})"
    return html.Li(
        className="profile-route",
        children=[
            html.Strong(route["path"], className="profile-route-path"),
            "" if route["origin_stated"] else " (origin not stated)",
            html.Br(),
            html.Span(line, className="profile-route-count"),
            html.Br(),
            html.Span(
                f"People: {route['nationality']} · Period: {route['period']}",
                className="profile-route-meta",
            ),
            html.Br(),
            html.Span(["Source: ", html.Cite(route["citation"])], className="profile-citation"),
        ],
    )


def _routes(component_id: str, heading: str, routes: list[dict], none: str) -> html.Section:
    body = (
        html.Ul([_route(r) for r in routes], className="profile-route-list")
        if routes
        else html.P(none, className="profile-none")
    )
    return html.Section(
        id=component_id, className="profile-routes", children=[html.H3(heading), body]
    )


def profile_panel(data: dict) -> html.Section:
    """The profile of one country, from `profile_data`; empty lists say so in words."""
    name = data["name"]
    # the key figures first, then the report's points; the long lists fold away
    children: list = [_header(data), _figures(data)]
    children += [_section(s) for s in data["sections"]]
    children.append(_notes(data))
    routes = [
        _routes(
            ids.PROFILE_INBOUND,
            f"Routes into {name}",
            data["inbound"],
            "No inbound routes in the records for these filters.",
        ),
        _routes(
            ids.PROFILE_OUTBOUND,
            f"Routes out of {name}",
            data["outbound"],
            "No outbound routes in the records for these filters.",
        ),
    ]
    if data["through"]:
        routes.append(_routes(ids.PROFILE_THROUGH, f"Routes through {name}", data["through"], ""))
    count = len(data["inbound"]) + len(data["outbound"]) + len(data["through"])
    children.append(
        html.Details(
            className="profile-fold",
            children=[html.Summary(f"Routes in the records ({count})"), *routes],
        )
    )
    if data["sources"]:
        children.append(
            html.Details(
                className="profile-sources profile-fold",
                children=[
                    html.Summary(f"Sources ({len(data['sources'])})"),
                    html.Ul(
                        [
                            html.Li([html.Strong(s["short"]), ": ", s["full"]])
                            for s in data["sources"]
                        ]
                    ),
                ],
            )
        )
    return html.Section(
        id=ids.PROFILE_PANEL,
        className="profile-panel",
        **{"aria-label": f"Country profile: {name}"},
        children=[c for c in children if c is not None],
    )
