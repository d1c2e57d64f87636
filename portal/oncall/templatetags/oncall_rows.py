"""The shift table's rows, built in Python.

A busy month shows about a hundred shifts, each with its people's cards; through the template
engine that row loop was most of the page's time. Same markup as a template loop would give.
"""

import zoneinfo

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.oncall.page import fmt

register = template.Library()


@register.filter
def oc_when(value, tz_name: str) -> str:
    """A time as the shift table shows it, with the year: "12/15/2026 8:00 am", "15/12/2026
    8h00" (dialogs, history, PDF)."""
    if value is None:
        return ""
    return fmt(value, zoneinfo.ZoneInfo(tz_name), with_year=True)


DASH = "—"


def _card(p, labels) -> str:
    email = format_html('<a href="mailto:{}">{}</a>', p.email, p.email) if p.email else DASH
    return format_html(
        '<details class="contact-card">\n  <summary>{}</summary>\n  <dl>\n'
        "    <dt>{}</dt><dd>{}</dd>\n    <dt>{}</dt><dd>{}</dd>\n    <dt>{}</dt><dd>{}</dd>\n"
        "    <dt>{}</dt><dd>{}</dd>\n    <dt>{}</dt><dd>{}</dd>\n  </dl>\n</details>",
        p.name,
        labels["tel1"], p.phone1 or DASH,
        labels["tel2"], p.phone2 or DASH,
        labels["tel3"], p.phone3 or DASH,
        labels["sms"], p.sms or DASH,
        labels["email"], email,
    )  # fmt: skip


def _status(r) -> str:
    if r.status == "full":
        text = _("Assigned")
    elif r.status == "partial":
        text = _("Partially assigned")
    else:
        text = _("Unassigned")
    if not r.overrides:
        return format_html("{}", text)
    n = len(r.overrides)
    count = ngettext("%(n)s override", "%(n)s overrides", n) % {"n": n}
    return format_html("{}<br><small>{}</small>", text, count)


def _assignment_comments(r, tz) -> str:
    """The comments typed with the shift's assignment and its overrides, each saying whose."""
    out = []
    if r.base is not None and r.base.comment:
        who = _("Assigned: %(name)s") % {"name": r.base.contact_name}
        out.append((r.base.comment, who))
    for o in r.overrides:
        if o.comment:
            span = f"{fmt(o.start, tz)} – {fmt(o.end, tz)}"
            out.append(
                (
                    o.comment,
                    _("Override: %(name)s, %(span)s") % {"name": o.contact_name, "span": span},
                )
            )
    return format_html_join("", '<p class="oc-comment">{} <small>— {}</small></p>', out)


@register.simple_tag(takes_context=True)
def shift_rows(context) -> str:
    rows = context["rows"]
    if not rows:
        return format_html('<tr><td colspan="9">{}</td></tr>', _("No shift in this period."))
    labels = {
        "tel1": _("Tel (1)"),
        "tel2": _("Tel (2)"),
        "tel3": _("Tel (3)"),
        "sms": _("Sms"),
        "email": _("E-mail"),
        "comment": _("Click to Comment"),
        "select": _("Select this shift"),
    }
    # Column names on each cell: on a phone the rows stack as cards (portal.css, .stack-sm).
    columns = {
        "l_start": _("Start"),
        "l_end": _("End"),
        "l_rank": _("Rank"),
        "l_shift": _("Shift"),
        "l_role": _("Role"),
        "l_contact": _("Contact"),
        "l_comment": _("Comment"),
        "l_status": _("Status"),
    }
    show_now, show_comments = context.get("show_now"), context.get("show_comments")
    tz = context["account"].tz
    selected, comment_url = str(context.get("selected", "")), context["comment_url"]
    out = []
    for r in rows:
        pk = r.shift.pk
        now_here = bool(show_now and r.is_now)
        classes = f"oc-row status-{r.status}" + (" is-now" if r.is_now else "")
        classes += " highlight" if now_here else ""
        arrow = (
            mark_safe('<span id="now" class="arrow" aria-hidden="true">→</span>')
            if now_here
            else ""
        )
        checked = mark_safe(" checked") if selected == str(pk) else ""
        people = mark_safe("".join(_card(p, labels) for p in r.people))
        overrides = format_html_join(
            "",
            '<p class="oc-override"><small>{}</small></p>',
            (
                (_("Override: %(name)s, %(span)s") % {"name": name, "span": f"{s} – {e}"},)
                for name, s, e in r.override_labels
            ),
        )
        notes = ""
        if show_comments:
            notes = format_html_join(
                "",
                '<p class="oc-comment">{} <small>— {}, {}</small></p>',
                ((c.text, c.author_name, fmt(c.at, tz, with_year=True)) for c in r.comments),
            )
            notes += _assignment_comments(r, tz)
        out.append(
            format_html(
                '<tr id="shift-{pk}" class="{classes}" data-shift="{pk}">\n'
                '    <td>{arrow}<input type="radio" name="shift" value="{pk}" id="pick-{pk}"{checked}>'
                '<label class="sr-only" for="pick-{pk}">{select} {start}</label></td>\n'
                '    <td data-label="{l_start}">{start}</td><td data-label="{l_end}">{end}</td>\n'
                '    <td class="num" data-label="{l_rank}">{rank}</td>'
                '<td data-label="{l_shift}">{name}</td><td data-label="{l_role}">{role}</td>\n'
                '    <td class="oc-contacts" data-label="{l_contact}">{people}{overrides}</td>\n'
                '    <td data-label="{l_comment}"><a href="{comment_url}?shift={pk}" data-dialog>'
                "{comment}</a>\n      {notes}</td>\n"
                '    <td class="oc-status" data-label="{l_status}">{status}</td>\n  </tr>\n',
                pk=pk,
                classes=classes,
                arrow=arrow,
                checked=checked,
                select=labels["select"],
                start=r.start_label,
                end=r.end_label,
                rank=r.shift.rank,
                name=r.shift.name,
                role=r.shift.role,
                people=people,
                overrides=overrides,
                comment_url=comment_url,
                comment=labels["comment"],
                notes=notes,
                status=_status(r),
                **columns,
            )
        )
    return mark_safe("".join(out))
