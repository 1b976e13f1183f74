"""The task types every workflow can use."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.accounts.models import Workgroup

from ..configs import CommaSeparated, ConfigForm
from ..definition import DefinitionError
from ..templating import TemplateTextField, render
from . import TaskFailed, TaskOutcome, TaskType, register

CHANNELS = [
    ("email", gettext_lazy("E-mail")),
    ("sms", gettext_lazy("SMS")),
    ("inapp", gettext_lazy("In-app notification")),
]


def workgroup_field() -> forms.ModelChoiceField:
    """A workgroup kept in the configuration by its code (portable between cities)."""
    return forms.ModelChoiceField(
        label=gettext_lazy("Workgroup"),
        queryset=Workgroup.objects.all(),
        to_field_name="code",
        required=False,
    )


def require_workgroup(form: forms.Form, data: dict, needed: bool) -> None:
    if needed and not data.get("workgroup"):
        form.add_error("workgroup", _("Choose the workgroup."))


# --- notify the citizen ----------------------------------------------------------------------


class NotifyCitizenForm(ConfigForm):
    channels = forms.MultipleChoiceField(label=gettext_lazy("Channels"), choices=CHANNELS)
    subject = TemplateTextField(label=gettext_lazy("Subject"), max_length=200)
    body = TemplateTextField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea,
        max_length=5000,
        help_text=gettext_lazy(
            "Placeholders: {{ reference }}, {{ title }}, {{ state }}, {{ link }}, {{ site_name }}, "
            "{{ comment }}, {{ fields.<name> }}, {{ data.<name> }}."
        ),
    )


@register("notify_citizen")
class NotifyCitizen(TaskType):
    verbose_name = gettext_lazy("Notify the citizen")
    description = gettext_lazy(
        "An e-mail, an SMS or an in-app message, written with the case's fields."
    )
    form_class = NotifyCitizenForm

    def run(self, context, config):
        from lutetia import notify

        subject, body = context.render(config["subject"], config["body"], for_citizen=True)
        subject = subject.strip()
        sent = []
        source = context.source
        if "email" in config["channels"]:
            address = context.resource_type.contact_email(context.resource)
            if address:
                notify.email([address], subject, body, site=context.site, source=source)
                sent.append(_("e-mail"))
        if "sms" in config["channels"]:
            phone = context.resource_type.contact_phone(context.resource)
            if phone:
                notify.sms(phone, body, site=context.site, source=source)
                sent.append(_("SMS"))
        if "inapp" in config["channels"] and context.case.owner is not None:
            notify.inapp(
                context.case.owner,
                subject,
                body,
                url=context.absolute(context.resource_type.front_url(context.resource)),
                site=context.site,
                source=source,
            )
            sent.append(_("in-app"))
        if not sent:
            return TaskOutcome(_("Not notified: the citizen left no address for these channels."))
        return TaskOutcome(
            _("Citizen notified (%(channels)s): %(subject)s")
            % {"channels": ", ".join(sent), "subject": subject},
            public=True,
        )


# --- notify agents -------------------------------------------------------------------------


class NotifyAgentsForm(ConfigForm):
    recipients = forms.ChoiceField(
        label=gettext_lazy("To"),
        choices=[
            ("case_workgroup", gettext_lazy("The agents of the case's workgroup")),
            ("workgroup", gettext_lazy("The agents of a workgroup")),
            ("assignee", gettext_lazy("The agent the case is assigned to")),
            ("addresses", gettext_lazy("E-mail addresses")),
        ],
    )
    workgroup = workgroup_field()
    addresses = CommaSeparated(label=gettext_lazy("E-mail addresses"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=CHANNELS[::2])
    subject = TemplateTextField(label=gettext_lazy("Subject"), max_length=200)
    body = TemplateTextField(label=gettext_lazy("Message"), widget=forms.Textarea, max_length=5000)

    def clean(self):
        data = super().clean()
        require_workgroup(self, data, data.get("recipients") == "workgroup")
        if data.get("recipients") == "addresses":
            for address in data.get("addresses") or []:
                try:
                    forms.EmailField().clean(address)
                except forms.ValidationError:
                    self.add_error(
                        "addresses",
                        _("%(address)s is not an e-mail address.") % {"address": address},
                    )
            if not data.get("addresses"):
                self.add_error("addresses", _("Give at least one address."))
        if data.get("channel") == "inapp" and data.get("recipients") == "addresses":
            self.add_error(
                "channel", _("In-app messages go to agents' accounts, not to addresses.")
            )
        return data


@register("notify_agents")
class NotifyAgents(TaskType):
    verbose_name = gettext_lazy("Notify agents")
    description = gettext_lazy("Tell a workgroup, the assigned agent or given addresses.")
    form_class = NotifyAgentsForm

    def _agents(self, context, config):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(is_active=True, is_staff=True)
        kind = config["recipients"]
        if kind == "case_workgroup":
            if context.case.workgroup_id is None:
                return []
            return list(users.filter(workgroups=context.case.workgroup_id))
        if kind == "workgroup":
            return list(users.filter(workgroups__code=config["workgroup"]))
        if kind == "assignee":
            return [context.case.assignee] if context.case.assignee_id else []
        return []

    def run(self, context, config):
        from lutetia import notify

        subject, body = context.render(config["subject"], config["body"])
        subject = subject.strip()
        source = context.source
        admin_url = context.absolute(reverse("workflow_case", args=[context.case.pk]))
        if config["recipients"] == "addresses":
            notify.email(config["addresses"], subject, body, site=context.site, source=source)
            count = len(config["addresses"])
        else:
            agents = self._agents(context, config)
            for agent in agents:
                if config["channel"] == "inapp":
                    notify.inapp(
                        agent, subject, body, url=admin_url, site=context.site, source=source
                    )
                else:
                    notify.email(
                        [agent.email], subject, body, site=context.site, user=agent, source=source
                    )
            count = len(agents)
        return TaskOutcome(
            _("%(count)s agent(s) notified: %(subject)s") % {"count": count, "subject": subject}
        )


# --- comment -------------------------------------------------------------------------------


class CommentConfigForm(ConfigForm):
    visible_to_citizen = forms.BooleanField(
        label=gettext_lazy("Visible to the citizen"), required=False
    )
    required = forms.BooleanField(label=gettext_lazy("The comment is required"), required=False)


@register("comment")
class Comment(TaskType):
    verbose_name = gettext_lazy("Agent comment")
    description = gettext_lazy("The agent writes a comment, internal or visible to the citizen.")
    form_class = CommentConfigForm

    def agent_form(self, config):
        class CommentForm(forms.Form):
            comment = forms.CharField(
                label=_("Comment visible to the citizen")
                if config.get("visible_to_citizen")
                else _("Internal comment"),
                widget=forms.Textarea(attrs={"rows": 4}),
                required=bool(config.get("required")),
                max_length=5000,
            )

        return CommentForm

    def can_run_unattended(self, config):
        return not config.get("required")

    def run(self, context, config):
        text = (context.input.get("comment") or "").strip()
        if not text:
            return TaskOutcome()
        context.comment = (context.comment + "\n\n" + text).strip()
        context.comment_public = context.comment_public or bool(config.get("visible_to_citizen"))
        return TaskOutcome(_("Comment written."))


# --- assign --------------------------------------------------------------------------------


class AssignForm(ConfigForm):
    mode = forms.ChoiceField(
        label=gettext_lazy("Assign"),
        choices=[
            ("workgroup", gettext_lazy("to a workgroup")),
            ("actor", gettext_lazy("to the agent doing the action")),
            ("choose", gettext_lazy("to a workgroup the agent chooses")),
            ("unassign", gettext_lazy("to nobody (release the agent)")),
        ],
    )
    workgroup = workgroup_field()

    def clean(self):
        data = super().clean()
        require_workgroup(self, data, data.get("mode") == "workgroup")
        return data


@register("assign")
class Assign(TaskType):
    verbose_name = gettext_lazy("Assign")
    description = gettext_lazy("Give the case to a workgroup or an agent.")
    form_class = AssignForm

    def agent_form(self, config):
        if config["mode"] != "choose":
            return None

        class ChooseWorkgroup(forms.Form):
            workgroup = forms.ModelChoiceField(
                label=_("Workgroup"), queryset=Workgroup.objects.order_by("name")
            )

        return ChooseWorkgroup

    def can_run_unattended(self, config):
        return config["mode"] in ("workgroup", "unassign")

    def run(self, context, config):
        case = context.case
        mode = config["mode"]
        if mode == "actor":
            if context.actor is None or not context.actor.is_authenticated:
                raise TaskFailed(_("No agent to assign the case to."))
            case.assignee = context.actor
            return TaskOutcome(
                _("Assigned to %(agent)s.")
                % {"agent": context.actor.get_full_name() or context.actor.email}
            )
        if mode == "unassign":
            case.assignee = None
            return TaskOutcome(_("No longer assigned to an agent."))
        if mode == "choose":
            workgroup = context.input.get("workgroup")
        else:
            workgroup = Workgroup.objects.filter(code=config["workgroup"]).first()
        if workgroup is None:
            raise TaskFailed(_("The workgroup to assign to no longer exists."))
        case.workgroup = workgroup
        case.assignee = None
        if hasattr(context.resource, "workgroup_id"):
            context.resource.workgroup = workgroup
            context.resource.save(update_fields=["workgroup"])
        return TaskOutcome(
            _("Assigned to the workgroup %(workgroup)s.") % {"workgroup": workgroup.name}
        )


# --- choose the next state -------------------------------------------------------------------


class ChooseStateForm(ConfigForm):
    rules = forms.JSONField(
        label=gettext_lazy("Rules"),
        help_text=gettext_lazy(
            'A list of {"conditions": {...}, "state": "key"}: the first rule whose conditions hold wins.'
        ),
    )
    default = forms.CharField(
        label=gettext_lazy("Otherwise, the state"), max_length=50, required=False
    )


@register("choose_state")
class ChooseState(TaskType):
    verbose_name = gettext_lazy("Choose the next state by rules")
    description = gettext_lazy(
        "The first rule that holds gives the next state; otherwise the action's target."
    )
    form_class = ChooseStateForm

    def clean(self, config):
        from ..conditions import clean_conditions

        rules = config["rules"]
        if not isinstance(rules, list) or not rules:
            raise DefinitionError(_("Choose the next state: give at least one rule."))
        cleaned = []
        for position, rule in enumerate(rules, 1):
            where = _("Rule %(n)s") % {"n": position}
            if (
                not isinstance(rule, dict)
                or not isinstance(rule.get("state"), str)
                or "conditions" not in rule
            ):
                raise DefinitionError(
                    _("%(where)s: a rule has conditions and a state.") % {"where": where}
                )
            cleaned.append(
                {"conditions": clean_conditions(rule["conditions"], where), "state": rule["state"]}
            )
        return {"rules": cleaned, "default": config.get("default", "")}

    def run(self, context, config):
        from ..conditions import holds

        for rule in config["rules"]:
            if holds(rule["conditions"], context):
                context.next_state = rule["state"]
                break
        else:
            context.next_state = config.get("default") or ""
        if not context.next_state:
            return TaskOutcome(_("No rule applied: the action's own target."))
        state = context.definition.state(context.next_state)
        return TaskOutcome(
            _("Next state chosen: %(state)s")
            % {"state": state.name if state else context.next_state}
        )


# --- ask the agent for fields ---------------------------------------------------------------

FIELD_KINDS = {
    "text": lambda label, required, choices: forms.CharField(
        label=label, required=required, max_length=1000
    ),
    "number": lambda label, required, choices: forms.DecimalField(label=label, required=required),
    "date": lambda label, required, choices: forms.DateField(label=label, required=required),
    "yes_no": lambda label, required, choices: forms.BooleanField(label=label, required=required),
    "choice": lambda label, required, choices: forms.ChoiceField(
        label=label, required=required, choices=[("", "—")] + [(c, c) for c in choices]
    ),
}


class AgentFieldsForm(ConfigForm):
    fields = forms.JSONField(
        label=gettext_lazy("Fields"),
        help_text=gettext_lazy(
            'A list of {"name": "amount", "label": "Amount granted", "kind": "number", '
            '"required": true}; kinds: text, number, date, yes_no, choice (with "choices").'
        ),
    )


@register("agent_fields")
class AgentFields(TaskType):
    verbose_name = gettext_lazy("Ask the agent for fields")
    description = gettext_lazy(
        "The agent fills fields kept with the case (conditions and messages can use them)."
    )
    form_class = AgentFieldsForm

    def clean(self, config):
        from ..definition import KEY

        fields = config["fields"]
        if not isinstance(fields, list) or not fields:
            raise DefinitionError(_("Ask the agent for fields: give at least one field."))
        cleaned = []
        for field in fields:
            if (
                not isinstance(field, dict)
                or not KEY.match(str(field.get("name", "")))
                or field.get("kind", "text") not in FIELD_KINDS
                or not str(field.get("label", "")).strip()
            ):
                raise DefinitionError(
                    _(
                        "Ask the agent for fields: each field has a name (lower-case key), a label and a known kind."
                    )
                )
            cleaned.append(
                {
                    "name": field["name"],
                    "label": str(field["label"]).strip(),
                    "kind": field.get("kind", "text"),
                    "required": bool(field.get("required", False)),
                    "choices": [str(c) for c in field.get("choices", [])],
                }
            )
        return {"fields": cleaned}

    def agent_form(self, config):
        declared = {
            field["name"]: FIELD_KINDS[field["kind"]](
                field["label"], field["required"], field["choices"]
            )
            for field in config["fields"]
        }
        return type("AgentFields", (forms.Form,), declared)

    def can_run_unattended(self, config):
        return False

    def run(self, context, config):
        data = dict(context.case.data)
        for field in config["fields"]:
            value = context.input.get(field["name"])
            data[field["name"]] = (
                value.isoformat()
                if hasattr(value, "isoformat")
                else (str(value) if value is not None and not isinstance(value, bool) else value)
            )
        context.case.data = data
        return TaskOutcome(
            _("Fields filled: %(names)s")
            % {"names": ", ".join(f["label"] for f in config["fields"])}
        )


# --- ask the citizen -----------------------------------------------------------------------


class AskCitizenForm(ConfigForm):
    message = TemplateTextField(
        label=gettext_lazy("What the citizen is asked"), widget=forms.Textarea, max_length=5000
    )
    deadline_days = forms.IntegerField(
        label=gettext_lazy("Days to answer"), min_value=1, max_value=365, initial=15
    )
    then_action = forms.CharField(
        label=gettext_lazy("Action when the citizen answers"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Key of a citizen action of this workflow (e.g. “completed”)."),
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@register("ask_citizen")
class AskCitizen(TaskType):
    verbose_name = gettext_lazy("Ask the citizen for more information")
    description = gettext_lazy(
        "The citizen gets a secret link to answer (and to correct their resource when its type allows) before a deadline."
    )
    form_class = AskCitizenForm

    def run(self, context, config):
        from lutetia import notify

        from ..engine import in_citizen_language
        from ..models import CitizenRequest

        address = context.resource_type.contact_email(context.resource)
        if not address:
            raise TaskFailed(_("The citizen left no e-mail address to send the request to."))
        token = secrets.token_urlsafe(32)
        deadline = context.now + timedelta(days=config["deadline_days"])
        [message] = context.render(config["message"], for_citizen=True)
        CitizenRequest.objects.create(
            case=context.case,
            token_hash=token_hash(token),
            message=message,
            deadline=deadline,
            then_action=config.get("then_action", ""),
        )
        link = context.absolute(reverse("workflow:answer", args=[token]))
        try:
            correction = context.resource_type.reopen(
                context.resource, message=message, until=deadline
            )
        except NotImplementedError:
            correction = ""
        with in_citizen_language(context):
            from django.template.loader import render_to_string

            body = render_to_string(
                "lutetia_workflow/email/ask_citizen.txt",
                {
                    "message": message,
                    "link": link,
                    "correction": context.absolute(correction),
                    "deadline": deadline,
                    "reference": context.case.reference,
                    "site_name": context.case.site.site_name,
                },
            )
            subject = _("Your request %(reference)s: information needed") % {
                "reference": context.case.reference
            }
        notify.email([address], subject, body, site=context.site, source=context.source)
        context.details["deadline"] = deadline.isoformat()
        return TaskOutcome(
            _("Information asked of the citizen: %(message)s") % {"message": message[:200]},
            public=True,
        )


# --- change a resource field -----------------------------------------------------------------


class SetFieldForm(ConfigForm):
    field = forms.CharField(label=gettext_lazy("Field"), max_length=100)
    value = TemplateTextField(label=gettext_lazy("New value"), max_length=1000, required=False)


@register("set_field")
class SetField(TaskType):
    verbose_name = gettext_lazy("Change a field of the resource")
    form_class = SetFieldForm

    def run(self, context, config):
        value = render(config["value"], context.variables())
        try:
            context.resource_type.set_value(context.resource, config["field"], value)
        except Exception as exc:
            if (
                isinstance(exc, (ValueError, LookupError))
                or exc.__class__.__name__ == "ValidationError"
            ):
                raise TaskFailed(
                    _("The field “%(field)s” could not take the value “%(value)s”.")
                    % {"field": config["field"], "value": value}
                ) from exc
            raise
        return TaskOutcome(
            _("%(field)s set to “%(value)s”.") % {"field": config["field"], "value": value}
        )


# --- generate a PDF -----------------------------------------------------------------------


class AttachPdfForm(ConfigForm):
    title = TemplateTextField(label=gettext_lazy("Title"), max_length=200)
    body = TemplateTextField(label=gettext_lazy("Text"), widget=forms.Textarea, max_length=20000)
    file_name = forms.SlugField(label=gettext_lazy("File name (without .pdf)"), max_length=80)
    visible_to_citizen = forms.BooleanField(
        label=gettext_lazy("The citizen can download it"), required=False
    )


@register("attach_pdf")
class AttachPdf(TaskType):
    verbose_name = gettext_lazy("Attach a generated PDF")
    description = gettext_lazy(
        "A document written with the case's fields (a decision, a receipt), kept with the case."
    )
    form_class = AttachPdfForm

    def run(self, context, config):
        from lutetia import pdf

        from ..models import CaseDocument

        title, body = context.render(config["title"], config["body"], for_citizen=True)
        title = title.strip()
        name = f"{config['file_name']}-{context.case.reference}.pdf"
        CaseDocument.objects.create(
            case=context.case,
            name=name[:200],
            title=title[:200],
            content=pdf.render(title, body, created=context.now),
            public=bool(config.get("visible_to_citizen")),
        )
        return TaskOutcome(
            _("Document attached: %(name)s") % {"name": name},
            public=bool(config.get("visible_to_citizen")),
        )


# --- webhook -------------------------------------------------------------------------------


class WebhookForm(ConfigForm):
    url = forms.URLField(label=gettext_lazy("Address"), assume_scheme="https", max_length=500)
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "The receiver checks the X-Lutetia-Signature header with it. Not exported."
        ),
    )


@register("webhook")
class Webhook(TaskType):
    verbose_name = gettext_lazy("Call a webhook")
    description = gettext_lazy(
        "POST the case as JSON to an address, signed, retried until it answers."
    )
    form_class = WebhookForm

    def run(self, context, config):
        from lutetia import notify

        case = context.case
        payload = {
            "event": "workflow.action",
            "case": case.pk,
            "resource_type": case.resource_type,
            "resource": case.resource_id,
            "reference": case.reference,
            "action": context.action.key if context.action else "",
            "state": context.action.target if context.action else case.state,
            "at": context.now.isoformat(),
        }
        notify.webhook(
            config["url"],
            json.loads(json.dumps(payload)),
            secret=config.get("secret", ""),
            site=context.site,
            source=context.source,
        )
        return TaskOutcome(_("Webhook queued for %(url)s.") % {"url": config["url"]})


# --- archive and anonymise -----------------------------------------------------------------


@register("archive")
class Archive(TaskType):
    verbose_name = gettext_lazy("Archive")
    description = gettext_lazy("The case leaves the work queues; no action applies to it any more.")

    def run(self, context, config):
        context.case.closed_at = context.now
        return TaskOutcome(_("Archived."), public=True)


@register("anonymise")
class Anonymise(TaskType):
    verbose_name = gettext_lazy("Anonymise")
    description = gettext_lazy(
        "Erase the citizen's personal data from the resource and the case's history."
    )

    def run(self, context, config):
        try:
            context.resource_type.anonymise(context.resource)
        except NotImplementedError as exc:
            raise TaskFailed(_("This kind of resource cannot be anonymised.")) from exc
        case = context.case
        case.owner = None
        case.title = ""
        case.history.update(comment="")
        case.requests.update(message="", answer="")
        return TaskOutcome(_("Personal data erased."))
