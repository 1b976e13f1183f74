"""Templates outside theme plugins carry no CSS framework's classes: switching themes then needs
no template change (components and semantic HTML only)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Class names (or prefixes, ending in "-") that belong to a framework: Bootstrap, DSFR, ...
FRAMEWORK_CLASSES = re.compile(
    r"^(fr-.*|btn(-.*)?|col(-.*)?|row|container(-.*)?|form-control|form-select|form-check.*"
    r"|alert(-.*)?|card(-.*)?|navbar.*|nav-.*|d-.*|m[tbsexy]?-\d|p[tbsexy]?-\d|text-.*"
    r"|bg-.*|badge|table-.*|list-group.*|govuk-.*|usa-.*)$"
)
CLASS_ATTRIBUTE = re.compile(r"""class\s*=\s*["']([^"'{}]*)""")


def templates_outside_themes() -> list[Path]:
    found = []
    for base in (ROOT / "src", ROOT / "plugins"):
        for path in base.rglob("templates/**/*.html"):
            parts = path.relative_to(ROOT).parts
            if parts[0] == "plugins" and parts[1].startswith("theme_"):
                continue
            if "wagtailadmin" in parts:  # overrides of Wagtail's own admin templates
                continue
            found.append(path)
    return found


def framework_classes_in(text: str) -> list[str]:
    return [
        name
        for value in CLASS_ATTRIBUTE.findall(text)
        for name in value.split()
        if FRAMEWORK_CLASSES.match(name)
    ]


def test_the_scanner_sees_a_framework_class():
    assert framework_classes_in('<a class="fr-btn fr-btn--secondary">') == [
        "fr-btn",
        "fr-btn--secondary",
    ]
    assert framework_classes_in('<div class="row"><div class="col-md-6 site-main">') == [
        "row",
        "col-md-6",
    ]
    assert framework_classes_in('<p class="site-footer__text">') == []


def test_no_template_outside_a_theme_uses_a_framework_class():
    templates = templates_outside_themes()
    assert len(templates) > 40  # the scan does look at the core's and the plugins' templates

    offenders = {
        str(path.relative_to(ROOT)): classes
        for path in templates
        if (classes := framework_classes_in(path.read_text(encoding="utf-8")))
    }

    assert offenders == {}, "use a component of lutetia.ui instead"
