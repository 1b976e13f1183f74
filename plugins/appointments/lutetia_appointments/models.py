"""Appointments' data.

Configuration: categories, locations, services (what a citizen books: "identity card"), one
agenda per service and location, its resources (desks, agents, rooms), its opening rules
(typical weeks over date ranges, specific days, closing days) and the slots made from them.

Booking: an appointment takes places in one or more consecutive slots. The guarantee that a
slot is never overbooked is the database's, not Python's (see docs/appointments.md):

- a slot row counts the places taken (``booked``) against its ``capacity`` and a CHECK
  constraint refuses ``booked > capacity``;
- a booking takes its places with ONE conditional UPDATE per slot
  (``booked = booked + n WHERE booked + n <= capacity AND is_open``): PostgreSQL locks the row,
  re-reads it after a concurrent writer commits and re-evaluates the condition, so the last
  place goes to exactly one of the racing transactions, whichever app server they come from;
- each taken place is also a `SlotBooking` row (the ledger), so counters can be checked.

Places an agent books beyond capacity (only where the service allows it) are counted apart in
``overbooked`` and the appointment is flagged.

After changing a model: ``lutetia makemigrations appointments``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lutetia.accounts.workgroups import WorkgroupField
from lutetia.site.timezones import default_time_zone, validate_time_zone

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _site_field():
    return models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )


class Category(models.Model):
    """A heading of the list of services ("Identity papers"), with its own limit per citizen."""

    site = _site_field()
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    max_future = models.PositiveIntegerField(
        _("future appointments per citizen"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("At most this many future appointments per citizen across the category."),
    )

    class Meta:
        verbose_name = _("appointment category")
        verbose_name_plural = _("appointment categories")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="appt_category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """Where citizens go: a town hall, an annex. Its country and region give the public
    holidays its agendas close on."""

    site = _site_field()
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=250)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    directions = models.TextField(
        _("how to get there"), blank=True, help_text=_("Public transport, access, floor.")
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=2,
        blank=True,
        default="FR",
        help_text=_("Country code (FR, HU...): its agendas close on its public holidays."),
    )
    holiday_region = models.CharField(
        _("region"),
        max_length=10,
        blank=True,
        help_text=_("Region with holidays of its own, e.g. 57 (Moselle) or 6AE (Alsace)."),
    )

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_address(self) -> str:
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.address, town) if part)


class Service(models.Model):
    """What a citizen books (Lutece's "appointment form"), with its booking rules."""

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    site = _site_field()
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("address"),
        max_length=80,
        help_text=_("The end of the service's address: /services/appointments/<address>/."),
    )
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("category"),
    )
    workgroup = WorkgroupField(
        help_text=_("Agents of this workgroup see and handle its appointments; empty: every agent.")
    )
    enabled = models.BooleanField(_("online"), default=False)
    valid_from = models.DateField(_("bookable from"), null=True, blank=True)
    valid_until = models.DateField(_("bookable until"), null=True, blank=True)
    login_required = models.BooleanField(_("sign-in required"), default=False)
    captcha = models.BooleanField(
        _("ask anonymous citizens to prove they are human"), default=False
    )
    questions = models.JSONField(
        _("questions"),
        default=list,
        blank=True,
        help_text=_("Asked after the slot is chosen, besides name, e-mail and phone."),
    )
    # --- booking rules ---
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"),
        default=60,
        help_text=_("A slot starting sooner than this cannot be booked by citizens."),
    )
    horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"),
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("How far ahead citizens may book."),
    )
    release_weekday = models.PositiveSmallIntegerField(
        _("new slots released on"),
        choices=WEEKDAYS,
        null=True,
        blank=True,
        help_text=_("Empty: slots open continuously as the horizon moves."),
    )
    release_time = models.TimeField(_("at"), null=True, blank=True)
    release_weeks = models.PositiveSmallIntegerField(
        _("weeks released each time"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
        help_text=_("Each release opens the weeks up to this many weeks after it."),
    )
    max_people = models.PositiveSmallIntegerField(
        _("people per appointment"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("One place per person is taken."),
    )
    max_slots = models.PositiveSmallIntegerField(
        _("consecutive slots per appointment"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    max_future = models.PositiveIntegerField(
        _("future appointments per citizen"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    min_days_between = models.PositiveIntegerField(
        _("minimum days between two appointments"),
        null=True,
        blank=True,
        help_text=_("Of the same citizen for this service."),
    )
    overlap_forbidden = models.BooleanField(
        _("no two overlapping appointments"),
        default=True,
        help_text=_("A citizen cannot hold two appointments at the same time, in any service."),
    )
    bo_overbooking = models.BooleanField(
        _("agents may book beyond capacity"),
        default=False,
        help_text=_("Such appointments are flagged as overbooked."),
    )
    hold_minutes = models.PositiveSmallIntegerField(
        _("slot held while filling (minutes)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    cancel_notice_hours = models.PositiveIntegerField(
        _("citizens may cancel or move until (hours before)"), default=0
    )
    reminder_hours = models.PositiveIntegerField(
        _("reminder (hours before)"),
        null=True,
        blank=True,
        default=24,
        help_text=_("Empty: no reminder."),
    )
    reminder_sms = models.BooleanField(
        _("remind by text message too"),
        default=False,
        help_text=_("When the citizen gave a mobile number."),
    )
    waiting_list = models.BooleanField(
        _("waiting list"),
        default=False,
        help_text=_("When no slot is free, citizens may ask to be offered one that frees up."),
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("a freed slot is offered for (hours)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    retention_days = models.PositiveIntegerField(
        _("citizens' details kept for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "After this many days from the appointment, the citizen's name, contact and answers "
            "are erased; the appointment stays for statistics. Empty: kept until removed."
        ),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=10,
        default="RDV",
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,9}$",
                _("Two to ten capital letters or digits, starting with a letter."),
            )
        ],
    )
    confirmation_message = models.TextField(
        _("confirmation message"),
        blank=True,
        help_text=_("Shown after booking and in the confirmation e-mail (what to bring...)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appointment service")
        verbose_name_plural = _("appointment services")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="appt_service_unique_slug")
        ]
        permissions = [
            ("manage_appointments", _("Can handle appointments")),
            ("configure_agendas", _("Can configure appointment services and agendas")),
        ]

    def __str__(self) -> str:
        return self.title


class Agenda(models.Model):
    """The slots of one service at one location, in the location's time zone."""

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="agendas", verbose_name=_("service")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="agendas", verbose_name=_("location")
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    enabled = models.BooleanField(_("open to bookings"), default=True)
    close_on_holidays = models.BooleanField(_("closed on public holidays"), default=True)

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")
        ordering = ["service", "location__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="appt_agenda_unique")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.service} — {self.location}"


class AgendaNote(models.Model):
    """A note agents leave on an agenda's calendar for one day or a period ("desk 2 under
    repair", "an interpreter comes on Tuesday"), shown to agents on the days it covers and on
    the printed day list; never to citizens (Lutece's appointment comments)."""

    agenda = models.ForeignKey(
        Agenda, on_delete=models.CASCADE, related_name="notes", verbose_name=_("agenda")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    text = models.TextField(_("text of the note"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agenda note")
        verbose_name_plural = _("agenda notes")
        ordering = ["starts_on", "pk"]
        indexes = [models.Index(fields=["agenda", "ends_on"], name="appt_note_agenda_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="appt_note_period"
            )
        ]

    def __str__(self) -> str:
        return self.text[:50]


class Resource(models.Model):
    """A desk, an agent or a room of an agenda: each gives places in every slot."""

    class Kind(models.TextChoices):
        DESK = "desk", _("desk")
        AGENT = "agent", _("agent")
        ROOM = "room", _("room")

    agenda = models.ForeignKey(
        Agenda, on_delete=models.CASCADE, related_name="resources", verbose_name=_("agenda")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DESK)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    places = models.PositiveSmallIntegerField(
        _("places per slot"), default=1, validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["agenda", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class Absence(models.Model):
    """A resource away for one day or a period (leave, training, a desk under repair): on
    those days its places leave the slots it gives places to, and no appointment is given to
    it. Opening hours with places of their own are not changed (opening.py)."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="absences", verbose_name=_("resource")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_on", "pk"]
        indexes = [models.Index(fields=["resource", "ends_on"], name="appt_absence_resource_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="appt_absence_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.starts_on}/{self.ends_on}"


class WeekRule(models.Model):
    """A typical week applied over a date range."""

    agenda = models.ForeignKey(
        Agenda, on_delete=models.CASCADE, related_name="week_rules", verbose_name=_("agenda")
    )
    name = models.CharField(_("name"), max_length=100, default="", blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("typical week")
        verbose_name_plural = _("typical weeks")
        ordering = ["agenda", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="appt_weekrule_dates",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.starts_on)


class TimeRange(models.Model):
    """Opening hours cut into slots: of a weekday in a typical week, or of one specific day."""

    rule = models.ForeignKey(
        WeekRule,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ranges",
        verbose_name=_("typical week"),
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS, null=True, blank=True)
    specific_day = models.ForeignKey(
        "SpecificDay",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ranges",
        verbose_name=_("specific day"),
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("places per slot"),
        null=True,
        blank=True,
        help_text=_("Empty: the places of the agenda's active resources."),
    )
    resources = models.ManyToManyField(
        "Resource",
        blank=True,
        related_name="ranges",
        verbose_name=_("received by"),
        help_text=_(
            "The desks, agents or rooms that receive during these hours: the slots have their "
            "places. None ticked: every active one."
        ),
    )

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appt_range_order"
            ),
            models.CheckConstraint(
                condition=(
                    Q(rule__isnull=False, weekday__isnull=False, specific_day__isnull=True)
                    | Q(rule__isnull=True, weekday__isnull=True, specific_day__isnull=False)
                ),
                name="appt_range_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class SpecificDay(models.Model):
    """A day whose hours differ from its typical week (its ranges replace the week's)."""

    agenda = models.ForeignKey(
        Agenda, on_delete=models.CASCADE, related_name="specific_days", verbose_name=_("agenda")
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("specific day")
        verbose_name_plural = _("specific days")
        ordering = ["agenda", "date"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "date"], name="appt_specificday_unique")
        ]

    def __str__(self) -> str:
        return str(self.date)


class ClosingDay(models.Model):
    """A day an agenda is closed (besides public holidays)."""

    agenda = models.ForeignKey(
        Agenda, on_delete=models.CASCADE, related_name="closing_days", verbose_name=_("agenda")
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        ordering = ["agenda", "date"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "date"], name="appt_closingday_unique")
        ]

    def __str__(self) -> str:
        return str(self.date)


class Slot(models.Model):
    """A bookable period of an agenda, made from its rules: its capacity and places taken."""

    agenda = models.ForeignKey(
        Agenda, on_delete=models.CASCADE, related_name="slots", verbose_name=_("agenda")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    #: the local date, in the agenda's zone (calendars read by day)
    day = models.DateField(_("day"))
    capacity = models.PositiveIntegerField(_("places"))
    #: places added by hand on top of the rules ("add a desk for the day")
    added = models.IntegerField(_("places added"), default=0)
    booked = models.PositiveIntegerField(_("places taken"), default=0)
    overbooked = models.PositiveIntegerField(_("places beyond capacity"), default=0)
    is_open = models.BooleanField(_("open"), default=True)
    #: opened or closed by hand: the rules leave it so
    manual = models.BooleanField(_("changed by hand"), default=False)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["agenda", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "starts_at"], name="appt_slot_unique"),
            # The guarantee: never more places taken than there are.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appt_slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appt_slot_order"),
        ]
        indexes = [
            models.Index(fields=["agenda", "day"], name="appt_slot_day"),
            models.Index(
                fields=["agenda", "starts_at"],
                name="appt_slot_free",
                condition=Q(is_open=True, booked__lt=F("capacity")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0) if self.is_open else 0


class Appointment(models.Model):
    """A citizen's appointment: held while they fill the questions, then booked."""

    class Status(models.TextChoices):
        HELD = "held", _("held")
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    class Presence(models.TextChoices):
        UNKNOWN = "", _("not recorded")
        ARRIVED = "arrived", _("arrived")
        NO_SHOW = "no_show", _("did not come")

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    site = _site_field()
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("service")
    )
    agenda = models.ForeignKey(
        Agenda, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("agenda")
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("resource"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    reference = models.CharField(_("reference"), max_length=24, blank=True, default="")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    people = models.PositiveSmallIntegerField(_("people"), default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("citizen"),
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    #: the token of the page that asked for it: the same request twice books once
    client_token = models.CharField(max_length=64, blank=True, default="")
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    #: sha256 of the secret in the citizen's cancel / reschedule links
    secret_hash = models.CharField(max_length=64, blank=True, db_index=True)
    overbooked = models.BooleanField(_("overbooked"), default=False)
    presence = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, blank=True, default=""
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by agent"),
    )
    workgroup = WorkgroupField()
    # the workflow's copy (ResourceType.status_changed)
    state = models.CharField(_("state"), max_length=100, blank=True)
    state_label = models.CharField(_("public status"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    #: grows with each change the citizen is told of (the SEQUENCE of its .ics)
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: when the citizen's details were erased (the service's retention period)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    search_text = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "client_token"],
                name="appt_appointment_unique_token",
                condition=~Q(client_token=""),
            ),
            models.UniqueConstraint(
                fields=["site", "reference"],
                name="appt_appointment_unique_reference",
                condition=~Q(reference=""),
            ),
        ]
        indexes = [
            models.Index(fields=["agenda", "starts_at"], name="appt_appt_agenda"),
            models.Index(fields=["owner", "starts_at"], name="appt_appt_owner"),
            models.Index(fields=["email", "starts_at"], name="appt_appt_email"),
            models.Index(
                fields=["hold_expires_at"],
                name="appt_appt_holds",
                condition=Q(status="held"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(self.uid)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.HELD, self.Status.BOOKED)


class SlotBooking(models.Model):
    """The ledger: the places one appointment takes in one slot."""

    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("appointment"),
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot")
    )
    places = models.PositiveSmallIntegerField(_("places"))
    beyond_capacity = models.BooleanField(_("beyond capacity"), default=False)

    class Meta:
        verbose_name = _("place taken")
        verbose_name_plural = _("places taken")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "slot"], name="appt_booking_unique")
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id} × {self.places} @ {self.slot_id}"


class Booker(models.Model):
    """One row per citizen (account or e-mail address) and site, locked by each of their
    bookings: their limits (future appointments, days between, overlaps) are checked one
    booking at a time, even when two arrive at once."""

    site = _site_field()
    key = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "key"], name="appt_booker_unique")]

    def __str__(self) -> str:
        return self.key


class WaitingEntry(models.Model):
    """A citizen waiting for a slot of a service to free up."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        OFFERED = "offered", _("offered a slot")
        BOOKED = "booked", _("booked")
        LEFT = "left", _("left the list")

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    site = _site_field()
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="waiting", verbose_name=_("service")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("citizen"),
    )
    email = models.EmailField(_("e-mail"))
    people = models.PositiveSmallIntegerField(_("people"), default=1)
    earliest = models.DateField(_("from"), null=True, blank=True)
    latest = models.DateField(_("until"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    offer = models.ForeignKey(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("slot offered"),
    )
    secret_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["service", "status", "created_at"], name="appt_wait")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.email}"
