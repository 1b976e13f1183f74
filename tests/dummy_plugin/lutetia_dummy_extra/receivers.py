"""Receivers the framework tests connect themselves (nothing is connected at import)."""

from lutetia_dummy.receivers import calls


def record(sender, site=None, **kwargs):
    """Note that this plugin's receiver ran (the tests read the order in `calls`)."""
    calls.append("dummy_extra.record")
    return "dummy_extra"
