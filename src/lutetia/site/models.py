"""The front-office site: page types, the site's identity, menus and footer."""

from __future__ import annotations

from itertools import groupby

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import body_blocks
from .current import CachedSiteSetting
from .forms import NavigationForm, TimeZoneSelect
from .timezones import default_time_zone, validate_time_zone


class CacheablePageMixin:
    """Marks a public page's response as cacheable for anonymous visitors (see `cache.py`)."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if not self.get_view_restrictions().exists():
            request.lutetia_page_cacheable = True
        return response


class HomePage(CacheablePageMixin, Page):
    """The home page of a site, one per language."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(body_blocks(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class ContentPage(CacheablePageMixin, Page):
    """A page of content made of blocks: a procedure explained, a department, a FAQ."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(body_blocks(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")


class NewsIndexPage(CacheablePageMixin, Page):
    """The list of news, newest first, paginated."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["lutetia_site.NewsPage"]
    per_page = 10

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        context["news_page"] = Paginator(news, self.per_page).get_page(request.GET.get("page"))
        return context


class NewsPage(CacheablePageMixin, Page):
    """A news item: dated, summarised, made of blocks."""

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(body_blocks(), verbose_name=_("content"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["lutetia_site.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class ServiceDirectoryPage(CacheablePageMixin, Page):
    """Every online service the enabled plugins offer, grouped by category."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("service directory")
        verbose_name_plural = _("service directories")

    def get_context(self, request, *args, **kwargs):
        from wagtail.models import Site

        from .services import services_for

        context = super().get_context(request, *args, **kwargs)
        services = services_for(Site.find_for_request(request) or self.get_site(), request)
        context["service_groups"] = [
            (category, list(items))
            for category, items in groupby(services, key=lambda s: str(s.category))
        ]
        return context


@register_setting(icon="site")
class SiteIdentity(CachedSiteSetting):
    """Who the site belongs to: shown in the header, footer and e-mails."""

    name = models.CharField(_("name"), max_length=120, default="Lutetia")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    # Validated against the tz database at run time, not with model choices: the list changes
    # with the machine's tz data, and must not change the migrations.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_(
            "Dates and times are shown in this zone to visitors who have not chosen their own."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("tagline"),
        FieldPanel("logo"),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("address")],
            heading=_("Contact"),
        ),
        FieldPanel("time_zone", widget=TimeZoneSelect),
    ]

    class Meta:
        verbose_name = _("site identity")


@register_setting(icon="list-ul")
class Navigation(CachedSiteSetting, ClusterableModel):
    """The main menu and the footer of a site, edited in the back office."""

    footer_text = RichTextField(_("footer text"), blank=True, features=["bold", "italic", "link"])

    base_form_class = NavigationForm

    panels = [
        InlinePanel("menu_items", label=_("Main menu")),
        InlinePanel("footer_links", label=_("Footer links")),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("menus and footer")


class LinkFields(models.Model):
    """A link to a page, to a plugin's service, or to an address."""

    label = models.CharField(
        _("text"),
        max_length=80,
        blank=True,
        help_text=_("Leave empty for a page: its title, in the visitor's language, is shown."),
    )
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    service = models.CharField(
        _("online service"),
        max_length=150,
        blank=True,
        help_text=_(
            "One of the services the switched-on plugins offer; hidden while its plugin is off."
        ),
    )
    link_url = models.URLField(_("address"), blank=True)

    panels = [
        FieldPanel("label"),
        FieldPanel("link_page"),
        FieldPanel("service"),
        FieldPanel("link_url"),
    ]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label or (
            self.link_page.title if self.link_page_id else self.service or self.link_url
        )

    def clean(self):
        targets = [bool(self.link_page_id), bool(self.service), bool(self.link_url)]
        if sum(targets) != 1:
            raise ValidationError(
                _("Choose exactly one of a page, an online service or an address.")
            )
        if (self.link_url or self.service) and not self.label:
            raise ValidationError({"label": _("Give the link a text.")})


class MenuItem(Orderable, LinkFields):
    """An entry of the main menu."""

    navigation = ParentalKey(Navigation, on_delete=models.CASCADE, related_name="menu_items")


class FooterLink(Orderable, LinkFields):
    """A link at the foot of every page (legal notice, accessibility, …)."""

    navigation = ParentalKey(Navigation, on_delete=models.CASCADE, related_name="footer_links")


class PageCacheGeneration(models.Model):
    """One row whose number changes whenever published content does: it keys the page cache.

    A row in the database (not a cache entry) so that every server process, whatever its
    cache backend, sees a publish at once.
    """

    generation = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("page cache generation")

    def __str__(self) -> str:
        return str(self.generation)
