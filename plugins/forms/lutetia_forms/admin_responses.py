"""Processing responses in the back office (Lutece's "multiview"): the lists (across forms and
one form's, filtered, searched), a response's page with the workflow's panels, its files and
its PDF, the exports and the statistics.

Thin views: they read the request, check access, call `listing`, `exports` and `stats`,
render. Every response an agent reaches goes through `listing.visible` (their workgroups):
another workgroup's response answers 404, as one that does not exist, and the attempt is
recorded as denied. Only submitted responses are shown: drafts are the citizens'.
"""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta

from django import forms
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia import audit, files, pdf, resources
from lutetia.accounts import workgroups
from lutetia.accounts.rights import RightGuard

from . import exports, listing, runtime, services, stats
from .models import Form, Response, Upload

PROCESS_PERMISSION = "forms.process_response"
PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: the right every processing screen needs; a 403 page (logged) for the others — Wagtail itself
#: would redirect to the dashboard, and a download or an export link must not answer that
GUARD = RightGuard(
    PROCESS_PERMISSION,
    action="forms.processing_denied",
    target=Response,
    title=gettext_lazy("Form responses"),
    icon="form",
    message=gettext_lazy("You may not process form responses: ask an administrator for the right."),
)
can_process = GUARD.allows
refuse = GUARD.refuse
processor_required = GUARD.required
ProcessorMixin = GUARD.Mixin


# --- what an agent reaches ---------------------------------------------------------------------


def response_or_404(request, pk) -> Response:
    """A submitted response of the agent's workgroups; 404 otherwise (recorded as denied when
    it exists, like a citizen's attempt on another's object)."""
    queryset = Response.objects.filter(status=listing.SUBMITTED).select_related(
        "form", "version", "site", "owner", "assignee", "workgroup"
    )
    try:
        return workgroups.get_object_or_404(queryset, request.user, pk=pk)
    except Http404:
        existing = Response.objects.filter(pk=pk, status=listing.SUBMITTED).first()
        if existing is not None:
            audit.record(
                request.user,
                "forms.access_denied",
                existing,
                outcome="denied",
                details={"reason": "workgroup"},
                request=request,
            )
        raise


def form_or_404(request, pk) -> Form:
    """A form whose responses the agent may process (its workgroup or none)."""
    return workgroups.get_object_or_404(Form.objects.select_related("site"), request.user, pk=pk)


# --- filters ---------------------------------------------------------------------------------

YES, NO = "yes", "no"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _tristate(value: str) -> bool | None:
    return {YES: True, NO: False}.get(value)


class FilterForm(forms.Form):
    """The list's filters, read from the query string. Per form, one select per question
    flagged ``filter``, named ``answer_<key>``."""

    q = forms.CharField(label=gettext_lazy("Reference or text"), required=False, max_length=200)
    state = forms.CharField(label=gettext_lazy("State"), required=False, max_length=50)
    submitted_from = forms.DateField(
        label=gettext_lazy("Submitted on or after"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    submitted_to = forms.DateField(
        label=gettext_lazy("Submitted on or before"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    mine = forms.BooleanField(label=gettext_lazy("Assigned to me"), required=False)
    closed = forms.ChoiceField(
        label=gettext_lazy("Processing"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            (NO, gettext_lazy("In progress")),
            (YES, gettext_lazy("Processing over")),
        ],
    )
    anonymised = forms.ChoiceField(
        label=gettext_lazy("Anonymised"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            (NO, gettext_lazy("Not anonymised")),
            (YES, gettext_lazy("Anonymised")),
        ],
    )

    def __init__(self, *args, forms_=None, sites=None, states=(), questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        # An unknown state is not an error: it filters to nothing (states come and go).
        self.fields["state"].widget = forms.Select(choices=[("", _("All")), *states])
        if forms_ is not None:
            self.fields["form"] = _pick(_("Form"), [(f.pk, f.title) for f in forms_])
        if sites:
            self.fields["site"] = _pick(_("Site"), sites)
        self.order_fields(["q", "site", "form"])
        for question in self.questions:
            self.fields[f"answer_{question.key}"] = forms.ChoiceField(
                label=question.label,
                required=False,
                choices=[("", _("All")), *listing.filter_choices(question)],
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end of the period is before its start."))
        return data

    def filters(self, user, form: Form | None = None, site: int | None = None) -> listing.Filters:
        """What the agent chose; ``site``: the only site, when there is one."""
        data = self.cleaned_data
        answers = []
        for question in self.questions:
            chosen = data.get(f"answer_{question.key}")
            if chosen:
                answers.append((question.key, listing.filter_value(question, chosen)))
        return listing.Filters(
            form=form.pk if form is not None else data.get("form"),
            site=site or data.get("site"),
            state=data.get("state") or "",
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            assignee=user.pk if data.get("mine") else None,
            closed=_tristate(data.get("closed") or ""),
            anonymised=_tristate(data.get("anonymised") or ""),
            answers=tuple(answers),
            query=data.get("q") or "",
        )


def _pick(label: str, choices) -> forms.TypedChoiceField:
    """A select of pks, "All" first."""
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All")), *choices],
    )


class ListContext:
    """What a list (and its export) is made of: the form (or None), its definition, the filter
    form bound to the query string, the scoped and filtered responses."""

    def __init__(self, request, form: Form | None):
        user = request.user
        self.form = form
        self.definition = listing.latest_definition(form) if form is not None else None
        self.questions = listing.filter_questions(self.definition)
        base = listing.visible(user)
        if form is not None:
            base = base.filter(form=form)
        self.states = listing.states(base, listing.states_cache_key(user, form))
        # Across forms: the only site's responses (an index gives their order), or a filter.
        site = listing.single_site() if form is None else None
        self.filter_form = FilterForm(
            request.GET,
            forms_=None if form is not None else listing.visible_forms(user),
            sites=listing.sites() if form is None and site is None else None,
            states=self.states,
            questions=self.questions,
        )
        self.valid = self.filter_form.is_valid()
        if self.valid:
            self.filters = self.filter_form.filters(user, form, site)
            self.queryset = listing.apply(base, self.filters, self.questions)
        else:
            self.filters = listing.Filters(form=form.pk if form is not None else None)
            self.queryset = base.none()


def query_without(request, *names: str) -> list[tuple[str, str]]:
    """The query string's pairs but ``names`` (an export carries the list's filters)."""
    return [
        (key, value) for key, values in request.GET.lists() if key not in names for value in values
    ]


# --- the lists -------------------------------------------------------------------------------


class ResponsesView(ProcessorMixin, WagtailAdminTemplateMixin, View):
    """Submitted responses, newest first: across forms, or one form's with its own columns
    and filters. One COUNT per page (the paginator's), one page of rows, the states."""

    template_name = "lutetia_forms/admin/responses/index.html"
    header_icon = "form"
    #: the status of a list whose filters are valid (an export refused shows it with 400)
    status = 200

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.form = None

    def get_page_title(self):
        if self.form is not None:
            return _("Responses to “%(form)s”") % {"form": self.form.title}
        return _("Form responses")

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if self.form is not None:
            items.append({"url": reverse("forms_admin:index"), "label": _("Form responses")})
            items.append({"url": "", "label": self.form.title})
        else:
            items.append({"url": "", "label": _("Form responses")})
        return items

    def get(self, request, pk=None):
        self.form = form_or_404(request, pk) if pk is not None else None
        made = ListContext(request, self.form)
        columns = listing.list_columns(made.definition, form=self.form is not None)
        page = listing.page(made.queryset, columns, request.GET.get("p"), PAGE_SIZE)
        context = self.get_context_data(
            form_=self.form,
            filter_form=made.filter_form,
            columns=columns,
            rows=[(response, [c.display(response) for c in columns]) for response in page],
            page=page,
            export_query=query_without(request, "p", "format", "questions", "delimiter"),
            export_url=_url("forms_admin:export", self.form),
            stats_url=_url("forms_admin:stats", self.form),
            export_form=ExportForm(per_form=self.form is not None),
        )
        return self.render_to_response(context, status=self.status if made.valid else 400)


def _url(name: str, form: Form | None) -> str:
    return reverse(name, args=[form.pk]) if form is not None else reverse(name)


# --- one response ----------------------------------------------------------------------------


def citizen_details(response: Response) -> dict:
    """Who sent it, as the page shows it."""
    owner = response.owner if response.owner_id else None
    return {
        "name": owner.get_full_name() if owner is not None else "",
        "email": listing.email_of(response),
        "account": owner is not None,
    }


def uploads_of(response: Response, definition) -> list[dict]:
    """The response's files, with the question they answer and their download address."""
    found = []
    for upload in response.uploads.order_by("created_at", "pk"):
        question = definition.question(upload.question)
        found.append(
            {
                "upload": upload,
                "question": question.label if question is not None else upload.question,
                "url": reverse("forms_admin:file", args=[response.pk, upload.uid]),
            }
        )
    return found


class ResponseView(ProcessorMixin, WagtailAdminTemplateMixin, View):
    """A response: who, when, its state, every answer by step (back-office questions
    included), its files, its PDF, and the workflow's panels (state, actions, history)."""

    template_name = "lutetia_forms/admin/responses/response.html"
    header_icon = "form"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.response = None

    def get_page_title(self):
        return _("Response %(reference)s") % {"reference": self.response.reference}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("forms_admin:index"), "label": _("Form responses")},
            {
                "url": reverse("forms_admin:form", args=[self.response.form_id]),
                "label": self.response.form.title,
            },
            {"url": "", "label": self.response.reference},
        ]

    def get(self, request, pk):
        self.response = response = response_or_404(request, pk)
        definition = services.definition_of(response.version)
        audit.personal_data_viewed(request, response)
        context = self.get_context_data(
            response=response,
            citizen=citizen_details(response),
            steps=runtime.summary(definition, response.answers, agent=True),
            uploads=uploads_of(response, definition),
            panels=resources.panels(
                resources.admin_panels, response, user=request.user, request=request
            ),
        )
        return self.render_to_response(context)


@processor_required
def download(request, pk: int, uid):
    """One file of a response, for an agent who may see the response."""
    response = response_or_404(request, pk)
    upload = Upload.objects.filter(response=response, uid=uid).first()
    if upload is None:
        raise Http404
    audit.record(
        request.user,
        "forms.file_downloaded",
        response,
        details={"file": upload.name, "question": upload.question},
        request=request,
    )
    return files.file_response(
        upload.storage_name, display_name=upload.name, content_type=upload.content_type
    )


def pdf_text(response: Response) -> str:
    """The response as the agent's PDF has it: who, when, the state, every answer (back-office
    ones included), the files' names."""
    definition = services.definition_of(response.version)
    citizen = citizen_details(response)
    lines = [
        _("Reference: %(reference)s") % {"reference": response.reference},
        _("Form: %(form)s (version %(version)s)")
        % {"form": response.form.title, "version": response.version.number},
        _("Citizen: %(citizen)s")
        % {"citizen": " ".join(p for p in (citizen["name"], citizen["email"]) if p) or "—"},
        _("Submitted on %(date)s")
        % {"date": timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M")},
        _("State: %(state)s") % {"state": response.state_label or response.state or "—"},
    ]
    if response.anonymised_at:
        lines.append(
            _("Anonymised on %(date)s")
            % {"date": timezone.localtime(response.anonymised_at).strftime("%Y-%m-%d")}
        )
    lines.append("")
    for part in runtime.summary(definition, response.answers, agent=True):
        lines.append((part.step.title or part.step.key).upper())
        lines.extend(f"{line.label}: {line.value}" for line in part.lines)
        lines.append("")
    names = [item["upload"].name for item in uploads_of(response, definition)]
    if names:
        lines.append(_("FILES"))
        lines.extend(names)
    return "\n".join(lines)


@processor_required
def response_pdf(request, pk: int):
    """The response as a PDF (to print, to attach to a paper file)."""
    response = response_or_404(request, pk)
    audit.personal_data_viewed(request, response, details={"as": "pdf"})
    content = pdf.render(response.form.title, pdf_text(response), created=response.submitted_at)
    answer = HttpResponse(content, content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{_file_name(response.reference)}.pdf"'
    answer["Cache-Control"] = "private, no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


def _file_name(text: str) -> str:
    """A file name from a reference or a slug: letters, digits, "-" and "_" only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "responses"


# --- exports ---------------------------------------------------------------------------------

CSV, CSV_SEMICOLON, XLSX = "csv", "csv-semicolon", "xlsx"
EVERY_QUESTION, LIST_COLUMNS = "all", "columns"


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            (XLSX, gettext_lazy("Excel (XLSX)")),
            (CSV, gettext_lazy("CSV, comma-separated")),
            (CSV_SEMICOLON, gettext_lazy("CSV, semicolon-separated (French Excel)")),
        ],
        initial=XLSX,
    )
    questions = forms.ChoiceField(
        label=gettext_lazy("Questions"),
        required=False,
        choices=[
            (EVERY_QUESTION, gettext_lazy("Every question")),
            (LIST_COLUMNS, gettext_lazy("Only the list's columns")),
        ],
        initial=EVERY_QUESTION,
    )

    def __init__(self, *args, per_form: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not per_form:
            del self.fields["questions"]


@processor_required
def export(request, pk: int | None = None):
    """The filtered list as CSV (streamed) or XLSX, with the chosen columns; recorded in the
    access log with the number of rows and the filters."""
    form = form_or_404(request, pk) if pk is not None else None
    made = ListContext(request, form)
    choice = ExportForm(request.GET, per_form=form is not None)
    if not made.valid or not choice.is_valid():
        messages.error(request, _("The export could not be made: check the filters and format."))
        return ResponsesView.as_view(status=400)(request, pk=pk)
    kind = choice.cleaned_data["format"]
    columns = listing.export_columns(
        made.definition,
        form=form is not None,
        every_question=choice.cleaned_data.get("questions") != LIST_COLUMNS,
    )
    audit.personal_data_exported(
        request,
        Response,
        count=made.queryset.count(),
        details={"format": kind, "filters": made.filters.described()},
    )
    name = f"{_file_name(form.slug if form else 'responses')}-{timezone.localtime():%Y%m%d-%H%M}"
    if kind == XLSX:
        return _xlsx_response(made.queryset, columns, name, title=form.title if form else "")
    delimiter = ";" if kind == CSV_SEMICOLON else ","
    answer = StreamingHttpResponse(
        exports.stream_csv(made.queryset, columns, delimiter=delimiter),
        content_type="text/csv; charset=utf-8",
    )
    answer["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return _private(answer)


def _xlsx_response(queryset, columns, name: str, *, title: str) -> FileResponse:
    """The workbook written to a temporary file (gone when the response is closed), sent."""
    handle = tempfile.TemporaryFile()
    try:
        exports.write_xlsx(queryset, columns, handle, title=title)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    answer = FileResponse(
        handle, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE
    )
    return _private(answer)


def _private(answer):
    answer["Cache-Control"] = "private, no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


# --- statistics ------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("First day"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    end = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def clean(self):
        data = super().clean()
        default = stats.default_period()
        end = data.get("end") or default.end
        start = data.get("start") or end - timedelta(days=stats.DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The end of the period is before its start."))
        if (end - start).days + 1 > stats.MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of %(days)s days at most.") % {"days": stats.MAX_DAYS}
            )
        data["period"] = stats.Period(start, end)
        return data


class StatsView(ProcessorMixin, WagtailAdminTemplateMixin, View):
    """Responses per day over a period, per state (per form, across forms), drafts in
    progress against submitted, median time to close."""

    template_name = "lutetia_forms/admin/responses/stats.html"
    header_icon = "form"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.form = None

    def get_page_title(self):
        if self.form is not None:
            return _("Statistics of “%(form)s”") % {"form": self.form.title}
        return _("Statistics of form responses")

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": reverse("forms_admin:index"), "label": _("Form responses")},
        ]
        if self.form is not None:
            items.append(
                {"url": reverse("forms_admin:form", args=[self.form.pk]), "label": self.form.title}
            )
        items.append({"url": "", "label": _("Statistics")})
        return items

    def get(self, request, pk=None):
        self.form = form_or_404(request, pk) if pk is not None else None
        period_form = PeriodForm(request.GET)
        if not period_form.is_valid():
            context = self.get_context_data(period_form=period_form, form_=self.form)
            return self.render_to_response(context, status=400)
        period = period_form.cleaned_data["period"]
        submitted = listing.visible(request.user)
        drafts = workgroups.scope(
            Response.objects.filter(status=Response.Status.DRAFT), request.user, "form__workgroup"
        )
        if self.form is not None:
            submitted, drafts = submitted.filter(form=self.form), drafts.filter(form=self.form)
        elif site := listing.single_site():  # the site index holds the period
            submitted, drafts = submitted.filter(site_id=site), drafts.filter(site_id=site)
        in_period = stats.in_period(submitted, period)
        days = stats.per_day(submitted, period)
        context = self.get_context_data(
            form_=self.form,
            period_form=period_form,
            period=period,
            days=days,
            chart=_chart(days),
            states=stats.per_state(in_period),
            per_form=stats.per_form(in_period) if self.form is None else [],
            progress=stats.progress(drafts, in_period),
            median=stats.median_time_to_close(in_period),
            list_url=_url("forms_admin:form" if self.form else "forms_admin:index", self.form),
        )
        return self.render_to_response(context)


CHART_HEIGHT = 160
CHART_BAR = 12


def _chart(days: list[stats.Bar]) -> dict:
    """The per-day bars as SVG coordinates (the table beside it is the text alternative)."""
    bars = []
    for index, bar in enumerate(days):
        height = round(bar.share * CHART_HEIGHT)
        bars.append(
            {
                "bar": bar,
                "x": index * (CHART_BAR + 2),
                "y": CHART_HEIGHT - height,
                "height": height,
            }
        )
    return {
        "bars": bars,
        "width": max(len(days) * (CHART_BAR + 2), 1),
        "height": CHART_HEIGHT,
        "bar_width": CHART_BAR,
        "highest": max((bar.count for bar in days), default=0),
        "total": sum(bar.count for bar in days),
    }
