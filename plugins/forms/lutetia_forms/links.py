"""Addresses Forms writes in e-mails (absolute: they are opened from a mailbox)."""

from __future__ import annotations

from django.urls import reverse


def absolute(site, path: str) -> str:
    return site.root_url.rstrip("/") + path


def resume_path(secret: str) -> str:
    return reverse("forms:resume", args=[secret])


def absolute_resume_url(response, secret: str) -> str:
    return absolute(response.site, resume_path(secret))
