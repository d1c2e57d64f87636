"""Charts drawn on the server as accessible SVG: role="img", a <title> and <desc> that say
what the chart shows, a <title> on every bar (read by screen readers and shown on hover),
and colours from the stylesheet (classes, no inline style: the CSP forbids it)."""

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_counter = iter(range(1, 10**9))


def _uid(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def _named(name: str, value) -> str:
    """'Answered: 4' in the reader's language ('Répondus : 4', no-break space in French)."""
    return _("%(label)s: %(value)s") % {"label": name, "value": value}


def stacked_bars(
    title: str,
    desc: str,
    labels: list[str],
    series: list[tuple[str, str, list[int]]],
    width: int = 720,
    height: int = 220,
    every: int = 1,
) -> SafeString:
    """Vertical bars, one per label, stacked by series (name, css class, values)."""
    uid = _uid("chart")
    n = max(len(labels), 1)
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    top = max(totals + [1])
    left, plot_h = 36, height - 40
    plot_w = width - left - 8
    step = plot_w / n
    bar_w = max(step * 0.72, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
    ]
    for frac in (0, 0.5, 1):
        y = 8 + plot_h * (1 - frac)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{round(top * frac)}</text>"
        )
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar_w) / 2
        y = 8 + plot_h
        tip = ", ".join(_named(name, values[i]) for name, _c, values in series)
        parts.append(f"<g><title>{escape(label)} — {escape(tip)}</title>")
        for _name, css, values in series:
            h = plot_h * values[i] / top
            if h > 0:
                y -= h
                parts.append(
                    f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}"/>'
                )
        parts.append("</g>")
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{height - 8}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def share_bar(title: str, desc: str, parts_in: list[tuple[str, str, int]]) -> SafeString:
    """One horizontal bar split into shares (name, css class, count), with a legend."""
    uid = _uid("share")
    width, height = 720, 64
    total = sum(v for _n, _c, v in parts_in)
    parts = [
        f'<svg class="chart share" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
        f'<rect class="empty" x="0" y="4" width="{width}" height="28"/>',
    ]
    x = 0.0
    legend_x = 0
    for name, css, value in parts_in:
        w = width * value / total if total else 0
        # The share with the reader's decimal mark (100,0 % in French), never split from "%".
        pct = f"{number_format(round(100 * value / total, 1), 1)}\u00a0%" if total else "—"
        legend = escape(f"{_named(name, value)} ({pct})")
        if w > 0:
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="4" width="{w:.1f}" height="28">'
                f"<title>{legend}</title></rect>"
            )
        x += w
        parts.append(
            f'<rect class="{css}" x="{legend_x}" y="44" width="12" height="12"/>'
            f'<text class="axis" x="{legend_x + 16}" y="55">{legend}</text>'
        )
        legend_x += 240
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
