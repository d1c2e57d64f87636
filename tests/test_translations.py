"""French and English are both complete: `makemessages` leaves nothing untranslated."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def entries(po: Path, *flags: str) -> list[str]:
    out = subprocess.run(
        ["msgattrib", *flags, "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line.startswith("#:")]


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is not installed")
def test_makemessages_leaves_nothing_untranslated(tmp_path):
    tree = tmp_path / "project"
    shutil.copytree(
        ROOT / "portal", tree / "portal", ignore=shutil.ignore_patterns("*.mo", "__pycache__")
    )
    shutil.copy(ROOT / "manage.py", tree / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "en", "-v", "0"],
        cwd=tree,
        check=True,
        capture_output=True,
        # a development setup (as under `make`): it makes up its own secret key there
        env={"PATH": "/usr/bin:/bin", "PORTAL_DATA_DIR": str(tmp_path / "var"), "PORTAL_DEV": "1"},
    )
    catalogs = sorted(tree.glob("portal/**/locale/*/LC_MESSAGES/django.po"))
    assert {p.parts[-3] for p in catalogs} == {"fr", "en"}
    problems = {}
    for po in catalogs:
        missing = entries(po, "--untranslated") + entries(po, "--only-fuzzy")
        if missing:
            problems[str(po.relative_to(tree))] = missing[:5]
    assert not problems, problems


def test_no_translated_string_hides_inside_an_f_string():
    """makemessages does not read inside f-strings: a _("...") there is never translated."""
    import re

    pattern = re.compile(r"""\bf(["'])[^"'\n]*\{[^}\n]*\b(?:_|gettext|pgettext|ngettext)\(""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "portal").rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def _catalog(po: Path) -> dict[tuple[str, str], str]:
    """(context, msgid[|plural]) -> msgstr of a .po file (plural forms joined)."""
    import re

    found = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', block, re.M)
        context = re.search(r'^msgctxt "(.*)"', block, re.M)
        text = "".join(re.findall(r'"(.*)"', msgid.group(1))) if msgid else ""
        if plural:
            text += "|" + "".join(re.findall(r'"(.*)"', plural.group(1)))
        if text:
            key = (context.group(1) if context else "", text)
            found[key] = "|".join("".join(re.findall(r'"(.*)"', s)) for s in msgstrs)
    return found


@pytest.mark.parametrize("language", ["fr", "en"])
def test_one_string_has_one_translation_in_every_catalog(language):
    """The project's catalog (portal/locale) is read before the apps' own: the same English
    string translated two ways shows one of them everywhere ("Status" became « État » on the
    On Call page when another page's entry said so)."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for po in sorted(ROOT.glob(f"portal/**/locale/{language}/LC_MESSAGES/django.po")):
        for key, text in _catalog(po).items():
            seen.setdefault(key, {})[str(po.relative_to(ROOT))] = text
    twice = {key: where for key, where in seen.items() if len(set(where.values())) > 1}
    assert not twice, "\n".join(f"{key}: {where}" for key, where in twice.items())
