"""Every shipped catalogue (Dutch, French) is complete: every marked string has a translation,
with the same placeholders, and no string marked in the code or templates is missing from it."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from webinars.checks import check_compiled_catalogues

# Every language the site ships but English, whose texts are the message ids themselves.
SHIPPED = [code for code, _ in settings.SHIPPED_LANGUAGES if code != settings.LANGUAGE_CODE]
# What makemessages reads: the apps, the templates and the project's scripts.
SOURCES = [
    "config",
    "core",
    "series",
    "webinars",
    "following",
    "afterwards",
    "meetings",
    "pages",
    "api",
    "sso",
    "hooks",
    "templates",
    "static",
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdfr]|\{(\w*)\}")


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def catalogue(language: str, base: Path = Path(settings.BASE_DIR)) -> Path:
    return base / "locale" / language / "LC_MESSAGES" / "django.po"


def entries(language: str):
    return [entry for entry in polib.pofile(str(catalogue(language))) if not entry.obsolete]


def label(entry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def test_both_languages_are_shipped():
    assert SHIPPED == ["nl", "fr"]


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_has_a_translation(language):
    missing = [label(e) for e in entries(language) if not e.translated() or "fuzzy" in e.flags]
    assert not missing, f"{len(missing)} messages without {language} (or fuzzy): {missing[:20]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_the_catalogue_says_its_language_and_plural_rule(language):
    metadata = polib.pofile(str(catalogue(language))).metadata
    assert metadata["Language"] == language
    assert (
        metadata["Plural-Forms"]
        == {
            "nl": "nplurals=2; plural=(n != 1);",
            "fr": "nplurals=2; plural=(n > 1);",
        }[language]
    )


@pytest.mark.parametrize("language", SHIPPED)
def test_translation_keeps_every_placeholder(language):
    wrong = []
    for entry in entries(language):
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if placeholders(source) != placeholders(translated):
                wrong.append((source, translated))
    assert not wrong, wrong[:10]


def test_the_catalogue_holds_every_marked_string(tmp_path):
    """makemessages on a copy of the sources finds nothing the committed catalogue lacks: a
    string marked since `make messages` last ran would otherwise show in English."""
    assert shutil.which("xgettext"), "GNU gettext is needed (Debian's gettext package)"
    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    shutil.copytree(base / "locale", tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    env = {**os.environ, "DEBUG": "on", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    languages = [argument for code in SHIPPED for argument in ("-l", code)]
    subprocess.run(  # noqa: S603 (the arguments are the settings' own language codes)
        [sys.executable, "manage.py", "makemessages", *languages, "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    for language in SHIPPED:
        fresh = polib.pofile(str(catalogue(language, tmp_path)))
        committed = {label(e) for e in entries(language)}
        new = sorted(label(e) for e in fresh if not e.obsolete and label(e) not in committed)
        assert not new, f"run `make messages` and translate ({language}): {new[:20]}"


@pytest.mark.parametrize(
    "source, translated, same",
    [
        ("%(title)s at %(when)s", "%(when)s: %(title)s", True),
        ("%(title)s at %(when)s", "%(title)s om", False),
        ("{count} seats", "{count} plaatsen", True),
        ("%(n)d left", "nog %(n)s", False),
    ],
)
def test_placeholder_comparison(source, translated, same):
    assert (placeholders(source) == placeholders(translated)) is same


def _catalogue(tmp_path, *, compiled_after: bool | None):
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n')
    if compiled_after is not None:
        mo = folder / "django.mo"
        mo.write_bytes(b"")
        os.utime(po, (1_000_000, 1_000_000))
        when = 2_000_000 if compiled_after else 500_000
        os.utime(mo, (when, when))
    return po


@pytest.mark.parametrize(
    ("compiled_after", "says"),
    [(None, "django.mo is missing, so pages in 'nl' show no translation."),
     (False, "django.mo is older than the .po, so pages in 'nl' show an older translation.")],
)  # fmt: skip
def test_a_catalogue_not_compiled_since_its_po_is_a_warning(
    settings, tmp_path, compiled_after, says
):
    po = _catalogue(tmp_path, compiled_after=compiled_after)
    settings.LOCALE_PATHS = [tmp_path]

    [warning] = check_compiled_catalogues()

    assert warning.id == "webinars.W004"
    assert warning.msg == f"{po}: its compiled catalogue {says}"


def test_a_catalogue_compiled_after_its_po_passes(settings, tmp_path):
    _catalogue(tmp_path, compiled_after=True)
    settings.LOCALE_PATHS = [tmp_path]

    assert check_compiled_catalogues() == []
