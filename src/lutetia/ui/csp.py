"""Wagtail's chooser widgets (page, image, document, snippet, task) end with an inline
``<script>new PageChooser(...)</script>``, which a Content-Security-Policy without
``unsafe-inline`` blocks. ``patch_choosers()`` makes them end with a JSON data block instead,
which ``lutetia_ui/admin/csp-init.js`` turns into the same call.

This replaces ``BaseChooser.render`` (Wagtail 8.0): if Wagtail changes it, the test that scans
back-office pages for inline scripts (tests/test_security.py) says so.
"""

from __future__ import annotations

import json

from django.utils.safestring import mark_safe

from .templatetags.lutetia_csp import csp_init


def render_without_inline_script(self, name, value, attrs=None, renderer=None):
    """``BaseChooser.render``, its script turned into a data block."""
    from wagtail.admin.widgets.chooser import BaseChooser
    from wagtail.admin.widgets.workflows import AdminTaskChooser

    try:
        id_ = attrs["id"]
    except (KeyError, TypeError) as exc:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from exc
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    if isinstance(self, AdminTaskChooser):
        data = csp_init("TaskChooser", "{}", id_)
    elif type(self).render_js_init is BaseChooser.render_js_init:
        options = self.get_js_init_options(id_, name, value_data)
        data = csp_init("Chooser", json.dumps(options), id_, self.js_constructor)
    else:  # a chooser with its own script: Wagtail's way (blocked by the policy, visibly)
        return ORIGINAL_RENDER(self, name, value, attrs, renderer)
    return mark_safe(f"{widget_html}{data}")  # noqa: S308 - both parts are escaped HTML


ORIGINAL_RENDER = None


def patch_choosers() -> None:
    global ORIGINAL_RENDER
    from wagtail.admin.widgets.chooser import BaseChooser

    if ORIGINAL_RENDER is None:
        ORIGINAL_RENDER = BaseChooser.render
        BaseChooser.render = render_without_inline_script
