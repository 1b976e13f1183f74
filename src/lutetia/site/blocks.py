"""StreamField blocks of content pages (Lutece "portlets")."""

from __future__ import annotations

import hashlib

from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


def localized_root(site, locale_id=None):
    """The root page of ``site`` in the locale ``locale_id`` (the site's own root if untranslated)."""
    root = site.root_page
    if locale_id is None or root.locale_id == locale_id:
        return root
    from wagtail.models import Page

    return (
        Page.objects.filter(translation_key=root.translation_key, locale_id=locale_id).first()
        or root
    )


def site_of(parent_context):
    """The wagtail Site a block is rendered for, from the template context (None outside a request)."""
    from wagtail.models import Site

    request = (parent_context or {}).get("request")
    return Site.find_for_request(request) if request is not None else None


class LinkValue(blocks.StructValue):
    """A link that follows the visitor's language: a chosen page is replaced by its translation.

    ``href`` is empty when the page is not live (the template then shows no link).
    """

    @cached_property
    def target_page(self):
        page = self.get("page")
        return page.localized if page is not None else None

    @cached_property
    def href(self) -> str:
        page = self.target_page
        if page is not None:
            return (page.url or "") if page.live else ""
        return self.get("url") or ""

    @cached_property
    def text(self) -> str:
        if self.get("label"):
            return self["label"]
        if self.target_page is not None:
            return self.target_page.title
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("or address"), required=False)
    label = blocks.CharBlock(label=_("Link text"), max_length=80, required=False)

    def __init__(self, local_blocks=None, required=True, **kwargs):
        self.link_required = required
        super().__init__(local_blocks, **kwargs)

    class Meta:
        label = _("Link")
        value_class = LinkValue

    @property
    def required(self):
        return self.link_required

    def clean(self, value):
        value = super().clean(value)
        if value.get("page") and value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "url": blocks.BlockValidationError(
                        _("Choose a page or give an address, not both.")
                    )
                }
            )
        if (
            not value.get("page")
            and not value.get("url")
            and (self.link_required or value.get("label"))
        ):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": blocks.BlockValidationError(_("Choose a page or give an address."))
                }
            )
        return value


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    link = LinkBlock()

    class Meta:
        label = _("Call to action")
        icon = "pick"
        template = "lutetia_site/blocks/call_to_action.html"


class CardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    image = ImageChooserBlock(label=_("Image"), required=False)
    link = LinkBlock(required=False, help_text=_("The card's title becomes the link."))

    class Meta:
        label = _("Card")


class CardsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    cards = blocks.ListBlock(CardBlock(), label=_("Cards"), min_num=1)

    class Meta:
        label = _("Cards")
        icon = "table"
        template = "lutetia_site/blocks/cards.html"


class ServicesBlock(blocks.StructBlock):
    """The online services of the plugins switched on for the site, optionally of one category."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    category = blocks.CharBlock(
        label=_("Only this category"),
        required=False,
        max_length=80,
        help_text=_("Empty: every service."),
    )

    class Meta:
        label = _("List of services")
        icon = "list-ul"
        template = "lutetia_site/blocks/services.html"

    def get_context(self, value, parent_context=None):
        from .services import services_for

        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        services = services_for(site_of(parent_context), request)
        if value.get("category"):
            services = [s for s in services if str(s.category) == value["category"]]
        context["services"] = services
        return context


class NewsListBlock(blocks.StructBlock):
    """The latest news of the site, in the language of the page that shows them."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    count = blocks.IntegerBlock(label=_("How many"), default=3, min_value=1, max_value=20)

    class Meta:
        label = _("News list")
        icon = "doc-full"
        template = "lutetia_site/blocks/news_list.html"

    def get_context(self, value, parent_context=None):
        from .models import NewsPage

        context = super().get_context(value, parent_context)
        page = (parent_context or {}).get("page")
        news = NewsPage.objects.live().public().order_by("-date", "-pk")
        if page is not None:
            news = news.filter(locale_id=page.locale_id)
        site = site_of(parent_context)
        if site is not None:
            news = news.descendant_of(
                localized_root(site, page.locale_id if page is not None else None)
            )
        context["news"] = list(news[: value.get("count") or 3])
        return context


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(
        label=_("Answer"), features=["bold", "italic", "link", "ol", "ul"]
    )

    class Meta:
        label = _("Question")


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        label = _("FAQ")
        icon = "help"
        template = "lutetia_site/blocks/faq.html"

    def get_context(self, value, parent_context=None):
        """``items`` for the accordion component: each question with an id and its answer."""
        context = super().get_context(value, parent_context)
        questions = list(value.get("questions") or [])
        # Ids stable from one rendering to the next (and the page cache), distinct per block.
        digest = hashlib.sha1(  # noqa: S324 - an id, not a secret
            "\n".join(str(item.get("question", "")) for item in questions).encode()
        ).hexdigest()[:8]
        context["items"] = [
            {
                "id": f"faq-{digest}-{number}",
                "title": item.get("question", ""),
                # Rich text, already safe HTML (Wagtail expands its links and embeds).
                "content": mark_safe(str(item.get("answer", ""))),  # noqa: S308
            }
            for number, item in enumerate(questions, start=1)
        ]
        return context


class ContactBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Name"), max_length=120)
    address = blocks.TextBlock(label=_("Address"), required=False)
    phone = blocks.CharBlock(label=_("Phone"), required=False, max_length=40)
    email = blocks.EmailBlock(label=_("E-mail"), required=False)
    opening_hours = blocks.TextBlock(label=_("Opening hours"), required=False)

    class Meta:
        label = _("Contact")
        icon = "mail"
        template = "lutetia_site/blocks/contact.html"


RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "link", "document-link", "ol", "ul", "hr"]


def body_blocks() -> list[tuple[str, blocks.Block]]:
    """The blocks a content page offers."""
    return [
        (
            "text",
            blocks.RichTextBlock(
                label=_("Text"),
                features=RICH_TEXT_FEATURES,
                template="lutetia_site/blocks/text.html",
            ),
        ),
        ("call_to_action", CallToActionBlock()),
        ("cards", CardsBlock()),
        ("services", ServicesBlock()),
        ("news", NewsListBlock()),
        ("faq", FaqBlock()),
        ("contact", ContactBlock()),
    ]
