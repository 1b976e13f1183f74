"""The citizen's and agent's inbox: /account/notifications/ ("My notifications")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from . import services

PER_PAGE = 20


@never_cache
@login_required
def inbox(request):
    """The signed-in person's notifications, newest first; POST marks some or all read."""
    if request.method == "POST":
        return _mark_read(request)
    page = Paginator(services.inbox(request.user), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "unread": services.unread_count(request.user)}
    return render(request, "lutetia_notify/inbox.html", context)


def _mark_read(request):
    """``id`` (one notification) or nothing (all of them); others' ids are ignored."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    count = services.mark_read(request.user, ids)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    elif ids is None:
        messages.info(request, _("Every notification was already read."))
    return redirect(request.get_full_path())
