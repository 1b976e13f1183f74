"""Form responses are resources: a workflow processes them, citizens follow them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lutetia.resources import FieldInfo, ResourceType, resource_types

from . import services
from .models import Form, Response
from .questions import question_types

#: question type → the kind of field conditions see
KINDS = {
    "number": "number",
    "computed": "number",
    "date": "date",
    "choice": "choice",
    "yes_no": "boolean",
}


TYPE = "forms.response"


def form_scope(form_id: int) -> str:
    """The workflow scope of a form's responses."""
    return f"form:{form_id}"


@resource_types.register(TYPE)
class FormResponseResource(ResourceType):
    model = Response
    verbose_name = _("form response")

    def title(self, obj):
        return obj.form.title

    def contact_email(self, obj):
        if obj.owner_id and obj.owner and obj.owner.email:
            return obj.owner.email
        return obj.email

    def language(self, obj):
        return obj.language or super().language(obj)

    def front_url(self, obj):
        return reverse("forms:response", args=[obj.uid])

    def admin_url(self, obj):
        return reverse("forms_admin:response", args=[obj.pk])

    def fields(self, obj=None):
        """The answers of the form's questions (the latest version's when no object is given)."""
        if obj is None:
            return []
        definition = services.definition_of(obj.version)
        found = []
        for question in definition.questions:
            kind = question_types.get(question.type)
            if kind is None or not kind.input or question.type in ("group", "table", "file"):
                continue
            choices = ()
            if question.type == "choice":
                from .questions.builtin import choices_of

                choices = tuple(choices_of(question))
            found.append(
                FieldInfo(
                    question.key,
                    question.label,
                    kind=KINDS.get(question.type, "text"),
                    choices=choices,
                    writable=question.backoffice_only
                    and question.type in ("text", "textarea", "number", "choice", "date", "yes_no"),
                )
            )
        return found

    def values(self, obj):
        return {info.name: obj.answers.get(info.name) for info in self.fields(obj)}

    def set_value(self, obj, name, value):
        writable = {info.name for info in self.fields(obj) if info.writable}
        if name not in writable:
            raise ValueError(f"{self.id}: the answer {name!r} cannot be changed by a workflow")
        answers = dict(obj.answers)
        answers[name] = value
        obj.answers = answers
        obj.save(update_fields=["answers"])

    def workflow_scope(self, obj):
        return form_scope(obj.form_id)

    def workflow_scopes(self):
        scopes = [("", str(_("every form")))]
        scopes += [(form_scope(form.pk), form.title) for form in Form.objects.order_by("title")]
        return scopes

    def status_changed(self, obj, *, state, label, final, assignee=None):
        services.set_status(obj, state=state, label=label, final=final, assignee=assignee)

    def reopen(self, obj, *, message, until):
        return services.reopen(obj, message=message, until=until)

    def anonymise(self, obj):
        services.anonymise(obj, reason="workflow")
