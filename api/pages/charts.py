"""Charts as inline SVG drawn on the server: no script, no CDN, and they print as sharply as the text.

Horizontal bars mirror on right-to-left pages (labels on the right, bars growing leftwards); numbers are in
Persian digits on Persian pages.
"""

from decimal import Decimal

from markupsafe import Markup, escape

from gis.lang import persian_digits

WIDTH = 640
ROW = 26
LABEL = 190
FONT = "Vazirmatn, Tahoma, sans-serif"


def number(value: object, lang: str) -> str:
    """A count or a mean as the page shows it: 12, 3.5 → ۱۲, ۳٫۵ on Persian pages."""
    if value is None:
        return "–"
    if isinstance(value, (float, Decimal)):
        text = f"{float(value):.1f}".removesuffix(".0")
    else:
        text = str(value)
    return persian_digits(text) if lang == "fa" else text


def _svg(height: int, title: str, body: list[str], lang: str) -> Markup:
    direction = "rtl" if lang == "fa" else "ltr"
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img"'
        f' aria-label="{escape(title)}"'
        f' xmlns="http://www.w3.org/2000/svg" font-family="{FONT}" font-size="12" direction="{direction}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _rect(x: float, y: float, w: float, h: float, colour: str, tip: str, rtl: bool, value: object) -> str:
    left = WIDTH - x - w if rtl else x
    return (
        f'<rect x="{left:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{escape(colour)}"'
        f' data-value="{value}"><title>{escape(tip)}</title></rect>'
    )


def _text(x: float, y: float, text: str, rtl: bool, *, anchor: str = "start", extra: str = "") -> str:
    # With direction="rtl" on the <svg>, "start" is the right edge: mirroring x alone mirrors the layout.
    position = WIDTH - x if rtl else x
    return f'<text x="{position:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(text)}</text>'


def _legend(series: list[tuple[str, str]], rtl: bool) -> list[str]:
    parts, x = [], 0.0
    for name, colour in series:
        parts.append(_rect(x, 4, 12, 12, colour, name, rtl, ""))
        parts.append(_text(x + 16, 14, name, rtl))
        x += 24 + 7.5 * len(name)
    return parts


def stacked_bars(
    rows: list[tuple[str, list[float]]], series: list[tuple[str, str]], *, title: str, lang: str
) -> Markup:
    """One horizontal bar per row, split by series (e.g. spots per stage in each neighbourhood)."""
    rtl = lang == "fa"
    most = max((sum(values) for _, values in rows), default=0) or 1
    scale = (WIDTH - LABEL - 40) / most
    body = _legend(series, rtl)
    for i, (label, values) in enumerate(rows):
        y = 28 + i * ROW
        body.append(_text(LABEL - 8, y + 15, label[:28], rtl, anchor="end"))
        x = float(LABEL)
        for (name, colour), value in zip(series, values):
            body.append(
                _rect(
                    x,
                    y + 3,
                    value * scale,
                    ROW - 8,
                    colour,
                    f"{label} · {name}: {number(value, lang)}",
                    rtl,
                    value,
                )
            )
            x += value * scale
        body.append(_text(x + 4, y + 15, number(sum(values), lang), rtl))
    return _svg(36 + len(rows) * ROW, title, body, lang)


def bars(rows: list[tuple[str, float | None]], *, title: str, lang: str, colour: str = "#1f77b4") -> Markup:
    """One horizontal bar per row (e.g. overdue actions by agency, median days per stage)."""
    return paired_bars(
        [(label, value, None) for label, value in rows], title=title, lang=lang, series=[("", colour)]
    )


def paired_bars(
    rows: list[tuple[str, float | None, float | None]],
    *,
    title: str,
    lang: str,
    series: list[tuple[str, str]],
    most: float | None = None,
) -> Markup:
    """Two bars per row, e.g. the audit score before and after a fix for each criterion."""
    rtl = lang == "fa"
    top = most or max((v for _, *values in rows for v in values if v is not None), default=0) or 1
    scale = (WIDTH - LABEL - 50) / float(top)
    paired = len(series) > 1
    body = _legend(series, rtl) if paired else []
    height = ROW + (12 if paired else 0)
    for i, (label, *values) in enumerate(rows):
        y = (24 if paired else 4) + i * height
        body.append(_text(LABEL - 8, y + height / 2 + 2, label[:28], rtl, anchor="end"))
        for j, ((name, colour), value) in enumerate(zip(series, values)):
            bar_y, bar_h = (y + 2 + j * (height - 6) / 2, (height - 8) / 2) if paired else (y + 3, ROW - 8)
            width = float(value or 0) * scale
            body.append(
                _rect(
                    LABEL,
                    bar_y,
                    width,
                    bar_h,
                    colour,
                    f"{label} {name}: {number(value, lang)}",
                    rtl,
                    value if value is not None else "",
                )
            )
            body.append(
                _text(
                    LABEL + width + 4,
                    bar_y + bar_h - 1,
                    number(value, lang),
                    rtl,
                    extra='font-size="10"' if paired else "",
                )
            )
    return _svg((24 if paired else 4) + len(rows) * height + 6, title, body, lang)


def lines(labels: list[str], series: list[tuple[str, str, list[float]]], *, title: str, lang: str) -> Markup:
    """Cumulative counts over time, one line per series (the stage funnel month by month)."""
    rtl = lang == "fa"
    height, left, bottom, top = 260, 40, 50, 30
    most = max((v for _, _, values in series for v in values), default=0) or 1
    steps = max(len(labels) - 1, 1)
    plot_w, plot_h = WIDTH - left - 20, height - bottom - top

    def point(i: int, v: float) -> tuple[float, float]:
        x = left + plot_w * i / steps
        return (WIDTH - x if rtl else x), top + plot_h * (1 - v / most)

    body = _legend([(name, colour) for name, colour, _ in series], rtl)
    for tick in range(5):
        value = most * tick / 4
        _, y = point(0, value)
        body.append(f'<line x1="{left}" x2="{WIDTH - 20}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 6, y + 4, number(round(value), lang), rtl, anchor="end"))
    for name, colour, values in series:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{escape(colour)}" stroke-width="2.5">'
            f"<title>{escape(name)}</title></polyline>"
        )
        for i, v in enumerate(values):
            x, y = point(i, v)
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{escape(colour)}" data-value="{v}">'
                f"<title>{escape(labels[i])} · {escape(name)}: {number(v, lang)}</title></circle>"
            )
    every = max(1, -(-len(labels) // 6))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            x, _ = point(i, 0)
            body.append(
                f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="11">'
                f"{escape(label)}</text>"
            )
    return _svg(height, title, body, lang)
