"""Configuring appointments in the back office: services (Lutece's appointment forms) with their
booking rules and questions, categories, locations, agendas and their resources, opening rules
(typical weeks, specific days, closing days, public holidays) and the slots themselves (bulk
open / close, a desk added for one day).

Rights: ``appointments.configure_agendas`` (superusers have it) and the service's workgroup:
another workgroup's service, agenda or rule answers 404, as if it did not exist. Categories and
locations are the site's, shared by every service.

Every change is one transaction with its audit entry. A change of what makes slots (rules,
resources, the agenda's or location's settings, the service's horizon) runs `opening.apply`
in the same transaction: when it would orphan appointments (`RuleConflict`), the whole change
is rolled back and the appointments are listed for the agent to move or cancel first.

Closing slots by hand closes them to new bookings only: the appointments they hold are kept
(and listed, so the agent can move them if they must).
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from lutetia import audit
from lutetia.accounts import workgroups
from lutetia.questions import offered

from . import availability, booking, opening, removal, shown
from . import questions as service_questions
from .config_forms import (
    AbsenceForm,
    AgendaForm,
    BulkSlotsForm,
    CategoryForm,
    ClosingForm,
    ClosingImportForm,
    DeskForm,
    LocationForm,
    QuestionForm,
    QuestionsForm,
    ResourceForm,
    ServiceForm,
    SlotsFilterForm,
    SpecificDayForm,
    WeekRuleForm,
    day_ranges_formset,
    week_ranges_formset,
)
from .models import (
    Absence,
    Agenda,
    Appointment,
    Category,
    ClosingDay,
    Location,
    Resource,
    Service,
    Slot,
    SlotBooking,
    SpecificDay,
    WeekRule,
)

PERMISSION = "appointments.configure_agendas"
TEMPLATES = "lutetia_appointments/admin/config/"
ACTIVE = (Appointment.Status.HELD, Appointment.Status.BOOKED)


def can_configure(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(PERMISSION))


def current_site(request) -> Site:
    """The site being administered: the request's, else the default one."""
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise Http404
    return site


def service_or_404(user, pk) -> Service:
    return workgroups.get_object_or_404(
        Service.objects.select_related("site", "category", "workgroup"), user, pk=pk
    )


def agenda_or_404(user, pk) -> Agenda:
    return workgroups.get_object_or_404(
        Agenda.objects.select_related("service", "location", "service__site"),
        user,
        field="service__workgroup",
        pk=pk,
    )


def record(request, verb: str, target, **details) -> None:
    audit.record(
        request.user, f"appointments.{verb}", target, origin="back", details=details or None
    )


# --- rule changes ------------------------------------------------------------------------------


def plan_summary(totals: dict[str, int]) -> str:
    if not any(totals.values()):
        return _("The slots were already as the rules say.")
    return _("Slots: %(created)s created, %(updated)s updated, %(removed)s removed.") % totals


def conflict_rows(conflict: opening.RuleConflict, user) -> dict:
    """The appointments a refused change would orphan, as the agent may see them."""
    visible = workgroups.scope(
        Appointment.objects.filter(pk__in=[a.pk for a in conflict.appointments]), user
    ).select_related("agenda")
    rows = []
    for appointment in visible.order_by("starts_at"):
        zone = zoneinfo.ZoneInfo(appointment.agenda.time_zone)
        rows.append(
            {
                "reference": appointment.reference or str(appointment.uid)[:8],
                "citizen": appointment.full_name or appointment.email,
                "when": appointment.starts_at.astimezone(zone),
                "status": appointment.get_status_display(),
                "agenda": str(appointment.agenda),
            }
        )
    return {"rows": rows, "hidden": len(conflict.appointments) - len(rows)}


def change_rules(
    request,
    change: Callable[[], object],
    agendas: Callable[[], Iterable[Agenda]],
    verb: str,
    **details,
):
    """Run ``change`` and bring the slots of ``agendas()`` to the new rules, in one
    transaction with its audit entry. Returns (the changed object, None), or (None, the
    conflict's rows) when appointments would be orphaned: then nothing is changed, and
    (None, None) when the database refused the change."""
    totals = {"created": 0, "updated": 0, "removed": 0}
    try:
        with transaction.atomic():
            target = change()
            for agenda in agendas():
                plan = opening.apply(agenda)
                totals["created"] += len(plan.create)
                totals["updated"] += len(plan.update)
                totals["removed"] += len(plan.delete)
            record(request, verb, target, **details, slots=totals)
    except opening.RuleConflict as conflict:
        messages.error(request, str(conflict))
        audit.record(
            request.user,
            f"appointments.{verb}",
            None,
            outcome="denied",
            origin="back",
            details={**details, "conflicts": [a.pk for a in conflict.appointments]},
        )
        return None, conflict_rows(conflict, request.user)
    except IntegrityError:
        messages.error(
            request, _("The change was refused: another change was saved meanwhile. Try again.")
        )
        return None, None
    messages.success(request, plan_summary(totals))
    return target, None


# --- base --------------------------------------------------------------------------------------


class ConfigView(WagtailAdminTemplateMixin, View):
    """Checks the right before anything; renders with Wagtail's furniture."""

    header_icon = "date"
    page_title = gettext_lazy("Appointment services")

    def dispatch(self, request, *args, **kwargs):
        if not can_configure(request.user):
            raise PermissionDenied
        self.site = current_site(request)
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Find the objects of the URL (404 for another workgroup's)."""

    def trail(self) -> list[dict]:
        """The breadcrumbs between "Appointment services" and this page."""
        return []

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("appointments_config:index"), "label": _("Appointment services")},
            *self.trail(),
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, status=200, **context):
        return self.render_to_response(self.get_context_data(**context), status=status)


class ServiceMixin(ConfigView):
    def load(self, pk=None, **kwargs):
        self.service = service_or_404(self.request.user, pk)

    def trail(self):
        return [
            {
                "url": reverse("appointments_config:service", args=[self.service.pk]),
                "label": str(self.service),
            }
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(service=self.service, **kwargs)


class AgendaMixin(ConfigView):
    def load(self, pk=None, **kwargs):
        self.agenda = agenda_or_404(self.request.user, pk)
        self.service = self.agenda.service

    def trail(self):
        return [
            {
                "url": reverse("appointments_config:service", args=[self.service.pk]),
                "label": str(self.service),
            },
            {
                "url": reverse("appointments_config:agenda", args=[self.agenda.pk]),
                "label": self.agenda.location.name,
            },
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(agenda=self.agenda, service=self.service, **kwargs)

    def back(self):
        return redirect("appointments_config:agenda", self.agenda.pk)

    def own_agenda(self):
        return [self.agenda]


# --- services ----------------------------------------------------------------------------------


class ServicesView(ConfigView):
    """The services of the site the agent may see, with their agendas and state."""

    template_name = TEMPLATES + "index.html"

    def get(self, request):
        services = (
            workgroups.scope(Service.objects.filter(site=self.site), request.user)
            .select_related("category", "workgroup")
            .annotate(agenda_count=Count("agendas", distinct=True))
            .order_by("category__order", "category__name", "title")
        )
        return self.render(services=services)


class ServiceEditView(ConfigView):
    """Create a service, or change its settings and booking rules."""

    template_name = TEMPLATES + "service_form.html"

    def load(self, pk=None, **kwargs):
        self.service = service_or_404(self.request.user, pk) if pk else None

    def get_page_title(self):
        return _("Settings") if self.service else _("New service")

    def trail(self):
        if self.service is None:
            return []
        return [
            {
                "url": reverse("appointments_config:service", args=[self.service.pk]),
                "label": str(self.service),
            }
        ]

    def form(self, data=None):
        instance = self.service or Service(site=self.site)
        return ServiceForm(
            data,
            instance=instance,
            site=instance.site if self.service else self.site,
            user=self.request.user,
        )

    def get(self, request, pk=None):
        return self.render(form=self.form(), service=self.service)

    def post(self, request, pk=None):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form=form, service=self.service, status=400)
        if self.service is None:
            try:
                with transaction.atomic():
                    service = form.save()
                    record(request, "service_created", service, title=service.title)
            except IntegrityError:
                messages.error(request, _("Another service already has this address."))
                return self.render(form=self.form(request.POST), service=None, status=400)
            messages.success(
                request, _("The service is created. Add an agenda for each location now.")
            )
            return redirect("appointments_config:service", service.pk)
        changed = sorted(form.changed_data)
        service, conflict = change_rules(
            request,
            form.save,
            lambda: Agenda.objects.filter(service=self.service),
            "service_changed",
            fields=changed,
        )
        if service is None:
            self.service.refresh_from_db()
            return self.render(
                form=self.form(request.POST), service=self.service, conflict=conflict, status=409
            )
        return redirect("appointments_config:service", service.pk)


class ServiceView(ServiceMixin):
    """A service: its state, its agendas, the buttons to change it."""

    template_name = TEMPLATES + "service.html"

    def get_page_title(self):
        return str(self.service)

    def trail(self):
        return []

    def get(self, request, pk):
        agendas = self.service.agendas.select_related("location").annotate(
            resource_count=Count("resources", filter=Q(resources__active=True), distinct=True)
        )
        return self.render(
            agendas=agendas,
            questions=self.service.questions or [],
            free_locations=Location.objects.filter(site=self.service.site)
            .exclude(agendas__service=self.service)
            .exists(),
        )


def save_questions(request, service: Service, change: Callable[[list[dict]], list[dict]]):
    """Apply ``change`` to the questions asked now (read under a lock: two administrators'
    changes both count) and keep the result if `questions.validate` accepts it, with its audit
    entry, in one transaction. Returns the problems found (nothing saved), or []."""
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        saved = list(locked.questions or [])
        try:
            locked.questions = service_questions.validate(
                change([dict(q) for q in saved]), site=locked.site, saved=saved
            )
        except ValidationError as refused:
            return refused.messages
        locked.save(update_fields=["questions", "updated_at"])
        record(
            request,
            "questions_changed",
            locked,
            keys=[question["key"] for question in locked.questions],
        )
    service.questions = locked.questions
    return []


def question_types(site) -> list[tuple[str, str]]:
    """(type, label) of the types a question may have on ``site``: the plain ones, then the
    forms plugin's where it is on."""
    plain = [(kind, str(label)) for kind, label in service_questions.TYPES.items()]
    shared = sorted(
        ((kind, str(offer.label)) for kind, offer in offered(site).items()),
        key=lambda item: item[1].lower(),
    )
    return plain + shared


class QuestionsView(ServiceMixin):
    """The service's own questions, in the order asked: change, move, remove, add."""

    template_name = TEMPLATES + "questions.html"

    def get_page_title(self):
        return _("Questions")

    def get(self, request, pk):
        on = offered(self.service.site)
        rows = []
        questions = self.service.questions or []
        for question in questions:
            kind = question.get("type")
            rows.append(
                {
                    **question,
                    "type_label": service_questions.type_label(kind),
                    "gone": kind not in service_questions.TYPES and kind not in on,
                    "choice_labels": ", ".join(str(c[1]) for c in question.get("choices") or []),
                    "condition": service_questions.describe_condition(question, questions),
                }
            )
        return self.render(rows=rows, types=question_types(self.service.site))


class QuestionPageMixin(ServiceMixin):
    """A page under a service's questions: they are in its breadcrumbs."""

    def trail(self):
        return [
            *super().trail(),
            {
                "url": reverse("appointments_config:questions", args=[self.service.pk]),
                "label": _("Questions"),
            },
        ]


class QuestionEditView(QuestionPageMixin):
    """Add a question (``?type=``) or change one; the key is fixed once added."""

    template_name = TEMPLATES + "question.html"

    def load(self, pk=None, key=None, **kwargs):
        super().load(pk)
        questions = self.service.questions or []
        self.question = None
        if key is not None:
            self.question = next((q for q in questions if q.get("key") == key), None)
            if self.question is None:
                raise Http404
        self.kind = (self.question or {}).get("type") or self.request.GET.get("type", "")
        self.shared = offered(self.service.site).get(self.kind)
        if self.kind not in service_questions.TYPES and self.shared is None:
            raise Http404
        self.taken = {q.get("key") for q in questions} - {key}
        # the questions a condition may name: those before this one
        keys = [q.get("key") for q in questions]
        self.earlier = questions[: keys.index(key)] if key is not None else list(questions)

    def get_page_title(self):
        kind = service_questions.type_label(self.kind)
        if self.question is None:
            return _("Add a question: %(type)s") % {"type": kind}
        return _("Change the question: %(type)s") % {"type": kind}

    def form(self, data=None):
        return QuestionForm(
            data,
            kind=self.kind,
            shared=self.shared,
            question=self.question,
            taken=self.taken,
            earlier=self.earlier,
        )

    def get(self, request, form=None, status=200, **kwargs):
        return self.render(form=form or self.form(), status=status)

    def post(self, request, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        question = form.as_question()

        def change(questions):
            if self.question is None:
                return [*questions, question]
            return [question if q.get("key") == question["key"] else q for q in questions]

        problems = save_questions(request, self.service, change)
        if problems:
            for problem in problems:
                form.add_error(None, problem)
            return self.get(request, form=form, status=400)
        messages.success(request, _("The question is saved."))
        return redirect("appointments_config:questions", self.service.pk)


class QuestionCommandView(ServiceMixin):
    """POST: move a question up or down, or remove it (its answers stay with the
    appointments, shown under its key)."""

    def post(self, request, pk, key, command):
        questions = self.service.questions or []
        index = next((i for i, q in enumerate(questions) if q.get("key") == key), None)
        if index is None or command not in ("up", "down", "delete"):
            raise Http404

        def change(questions):
            index = next((i for i, q in enumerate(questions) if q.get("key") == key), None)
            if index is None:
                return questions  # removed meanwhile
            if command == "delete":
                return questions[:index] + questions[index + 1 :]
            other = index - 1 if command == "up" else index + 1
            if 0 <= other < len(questions):
                questions[index], questions[other] = questions[other], questions[index]
            return questions

        problems = save_questions(request, self.service, change)
        for problem in problems:
            messages.error(request, problem)
        if not problems:
            messages.success(
                request,
                _("The question is removed.") if command == "delete" else _("The order is saved."),
            )
        return redirect("appointments_config:questions", self.service.pk)


class QuestionsJsonView(QuestionPageMixin):
    """The service's own questions as JSON checked by questions.validate: to copy them from
    another service or write them with a tool."""

    template_name = TEMPLATES + "questions_json.html"

    def get_page_title(self):
        return _("Questions as JSON")

    def get(self, request, pk, form=None, status=200):
        form = form or QuestionsForm(
            initial={
                "questions": json.dumps(self.service.questions or [], indent=2, ensure_ascii=False)
            },
            site=self.service.site,
        )
        return self.render(form=form, status=status)

    def post(self, request, pk):
        form = QuestionsForm(request.POST, site=self.service.site)
        if not form.is_valid():
            return self.get(request, pk, form=form, status=400)
        problems = save_questions(request, self.service, lambda _q: form.cleaned_data["questions"])
        if problems:
            form.add_error("questions", problems)
            return self.get(request, pk, form=form, status=400)
        messages.success(request, _("The questions are saved."))
        return redirect("appointments_config:questions", self.service.pk)


class DuplicateView(ServiceMixin):
    """A copy of the service, offline, with its agendas, resources and rules (not its slots'
    appointments): a new service starts from a similar one."""

    template_name = TEMPLATES + "duplicate.html"

    def get_page_title(self):
        return _("Duplicate")

    def get(self, request, pk):
        return self.render()

    def post(self, request, pk):
        with transaction.atomic():
            copy = duplicate(self.service)
            for agenda in copy.agendas.all():
                opening.apply(agenda)  # a new agenda has no appointment: no conflict
            record(request, "service_duplicated", copy, source=self.service.pk)
        messages.success(
            request,
            _("“%(title)s” is a copy, offline: check its settings, then put it online.")
            % {"title": copy.title},
        )
        return redirect("appointments_config:service", copy.pk)


def duplicate(service: Service) -> Service:
    """Copy a service with its agendas, resources and opening rules; offline, its own address."""
    source_pk = service.pk
    slug, number = service.slug, 2
    base = service.slug[:75]
    while Service.objects.filter(site=service.site, slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    copy = Service.objects.get(pk=source_pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.uid = Service._meta.get_field("uid").default()
    copy.slug = slug
    copy.title = (_("%(title)s (copy)") % {"title": service.title})[:200]
    copy.enabled = False
    copy.save()
    for agenda in Agenda.objects.filter(service_id=source_pk):
        new_agenda = Agenda.objects.create(
            service=copy,
            location=agenda.location,
            name=agenda.name,
            time_zone=agenda.time_zone,
            enabled=agenda.enabled,
            close_on_holidays=agenda.close_on_holidays,
        )
        copied: dict[int, Resource] = {}  # the original's id: its copy
        for resource in agenda.resources.all():
            copied[resource.pk] = Resource.objects.create(
                agenda=new_agenda,
                name=resource.name,
                kind=resource.kind,
                agent=resource.agent,
                places=resource.places,
                active=resource.active,
            )

        for week in agenda.week_rules.prefetch_related("ranges__resources"):
            new_week = WeekRule.objects.create(
                agenda=new_agenda, name=week.name, starts_on=week.starts_on, ends_on=week.ends_on
            )
            for time_range in week.ranges.all():
                _copy_range(time_range, copied, rule=new_week)
        for day in agenda.specific_days.prefetch_related("ranges__resources"):
            new_day = SpecificDay.objects.create(agenda=new_agenda, date=day.date, note=day.note)
            for time_range in day.ranges.all():
                _copy_range(time_range, copied, specific_day=new_day)
        ClosingDay.objects.bulk_create(
            ClosingDay(agenda=new_agenda, date=closed.date, reason=closed.reason)
            for closed in agenda.closing_days.all()
        )
    return copy


def _copy_range(time_range, copied: dict[int, Resource], **owner) -> None:
    """A copy of the opening hours for ``owner`` (a copied week or day), naming the copies of
    the resources it named."""
    named = [copied[resource.pk] for resource in time_range.resources.all()]
    time_range.pk = None
    for key, value in owner.items():
        setattr(time_range, key, value)
    time_range.save()
    time_range.resources.set(named)


class ToggleView(ServiceMixin):
    """Put the service online or offline (POST)."""

    def get(self, request, pk):
        return redirect("appointments_config:service", pk)

    def post(self, request, pk):
        with transaction.atomic():
            service = Service.objects.select_for_update().get(pk=self.service.pk)
            service.enabled = not service.enabled
            service.save(update_fields=["enabled", "updated_at"])
            record(request, "service_enabled" if service.enabled else "service_disabled", service)
        if service.enabled:
            messages.success(request, _("The service is online: citizens may book it."))
        else:
            messages.success(
                request,
                _("The service is offline: citizens cannot book it; its appointments are kept."),
            )
        return redirect("appointments_config:service", pk)


# --- categories and locations ----------------------------------------------------------------


class CategoriesView(ConfigView):
    template_name = TEMPLATES + "categories.html"

    def get_page_title(self):
        return _("Categories")

    def get(self, request):
        categories = Category.objects.filter(site=self.site).annotate(
            service_count=Count("services")
        )
        return self.render(categories=categories)


class CategoryEditView(ConfigView):
    template_name = TEMPLATES + "simple_form.html"

    def load(self, pk=None, **kwargs):
        self.category_pk = pk

    def get_page_title(self):
        return _("Edit the category") if self.category_pk else _("New category")

    def trail(self):
        return [{"url": reverse("appointments_config:categories"), "label": _("Categories")}]

    def form(self, data=None):
        instance = (
            Category.objects.filter(site=self.site, pk=self.category_pk).first()
            if self.category_pk
            else Category(site=self.site)
        )
        if instance is None:
            raise Http404
        return CategoryForm(data, instance=instance, site=self.site)

    def get(self, request, pk=None):
        return self.render(form=self.form(), cancel=reverse("appointments_config:categories"))

    def post(self, request, pk=None):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(
                form=form, cancel=reverse("appointments_config:categories"), status=400
            )
        try:
            with transaction.atomic():
                category = form.save()
                record(
                    request,
                    "category_changed" if pk else "category_created",
                    category,
                    name=category.name,
                )
        except IntegrityError:
            messages.error(request, _("Another category already has this name."))
            return self.render(
                form=self.form(request.POST),
                cancel=reverse("appointments_config:categories"),
                status=400,
            )
        messages.success(request, _("The category is saved."))
        return redirect("appointments_config:categories")


class LocationsView(ConfigView):
    template_name = TEMPLATES + "locations.html"

    def get_page_title(self):
        return _("Locations")

    def get(self, request):
        locations = Location.objects.filter(site=self.site).annotate(agenda_count=Count("agendas"))
        return self.render(locations=locations)


class LocationEditView(ConfigView):
    """A location; a change of its public holidays re-makes its agendas' slots."""

    template_name = TEMPLATES + "simple_form.html"

    def load(self, pk=None, **kwargs):
        self.location_pk = pk

    def get_page_title(self):
        return _("Edit the location") if self.location_pk else _("New location")

    def trail(self):
        return [{"url": reverse("appointments_config:locations"), "label": _("Locations")}]

    def form(self, data=None):
        instance = (
            Location.objects.filter(site=self.site, pk=self.location_pk).first()
            if self.location_pk
            else Location(site=self.site)
        )
        if instance is None:
            raise Http404
        return LocationForm(data, instance=instance)

    def get(self, request, pk=None):
        return self.render(form=self.form(), cancel=reverse("appointments_config:locations"))

    def post(self, request, pk=None):
        form = self.form(request.POST)
        cancel = reverse("appointments_config:locations")
        if not form.is_valid():
            return self.render(form=form, cancel=cancel, status=400)
        location, conflict = change_rules(
            request,
            form.save,
            lambda: Agenda.objects.filter(location_id=form.instance.pk),
            "location_changed" if pk else "location_created",
            name=form.instance.name,
        )
        if location is None:
            return self.render(
                form=self.form(request.POST), cancel=cancel, conflict=conflict, status=409
            )
        return redirect("appointments_config:locations")


# --- agendas and resources -------------------------------------------------------------------


def holiday_preview(agenda: Agenda) -> list[dict]:
    """The public holidays that close the agenda, this year and next, named in the active
    language."""
    location = agenda.location
    if not location.holiday_country:
        return []
    year = opening.local_today(agenda).year
    found = []
    for each in (year, year + 1):
        names = opening.holiday_names(
            location.holiday_country.upper(),
            location.holiday_region,
            each,
            (get_language() or "").replace("-", "_"),
        )
        found.extend({"date": day, "name": name} for day, name in sorted(names.items()))
    return found


class AgendaAddView(ServiceMixin):
    template_name = TEMPLATES + "agenda_form.html"

    def get_page_title(self):
        return _("New agenda")

    def get(self, request, pk):
        return self.render(
            form=AgendaForm(service=self.service, instance=Agenda(service=self.service))
        )

    def post(self, request, pk):
        form = AgendaForm(request.POST, service=self.service, instance=Agenda(service=self.service))
        if not form.is_valid():
            return self.render(form=form, status=400)
        agenda, _conflict = change_rules(
            request,
            form.save,
            lambda: [form.instance],
            "agenda_created",
            service=self.service.pk,
        )
        if agenda is None:
            return self.render(form=form, status=400)
        messages.info(request, _("Now add its desks and its typical week."))
        return redirect("appointments_config:agenda", agenda.pk)


class AgendaView(AgendaMixin):
    """An agenda: its settings, resources, typical weeks, specific days, closing days and the
    public holidays that close it."""

    template_name = TEMPLATES + "agenda.html"

    def get_page_title(self):
        return str(self.agenda.location)

    def trail(self):
        return super().trail()[:1]

    def get(self, request, pk):
        today = opening.local_today(self.agenda)
        return self.render(
            resources=self.agenda.resources.select_related("agent"),
            capacity=opening.default_capacity(self.agenda),
            weeks=self.agenda.week_rules.prefetch_related("ranges__resources"),
            specific_days=self.agenda.specific_days.filter(date__gte=today).prefetch_related(
                "ranges"
            ),
            closing_days=self.agenda.closing_days.filter(date__gte=today),
            absences=Absence.objects.filter(
                resource__agenda=self.agenda, ends_on__gte=today
            ).select_related("resource"),
            holidays=holiday_preview(self.agenda),
        )


class AgendaEditView(AgendaMixin):
    template_name = TEMPLATES + "agenda_form.html"

    def get_page_title(self):
        return _("Agenda settings")

    def get(self, request, pk):
        return self.render(form=AgendaForm(service=self.service, instance=self.agenda))

    def post(self, request, pk):
        form = AgendaForm(request.POST, service=self.service, instance=self.agenda)
        if not form.is_valid():
            return self.render(form=form, status=400)
        agenda, conflict = change_rules(
            request, form.save, self.own_agenda, "agenda_changed", fields=sorted(form.changed_data)
        )
        if agenda is None:
            self.agenda = agenda_or_404(request.user, pk)
            form = AgendaForm(request.POST, service=self.service, instance=self.agenda)
            form.is_valid()
            return self.render(form=form, conflict=conflict, status=409)
        return self.back()


class ResourceEditView(AgendaMixin):
    """Add a desk, an agent or a room to an agenda, or change one: the slots' places follow."""

    template_name = TEMPLATES + "simple_form.html"

    def load(self, resource=None, **kwargs):
        self.resource_pk = resource
        super().load(**kwargs)

    def get_page_title(self):
        return _("Edit the resource") if self.resource_pk else _("New resource")

    def form(self, data=None):
        if self.resource_pk:
            instance = Resource.objects.filter(agenda=self.agenda, pk=self.resource_pk).first()
            if instance is None:
                raise Http404
        else:
            instance = Resource(agenda=self.agenda)
        return ResourceForm(data, instance=instance)

    def cancel(self):
        return reverse("appointments_config:agenda", args=[self.agenda.pk])

    def get(self, request, pk, resource=None):
        return self.render(form=self.form(), cancel=self.cancel())

    def post(self, request, pk, resource=None):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form=form, cancel=self.cancel(), status=400)
        saved, conflict = change_rules(
            request,
            form.save,
            self.own_agenda,
            "resource_changed" if resource else "resource_created",
            agenda=self.agenda.pk,
            places=form.cleaned_data["places"],
            active=form.cleaned_data["active"],
        )
        if saved is None:
            form = self.form(request.POST)
            form.is_valid()
            return self.render(form=form, cancel=self.cancel(), conflict=conflict, status=409)
        return self.back()


class ResourceDeleteView(AgendaMixin):
    template_name = TEMPLATES + "confirm_delete.html"

    def load(self, resource=None, **kwargs):
        self.resource_pk = resource
        super().load(**kwargs)

    def get_object(self):
        found = Resource.objects.filter(agenda=self.agenda, pk=self.resource_pk).first()
        if found is None:
            raise Http404
        return found

    def get_page_title(self):
        return _("Delete the resource")

    def get(self, request, pk, resource):
        return self.render(target=self.get_object(), cancel=self.back().url)

    def post(self, request, pk, resource):
        target = self.get_object()
        name = target.name

        def change():
            target.delete()
            return self.agenda

        done, conflict = change_rules(
            request, change, self.own_agenda, "resource_deleted", resource=name
        )
        if done is None:
            return self.render(target=target, cancel=self.back().url, conflict=conflict, status=409)
        return self.back()


# --- absences ----------------------------------------------------------------------------------


def _when_list(appointments: list[Appointment]) -> str:
    return ", ".join(
        f"{a.reference} ({date_format(availability.local(a, a.agenda), 'SHORT_DATETIME_FORMAT')})"
        for a in appointments
    )


class AbsenceAddView(AgendaMixin):
    """A desk, an agent or a room away one day or a period: the slots lose its places (refused,
    listing them, when appointments would be left without a place); its appointments go to a
    present resource."""

    template_name = TEMPLATES + "simple_form.html"

    def get_page_title(self):
        return _("Add an absence")

    def get(self, request, pk):
        form = AbsenceForm(agenda=self.agenda, initial={"starts_on": timezone.localdate()})
        return self.render(form=form, cancel=self.back().url)

    def post(self, request, pk):
        form = AbsenceForm(request.POST, agenda=self.agenda)
        if not form.is_valid():
            return self.render(form=form, cancel=self.back().url, status=400)
        outcome = {}

        def change():
            absence = form.save()
            outcome["moved"], outcome["left"] = booking.give_to_present(absence, actor=request.user)
            return absence

        data = form.cleaned_data
        done, conflict = change_rules(
            request,
            change,
            self.own_agenda,
            "absence_added",
            agenda=self.agenda.pk,
            resource=data["resource"].pk,
            first=data["starts_on"].isoformat(),
            last=data["ends_on"].isoformat(),
        )
        if done is None:
            form = AbsenceForm(request.POST, agenda=self.agenda)
            form.is_valid()
            return self.render(form=form, cancel=self.back().url, conflict=conflict, status=409)
        if outcome["moved"]:
            messages.success(
                request,
                ngettext(
                    "%(count)s appointment given to another resource: %(list)s.",
                    "%(count)s appointments given to another resource: %(list)s.",
                    len(outcome["moved"]),
                )
                % {"count": len(outcome["moved"]), "list": _when_list(outcome["moved"])},
            )
        if outcome["left"]:
            messages.warning(
                request,
                _(
                    "No other resource receives at the time of these appointments: move or "
                    "cancel them: %(list)s."
                )
                % {"list": _when_list(outcome["left"])},
            )
        return self.back()


class AbsenceDeleteView(AgendaMixin):
    """The resource is back: its places return to the slots of those days."""

    template_name = TEMPLATES + "confirm_delete.html"

    def load(self, absence=None, **kwargs):
        self.absence_pk = absence
        super().load(**kwargs)

    def get_object(self) -> Absence:
        found = (
            Absence.objects.select_related("resource")
            .filter(resource__agenda=self.agenda, pk=self.absence_pk)
            .first()
        )
        if found is None:
            raise Http404
        return found

    def get_page_title(self):
        return _("Delete the absence")

    def get(self, request, pk, absence):
        return self.render(target=self.get_object(), cancel=self.back().url)

    def post(self, request, pk, absence):
        target = self.get_object()

        def change():
            target.delete()
            return self.agenda

        done, conflict = change_rules(
            request,
            change,
            self.own_agenda,
            "absence_deleted",
            agenda=self.agenda.pk,
            resource=target.resource_id,
            first=target.starts_on.isoformat(),
            last=target.ends_on.isoformat(),
        )
        if done is None:
            return self.render(target=target, cancel=self.back().url, conflict=conflict, status=409)
        return self.back()


# --- deleting services, agendas, locations, categories ----------------------------------------


class DeleteView(ConfigView):
    """Delete a service, an agenda, a location or a category (`removal`): the page says what
    goes with it, or why it stays."""

    template_name = TEMPLATES + "delete.html"

    def get_object(self, pk):
        raise NotImplementedError

    def load(self, pk=None, **kwargs):
        self.target = self.get_object(pk)

    def get_page_title(self):
        return _("Delete “%(name)s”") % {"name": self.target}

    def back(self) -> str:
        """Where the page came from (its Cancel)."""
        raise NotImplementedError

    def gone(self) -> str:
        """Where to go once it is deleted."""
        raise NotImplementedError

    def get(self, request, pk, status=200, problem=""):
        return self.render(
            target=self.target,
            reason=problem or removal.why_kept(self.target),
            consequences=removal.consequences(self.target),
            cancel=self.back(),
            status=status,
        )

    def post(self, request, pk):
        name = str(self.target)
        try:
            removal.delete(self.target, actor=request.user)
        except removal.Kept as kept:
            return self.get(request, pk, status=409, problem=kept.message)
        messages.success(request, _("“%(name)s” is deleted.") % {"name": name})
        return redirect(self.gone())


class ServiceDeleteView(DeleteView):
    def get_object(self, pk):
        return service_or_404(self.request.user, pk)

    def trail(self):
        return [{"url": self.back(), "label": str(self.target)}]

    def back(self):
        return reverse("appointments_config:service", args=[self.target.pk])

    def gone(self):
        return reverse("appointments_config:index")


class AgendaDeleteView(DeleteView):
    def get_object(self, pk):
        return agenda_or_404(self.request.user, pk)

    def trail(self):
        service = self.target.service
        return [
            {
                "url": reverse("appointments_config:service", args=[service.pk]),
                "label": str(service),
            },
            {"url": self.back(), "label": self.target.location.name},
        ]

    def back(self):
        return reverse("appointments_config:agenda", args=[self.target.pk])

    def gone(self):
        return reverse("appointments_config:service", args=[self.target.service_id])


class LocationDeleteView(DeleteView):
    def get_object(self, pk):
        return get_object_or_404(Location, site=self.site, pk=pk)

    def trail(self):
        return [{"url": self.back(), "label": _("Locations")}]

    def back(self):
        return reverse("appointments_config:locations")

    gone = back


class CategoryDeleteView(DeleteView):
    def get_object(self, pk):
        return get_object_or_404(Category, site=self.site, pk=pk)

    def trail(self):
        return [{"url": self.back(), "label": _("Categories")}]

    def back(self):
        return reverse("appointments_config:categories")

    gone = back


# --- typical weeks, specific days, closing days ------------------------------------------------


class WeekEditView(AgendaMixin):
    """A typical week: its dates and, per weekday, its opening hours."""

    template_name = TEMPLATES + "rule_form.html"
    formset_factory = staticmethod(week_ranges_formset)
    form_class = WeekRuleForm
    model = WeekRule
    verb = "week"

    def load(self, rule=None, **kwargs):
        self.rule_pk = rule
        super().load(**kwargs)

    def get_page_title(self):
        return _("Typical week") if self.rule_pk else _("New typical week")

    def instance(self):
        if self.rule_pk:
            found = self.model.objects.filter(agenda=self.agenda, pk=self.rule_pk).first()
            if found is None:
                raise Http404
            return found
        return self.model(agenda=self.agenda)

    def forms(self, data=None):
        instance = self.instance()
        form = self.make_form(data, instance)
        formset = self.formset_factory(extra=2 if instance.pk else 5)(
            data, instance=instance, prefix="ranges", form_kwargs={"agenda": self.agenda}
        )
        return form, formset

    def make_form(self, data, instance):
        return self.form_class(data, instance=instance)

    def get(self, request, pk, rule=None):
        form, formset = self.forms()
        return self.render(form=form, formset=formset)

    def post(self, request, pk, rule=None):
        form, formset = self.forms(request.POST)
        valid = form.is_valid() and formset.is_valid()
        if not valid:
            return self.render(form=form, formset=formset, status=400)

        def change():
            saved = form.save()
            formset.instance = saved
            formset.save()
            return saved

        saved, conflict = change_rules(
            request,
            change,
            self.own_agenda,
            f"{self.verb}_changed" if rule else f"{self.verb}_created",
            agenda=self.agenda.pk,
        )
        if saved is None:
            form, formset = self.forms(request.POST)
            form.is_valid() and formset.is_valid()
            return self.render(form=form, formset=formset, conflict=conflict, status=409)
        return self.back()


class SpecificDayEditView(WeekEditView):
    """A day with its own opening hours (they replace the typical week's)."""

    template_name = TEMPLATES + "rule_form.html"
    formset_factory = staticmethod(day_ranges_formset)
    form_class = SpecificDayForm
    model = SpecificDay
    verb = "specific_day"

    def get_page_title(self):
        return _("Specific day") if self.rule_pk else _("New specific day")

    def make_form(self, data, instance):
        return self.form_class(data, instance=instance, agenda=self.agenda)


class RuleDeleteView(AgendaMixin):
    """Delete a typical week, a specific day or a closing day (refused when it would orphan
    appointments)."""

    template_name = TEMPLATES + "confirm_delete.html"
    models = {"week": WeekRule, "day": SpecificDay, "closing": ClosingDay}

    def load(self, kind=None, rule=None, **kwargs):
        if kind not in self.models:
            raise Http404
        self.kind, self.rule_pk = kind, rule
        super().load(**kwargs)

    def get_object(self):
        found = self.models[self.kind].objects.filter(agenda=self.agenda, pk=self.rule_pk).first()
        if found is None:
            raise Http404
        return found

    def get_page_title(self):
        return _("Delete")

    def get(self, request, pk, kind, rule):
        return self.render(target=self.get_object(), cancel=self.back().url)

    def post(self, request, pk, kind, rule):
        target = self.get_object()
        label = str(target)

        def change():
            target.delete()
            return self.agenda

        done, conflict = change_rules(
            request, change, self.own_agenda, f"{self.kind}_deleted", rule=label
        )
        if done is None:
            return self.render(target=target, cancel=self.back().url, conflict=conflict, status=409)
        return self.back()


class ClosingAddView(AgendaMixin):
    """Close the agenda one day, or every day of a period."""

    template_name = TEMPLATES + "closing_form.html"

    def get_page_title(self):
        return _("Close days")

    def render(self, status=200, **context):
        context.setdefault("form", ClosingForm())
        context.setdefault("import_form", ClosingImportForm())
        return super().render(status=status, **context)

    def get(self, request, pk):
        return self.render()

    def not_closed_yet(self, wanted: dict[dt.date, str]) -> dict[dt.date, str]:
        """The days of ``wanted`` (date: reason) the agenda is not closed on yet."""
        already = set(
            ClosingDay.objects.filter(agenda=self.agenda, date__in=list(wanted)).values_list(
                "date", flat=True
            )
        )
        return {day: reason for day, reason in wanted.items() if day not in already}

    def close(self, request, new: dict[dt.date, str], verb: str, **details):
        """Close the agenda on ``new`` days, its slots following in the same transaction:
        `change_rules`' (done, conflict)."""

        def change():
            ClosingDay.objects.bulk_create(
                ClosingDay(agenda=self.agenda, date=day, reason=reason)
                for day, reason in new.items()
            )
            return self.agenda

        return change_rules(request, change, self.own_agenda, verb, **details)

    def post(self, request, pk):
        form = ClosingForm(request.POST)
        if not form.is_valid():
            return self.render(form=form, status=400)
        days = form.days()
        reason = form.cleaned_data["reason"]
        done, conflict = self.close(
            request,
            self.not_closed_yet(dict.fromkeys(days, reason)),
            "closing_days_added",
            first=days[0].isoformat(),
            last=days[-1].isoformat(),
        )
        if done is None:
            return self.render(form=form, conflict=conflict, status=409)
        return self.back()


class ClosingImportView(ClosingAddView):
    """Close the days of a calendar file's all-day events (POST; `ClosingImportForm`)."""

    def get(self, request, pk):
        return redirect("appointments_config:closing_add", pk)

    def post(self, request, pk):
        form = ClosingImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(import_form=form, status=400)
        new = self.not_closed_yet(form.cleaned_data["calendar"])
        done, conflict = self.close(
            request,
            new,
            "closing_days_imported",
            days=[day.isoformat() for day in new],
            skipped=len(form.skipped),
        )
        if done is None:
            return self.render(import_form=form, conflict=conflict, status=409)
        messages.success(
            request,
            ngettext(
                "%(count)s day closed from the calendar file.",
                "%(count)s days closed from the calendar file.",
                len(new),
            )
            % {"count": len(new)},
        )
        if form.skipped:
            messages.warning(
                request,
                _(
                    "Not read (events with hours, or repeating): %(events)s. Close those slots "
                    "on the slots page."
                )
                % {"events": ", ".join(form.skipped[:20])},
            )
        return self.back()


# --- slots -------------------------------------------------------------------------------------


def appointments_of(slot_ids) -> dict[int, list[Appointment]]:
    """The active appointments holding places in each slot."""
    found: dict[int, list[Appointment]] = {}
    for place in (
        SlotBooking.objects.filter(slot_id__in=slot_ids, appointment__status__in=ACTIVE)
        .select_related("appointment")
        .order_by("appointment__starts_at")
    ):
        found.setdefault(place.slot_id, []).append(place.appointment)
    return found


class SlotsView(AgendaMixin):
    """The slots of a day or a week: open or close chosen ones, add or remove a desk for a day."""

    template_name = TEMPLATES + "slots.html"

    def get_page_title(self):
        return _("Slots")

    def period(self, data) -> tuple[dt.date, dt.date, SlotsFilterForm, bool]:
        today = opening.local_today(self.agenda)
        data = {"span": (data or {}).get("span", ""), "day": (data or {}).get("day", "")}
        form = SlotsFilterForm({**data, "day": data["day"] or today.isoformat()})
        if not form.is_valid():
            return today, today, form, False
        day = form.cleaned_data.get("day") or today
        if form.cleaned_data.get("span") == "week":
            start = day - dt.timedelta(days=day.weekday())
            return start, start + dt.timedelta(days=6), form, True
        return day, day, form, True

    def context(self, data, **extra):
        start, end, filter_form, valid = self.period(data)
        zone = zoneinfo.ZoneInfo(self.agenda.time_zone)
        slots = list(Slot.objects.filter(agenda=self.agenda, day__range=(start, end)))
        held = appointments_of([slot.pk for slot in slots])
        days: dict[dt.date, list[dict]] = {}
        for slot in slots:
            days.setdefault(slot.day, []).append(
                {
                    "slot": slot,
                    "starts": slot.starts_at.astimezone(zone),
                    "ends": slot.ends_at.astimezone(zone),
                    "appointments": held.get(slot.pk, []),
                }
            )
        week = valid and filter_form.cleaned_data.get("span") == "week"
        return {
            "filter_form": filter_form,
            "start": start,
            "end": end,
            "days": sorted(days.items()),
            "week": week,
            "previous": start - dt.timedelta(days=7 if week else 1),
            "next": end + dt.timedelta(days=1),
            "desk_form": extra.pop("desk_form", None) or DeskForm(initial={"day": start}),
            **extra,
        }, valid

    def get(self, request, pk):
        context, valid = self.context(request.GET)
        return self.render(status=200 if valid else 400, **context)

    def back_to(self, request):
        url = reverse("appointments_config:slots", args=[self.agenda.pk])
        day, span = request.POST.get("day", ""), request.POST.get("span", "")
        query = "&".join(
            f"{key}={value}"
            for key, value in (("day", day), ("span", span))
            if value and SlotsFilterForm({key: value}).is_valid()
        )
        return redirect(f"{url}?{query}" if query else url)

    def refuse(self, request, message: str, status: int = 400, **extra):
        messages.error(request, message)
        context, _valid = self.context(
            {"day": request.POST.get("day", ""), "span": request.POST.get("span", "")}, **extra
        )
        return self.render(status=status, **context)


class BulkSlotsView(SlotsView):
    """Open or close the chosen slots (POST). Closing keeps the appointments a slot holds:
    it only takes no new booking."""

    def get(self, request, pk):
        return redirect("appointments_config:slots", pk)

    def post(self, request, pk):
        ids = [int(v) for v in request.POST.getlist("slots") if v.isdigit()]
        candidates = list(
            Slot.objects.filter(agenda=self.agenda, pk__in=ids).values_list("pk", flat=True)
        )
        form = BulkSlotsForm(request.POST, slot_ids=candidates)
        if not form.is_valid():
            errors = [str(error) for errors in form.errors.values() for error in errors]
            return self.refuse(request, " ".join(errors))
        opening_slots = form.cleaned_data["action"] == "open"
        chosen = form.cleaned_data["slots"]
        with transaction.atomic():
            # one UPDATE: a concurrent booking of one of them waits for it, then sees it closed
            count = Slot.objects.filter(agenda=self.agenda, pk__in=chosen).update(
                is_open=opening_slots, manual=True
            )
            shown.changed(self.agenda.pk)
            holding = appointments_of(chosen) if not opening_slots else {}
            record(
                request,
                "slots_opened" if opening_slots else "slots_closed",
                self.agenda,
                slots=sorted(chosen),
            )
        if opening_slots:
            messages.success(request, _("%(count)s slots opened.") % {"count": count})
        else:
            messages.success(request, _("%(count)s slots closed.") % {"count": count})
            kept = sorted(
                {a.reference or str(a.uid)[:8] for found in holding.values() for a in found}
            )
            if kept:
                messages.warning(
                    request,
                    _(
                        "Closed slots take no new booking, but their appointments are kept: "
                        "%(references)s. Move or cancel them if the citizens cannot come."
                    )
                    % {"references": ", ".join(kept)},
                )
        return self.back_to(request)


class DeskView(SlotsView):
    """Add one place to every slot of a day (a desk for the day), or take an added one back
    when no appointment would be left without its place."""

    def get(self, request, pk):
        return redirect("appointments_config:slots", pk)

    def post(self, request, pk):
        form = DeskForm(request.POST)
        if not form.is_valid():
            errors = [str(error) for errors in form.errors.values() for error in errors]
            return self.refuse(request, " ".join(errors), desk_form=form)
        day = form.cleaned_data["day"]
        adding = form.cleaned_data["action"] == "add"
        if day < opening.local_today(self.agenda):
            return self.refuse(request, _("This day is past."), desk_form=form)
        now = timezone.now()
        try:
            with transaction.atomic():
                # locked in the order bookings lock them (by id): no booking runs meanwhile
                slots = list(
                    Slot.objects.select_for_update()
                    .filter(agenda=self.agenda, day=day, starts_at__gt=now)
                    .order_by("pk")
                )
                if not slots:
                    return self.refuse(
                        request, _("The agenda has no slot left on this day."), desk_form=form
                    )
                ids = [slot.pk for slot in slots]
                if adding:
                    Slot.objects.filter(pk__in=ids).update(
                        capacity=F("capacity") + 1, added=F("added") + 1
                    )
                else:
                    booking.release_expired(now, slot_ids=ids)
                    slots = list(Slot.objects.filter(pk__in=ids))
                    if any(slot.added <= 0 for slot in slots):
                        return self.refuse(
                            request,
                            _("No place was added to every slot of this day: none to remove."),
                            desk_form=form,
                        )
                    full = [slot for slot in slots if slot.booked >= slot.capacity]
                    if full:
                        busy = appointments_of([slot.pk for slot in full])
                        references = sorted(
                            {
                                a.reference or str(a.uid)[:8]
                                for found in busy.values()
                                for a in found
                            }
                        )
                        return self.refuse(
                            request,
                            _(
                                "These slots are full: removing a place would leave an "
                                "appointment without one. Move one of these first: "
                                "%(references)s."
                            )
                            % {"references": ", ".join(references)},
                            status=409,
                            desk_form=form,
                        )
                    Slot.objects.filter(pk__in=ids).update(
                        capacity=F("capacity") - 1, added=F("added") - 1
                    )
                shown.changed(self.agenda.pk)
                record(
                    request,
                    "desk_added" if adding else "desk_removed",
                    self.agenda,
                    day=day.isoformat(),
                    slots=len(ids),
                )
        except IntegrityError:
            return self.refuse(
                request,
                _("A slot of this day was booked meanwhile: no place was removed. Try again."),
                status=409,
                desk_form=form,
            )
        when = date_format(day, "DATE_FORMAT")
        if adding:
            message = _("One place added to %(count)s slots on %(day)s.")
        else:
            message = _("One added place removed from %(count)s slots on %(day)s.")
        messages.success(request, message % {"count": len(ids), "day": when})
        return self.back_to(request)
