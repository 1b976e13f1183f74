"""Lutetia: an open-source city-services platform."""

__version__ = "0.1.0"
