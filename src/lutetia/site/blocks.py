"""StreamField blocks of content pages (Lutece "portlets")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

class LinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("or address"), required=False)
    label = blocks.CharBlock(label=_("Link text"), max_length=80, required=False)

    class Meta:
        label = _("Link")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": blocks.BlockValidationError(_("Choose a page or give an address."))}
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
    link = LinkBlock(required=False)

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
    """The online services of the enabled plugins, optionally of one category."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    category = blocks.CharBlock(
        label=_("Only this category"), required=False, max_length=80, help_text=_("Empty: every service.")
    )

    class Meta:
        label = _("List of services")
        icon = "list-ul"
        template = "lutetia_site/blocks/services.html"

    def get_context(self, value, parent_context=None):
        from .services import services_for

        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        site = getattr(request, "_lutetia_site", None) if request else None
        if request is not None and site is None:
            from wagtail.models import Site

            site = Site.find_for_request(request)
        services = services_for(site, request)
        if value.get("category"):
            services = [s for s in services if str(s.category) == value["category"]]
        context["services"] = services
        return context


class NewsListBlock(blocks.StructBlock):
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
        context["news"] = news[: value.get("count") or 3]
        return context


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        label = _("Question")


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        label = _("FAQ")
        icon = "help"
        template = "lutetia_site/blocks/faq.html"


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
        ("text", blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES,
                                      template="lutetia_site/blocks/text.html")),
        ("call_to_action", CallToActionBlock()),
        ("cards", CardsBlock()),
        ("services", ServicesBlock()),
        ("news", NewsListBlock()),
        ("faq", FaqBlock()),
        ("contact", ContactBlock()),
    ]
