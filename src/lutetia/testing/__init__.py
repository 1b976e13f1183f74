"""Lutetia's public test kit: settings, pytest fixtures (personas, browser), helpers.

A plugin's test suite needs one line of configuration::

    [tool.pytest.ini_options]
    DJANGO_SETTINGS_MODULE = "lutetia.testing.settings"
    addopts = "-p lutetia.testing.pytest_plugin"
"""
