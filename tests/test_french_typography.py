"""French typography in every French catalog: a no-break space before « : » (U+00A0) and
before « ; ! ? » (U+00A0 or the narrow U+202F), so that the sign never starts a line.

URLs ("https://…", "?page=2"), times ("8:30") and format strings ("%(x)s", "{x:…}") are not
punctuation and are left out.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_BREAK = "\u00a0\u202f"

# What is not French punctuation: format placeholders, URLs and times.
NOT_PUNCTUATION = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s
    r"|\{[^{}]*\}"  # {name} / {name:fmt}
    r"|\b[a-z][a-z0-9+.-]*://\S*"  # https://…
    r"|\b(?:mailto|tel|sms):\S+"  # mailto:…
    r"|\?[\w-]+="  # ?page=…
    r"|\d:\d"  # 8:30
    r"|\b[a-z_]+:[a-z_]+\b"  # a name such as the scope oncall:write
)
PUNCTUATION = re.compile(r"(.?)([:;!?])")


def msgstrs(po: Path):
    """(line number, msgstr) of each translation in `po` (plural forms included; the header,
    whose msgid is empty, is not a translation)."""
    field, start, parts = None, 0, []
    entries = []
    for n, line in enumerate(po.read_text(encoding="utf-8").splitlines() + [""], 1):
        if line.startswith(("msgid", "msgstr", "msgctxt")):
            entries.append((field, start, "".join(parts)))
            field, start = line.split(" ", 1)[0], n
            parts = [ast.literal_eval(line.split(" ", 1)[1])]
        elif line.startswith('"') and field:
            parts.append(ast.literal_eval(line))
        else:
            entries.append((field, start, "".join(parts)))
            field, parts = None, []
    msgid = None
    for field, start, text in entries:
        if field == "msgid":
            msgid = text
        elif field and field.startswith("msgstr") and msgid and text:
            yield start, text


def offences(text: str) -> list[str]:
    cleaned = NOT_PUNCTUATION.sub(lambda m: "x" * len(m.group()), text)
    found = []
    for m in PUNCTUATION.finditer(cleaned):
        before, sign = m.group(1), m.group(2)
        if before in NO_BREAK or (m.start(2) == 0):
            continue
        found.append(f"{before!r}{sign} in {text!r}")
    return found


def test_the_checker_itself():
    assert offences("Numéro de compte\u00a0: 4000") == []
    assert offences("Vraiment\u202f?") == []
    assert offences("Numéro de compte: 4000") and offences("Numéro de compte : 4000")
    assert offences("Écrivez à https://x.ca/a?b=1 à 8:30 %(n)s {d:%Y} oncall:write") == []


def test_every_french_catalog_puts_a_no_break_space_before_the_high_signs():
    catalogs = sorted(ROOT.glob("portal/**/locale/fr/LC_MESSAGES/django.po"))
    assert catalogs
    problems = [
        f"{po.relative_to(ROOT)}:{n}: {o}"
        for po in catalogs
        for n, text in msgstrs(po)
        for o in offences(text)
    ]
    assert not problems, "\n".join(problems)
