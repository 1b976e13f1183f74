"""The demo city: a fictional town, Beaumont-sur-Loire, built by ``lutetia demo``.

Idempotent by construction: everything is looked up before it is created (pages by their slug
under their parent, translations by locale, accounts by e-mail, settings by site), and what
exists is left alone. A second run therefore creates nothing, and it never overwrites what an
administrator changed since: an edited page, a renamed site, a reordered menu all survive.
To rebuild a page from the demo, delete it and run the command again.

The accounts' passwords are generated on the first run, kept in
``<DATA_DIR>/demo-credentials.txt`` (readable by its owner only) and printed on every run.
No password is written in the source.

Plugins add their own demo data through the ``demo_requested`` signal, sent at the end.
The content itself is data, written in French and English, not translatable strings.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
)
from wagtail.search import index

from lutetia.accounts.models import Workgroup

from .models import (
    ContentPage,
    FooterLink,
    HomePage,
    MenuItem,
    Navigation,
    NewsIndexPage,
    NewsPage,
    ServiceDirectoryPage,
    SiteIdentity,
)
from .signals import demo_requested

TOWN = "Ville de Beaumont-sur-Loire"
DOMAIN = "beaumont.example"
CREDENTIALS_FILE = "demo-credentials.txt"
LANGUAGES = ("fr", "en", "hu")
AGENTS_GROUP = "Agents"

ADDRESS = "Hôtel de ville\n1 place de la Mairie\n45999 Beaumont-sur-Loire"
PHONE = "02 61 91 00 00"  # a range ARCEP keeps for fiction
EMAIL = f"mairie@{DOMAIN}"


# --- content ----------------------------------------------------------------------------------
#
# A body is a list of blocks written with the helpers below. ``@@key@@`` in rich text and
# ``page="key"`` in links name another demo page: they become its id once every page exists.


def text(html: str) -> dict:
    return {"type": "text", "value": html}


def link(page: str | None = None, url: str = "", label: str = "") -> dict:
    return {"page": page, "url": url, "label": label}


def call_to_action(title: str, body: str, target: dict) -> dict:
    return {"type": "call_to_action", "value": {"title": title, "text": body, "link": target}}


def cards(heading: str, items: list[tuple[str, str, str]]) -> dict:
    return {
        "type": "cards",
        "value": {
            "heading": heading,
            "cards": [
                {"title": title, "text": body, "image": None, "link": link(page=key)}
                for title, body, key in items
            ],
        },
    }


def services(heading: str, category: str = "") -> dict:
    return {"type": "services", "value": {"heading": heading, "category": category}}


def news(heading: str, count: int = 3) -> dict:
    return {"type": "news", "value": {"heading": heading, "count": count}}


def faq(heading: str, questions: list[tuple[str, str]]) -> dict:
    return {
        "type": "faq",
        "value": {
            "heading": heading,
            "questions": [{"question": q, "answer": a} for q, a in questions],
        },
    }


def contact(title: str, hours: str, email: str = EMAIL, phone: str = PHONE) -> dict:
    return {
        "type": "contact",
        "value": {
            "title": title,
            "address": ADDRESS,
            "phone": phone,
            "email": email,
            "opening_hours": hours,
        },
    }


HOURS_FR = (
    "Lundi, mardi, jeudi et vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h\n"
    "Mercredi : 8 h 30 – 12 h\n"
    "Samedi : 9 h – 12 h (état civil uniquement)"
)
HOURS_EN = (
    "Monday, Tuesday, Thursday and Friday: 8.30 am – 12 noon and 1.30 pm – 5 pm\n"
    "Wednesday: 8.30 am – 12 noon\n"
    "Saturday: 9 am – 12 noon (civil status only)"
)


@dataclass
class PageSpec:
    """One demo page, in French (the source) and English (its translation)."""

    key: str
    model: type[Page]
    parent: str | None
    fr: dict
    en: dict
    days_ago: int = 0  # news: how old the item is on the day the demo is built
    children: list[PageSpec] = field(default_factory=list)


def _content_pages() -> list[PageSpec]:
    """The tree of demo pages, parents before children."""
    return [
        PageSpec(
            "procedures",
            ContentPage,
            "home",
            fr={
                "title": "Vos démarches",
                "slug": "demarches",
                "intro": "Papiers d'identité, état civil, école, stationnement : ce qu'il faut "
                "savoir avant de vous déplacer, et ce que vous pouvez faire en ligne.",
                "body": [
                    cards(
                        "Les démarches les plus demandées",
                        [
                            (
                                "État civil",
                                "Actes de naissance, mariage, PACS, décès.",
                                "civil_status",
                            ),
                            (
                                "Carte d'identité et passeport",
                                "Prendre rendez-vous, pièces à fournir, délais.",
                                "identity",
                            ),
                            (
                                "Inscription à l'école",
                                "Maternelle et élémentaire, cantine et périscolaire.",
                                "school",
                            ),
                            (
                                "Stationnement résidentiel",
                                "La vignette des résidents du centre-ville.",
                                "parking",
                            ),
                        ],
                    ),
                    services("Faire une démarche en ligne"),
                ],
            },
            en={
                "title": "Procedures",
                "slug": "procedures",
                "intro": "Identity papers, civil status, school, parking: what to know before "
                "you come to the town hall, and what you can do online.",
                "body": [
                    cards(
                        "Most requested procedures",
                        [
                            (
                                "Civil status",
                                "Birth, marriage, civil partnership and death certificates.",
                                "civil_status",
                            ),
                            (
                                "Identity card and passport",
                                "Booking an appointment, documents to bring, delays.",
                                "identity",
                            ),
                            (
                                "School enrolment",
                                "Nursery and primary school, canteen and after-school care.",
                                "school",
                            ),
                            (
                                "Residents' parking",
                                "The town-centre residents' permit.",
                                "parking",
                            ),
                        ],
                    ),
                    services("Do it online"),
                ],
            },
            children=[
                PageSpec(
                    "civil_status",
                    ContentPage,
                    "procedures",
                    fr={
                        "title": "État civil",
                        "slug": "etat-civil",
                        "intro": "Le service de l'état civil établit et délivre les actes de "
                        "naissance, de mariage et de décès des événements survenus à "
                        "Beaumont-sur-Loire.",
                        "body": [
                            text(
                                "<h2>Demander un acte</h2>"
                                "<p>La copie intégrale ou l'extrait d'un acte est gratuit. "
                                "Vous pouvez le demander au guichet, par courrier (joignez une "
                                "enveloppe timbrée à votre adresse) ou en ligne. Précisez la date "
                                "de l'événement, les noms et prénoms des personnes concernées et "
                                "votre lien avec elles.</p>"
                                "<ul><li>Acte de naissance : délivré à la personne, à ses "
                                "ascendants, descendants, conjoint ou partenaire.</li>"
                                "<li>Acte de mariage : délivré aux époux, à leurs ascendants "
                                "et descendants.</li>"
                                "<li>Acte de décès : délivré à toute personne qui le demande."
                                "</li></ul>"
                                "<h2>Déclarer une naissance</h2>"
                                "<p>La déclaration est obligatoire dans les cinq jours qui "
                                "suivent l'accouchement. La maternité de Beaumont transmet la "
                                "plupart des déclarations ; sinon, présentez-vous avec le "
                                "certificat d'accouchement et une pièce d'identité.</p>"
                            ),
                            faq(
                                "Questions fréquentes",
                                [
                                    (
                                        "Combien de temps faut-il pour recevoir un acte ?",
                                        "<p>Les demandes reçues avant 11 h sont traitées le "
                                        "jour même ; comptez deux à trois jours par courrier.</p>",
                                    ),
                                    (
                                        "Puis-je célébrer mon mariage le samedi ?",
                                        "<p>Oui, les mariages sont célébrés du mardi au samedi. "
                                        "Déposez votre dossier au moins deux mois avant la date "
                                        "souhaitée.</p>",
                                    ),
                                    (
                                        "Où enregistrer un PACS ?",
                                        "<p>En mairie, sur rendez-vous, ou chez un notaire. "
                                        "Les deux partenaires doivent être présents.</p>",
                                    ),
                                ],
                            ),
                            contact("Service de l'état civil", HOURS_FR, f"etat-civil@{DOMAIN}"),
                        ],
                    },
                    en={
                        "title": "Civil status",
                        "slug": "civil-status",
                        "intro": "The civil status office records and issues certificates "
                        "of the births, marriages and deaths that took place in "
                        "Beaumont-sur-Loire.",
                        "body": [
                            text(
                                "<h2>Asking for a certificate</h2>"
                                "<p>Full copies and extracts are free. Ask at the desk, by post "
                                "(enclose a stamped envelope with your address) or online. Give "
                                "the date of the event, the names of the people concerned and "
                                "how you are related to them.</p>"
                                "<ul><li>Birth certificate: issued to the person, their parents, "
                                "children, spouse or partner.</li>"
                                "<li>Marriage certificate: issued to the spouses, their parents "
                                "and children.</li>"
                                "<li>Death certificate: issued to anyone who asks.</li></ul>"
                                "<h2>Registering a birth</h2>"
                                "<p>A birth must be registered within five days. The Beaumont "
                                "maternity ward sends most registrations itself; otherwise, come "
                                "with the delivery certificate and an identity document.</p>"
                            ),
                            faq(
                                "Frequently asked questions",
                                [
                                    (
                                        "How long does it take to receive a certificate?",
                                        "<p>Requests received before 11 am are handled the "
                                        "same day; allow two to three days by post.</p>",
                                    ),
                                    (
                                        "Can we get married on a Saturday?",
                                        "<p>Yes, weddings take place from Tuesday to Saturday. "
                                        "Hand in your file at least two months before the "
                                        "date you wish.</p>",
                                    ),
                                    (
                                        "Where can we register a civil partnership (PACS)?",
                                        "<p>At the town hall, by appointment, or with a notary. "
                                        "Both partners must be present.</p>",
                                    ),
                                ],
                            ),
                            contact("Civil status office", HOURS_EN, f"etat-civil@{DOMAIN}"),
                        ],
                    },
                ),
                PageSpec(
                    "identity",
                    ContentPage,
                    "procedures",
                    fr={
                        "title": "Carte d'identité et passeport",
                        "slug": "carte-identite-passeport",
                        "intro": "La mairie reçoit les demandes de carte nationale d'identité "
                        "et de passeport sur rendez-vous, que vous habitiez Beaumont ou non.",
                        "body": [
                            text(
                                "<h2>Avant le rendez-vous</h2>"
                                "<ol><li>Remplissez la pré-demande en ligne et notez son "
                                "numéro.</li>"
                                "<li>Achetez un timbre fiscal pour un passeport (86 € pour un "
                                "adulte) ou en cas de perte de la carte d'identité (25 €).</li>"
                                "<li>Réunissez une photo d'identité de moins de six mois, un "
                                "justificatif de domicile et l'ancien titre.</li></ol>"
                                "<h2>Le jour du rendez-vous</h2>"
                                "<p>Le demandeur doit être présent, y compris un enfant mineur, "
                                "accompagné d'un parent. Les empreintes sont relevées sur place. "
                                "Le titre est à retirer en mairie, en personne, dans les trois "
                                "mois suivant le SMS qui annonce qu'il est prêt.</p>"
                            ),
                            call_to_action(
                                "Délais actuels",
                                "Comptez environ six semaines entre le rendez-vous et la remise "
                                "du titre. Anticipez vos voyages.",
                                link(page="hours", label="Voir les horaires d'accueil"),
                            ),
                        ],
                    },
                    en={
                        "title": "Identity card and passport",
                        "slug": "identity-card-and-passport",
                        "intro": "The town hall takes applications for national identity "
                        "cards and passports by appointment, whether you live in Beaumont or not.",
                        "body": [
                            text(
                                "<h2>Before your appointment</h2>"
                                "<ol><li>Fill in the online pre-application and note its "
                                "number.</li>"
                                "<li>Buy a tax stamp for a passport (86 € for an adult) or if "
                                "your identity card was lost (25 €).</li>"
                                "<li>Bring an identity photo less than six months old, a proof "
                                "of address and your previous document.</li></ol>"
                                "<h2>On the day</h2>"
                                "<p>The applicant must come in person, children included, with a "
                                "parent. Fingerprints are taken on the spot. Collect your "
                                "document in person at the town hall within three months of the "
                                "text message saying it is ready.</p>"
                            ),
                            call_to_action(
                                "Current waiting times",
                                "Allow about six weeks between the appointment and the "
                                "delivery of your document. Plan your travels ahead.",
                                link(page="hours", label="See the opening hours"),
                            ),
                        ],
                    },
                ),
                PageSpec(
                    "school",
                    ContentPage,
                    "procedures",
                    fr={
                        "title": "Inscription à l'école",
                        "slug": "inscription-ecole",
                        "intro": "Les inscriptions pour la rentrée de septembre ont lieu de "
                        "mars à mai, à la mairie ou en ligne.",
                        "body": [
                            text(
                                "<p>Beaumont-sur-Loire compte trois écoles maternelles et "
                                "trois écoles élémentaires publiques. L'école de votre enfant "
                                "dépend de votre adresse.</p>"
                                "<h2>Pièces à fournir</h2>"
                                "<ul><li>le livret de famille ou un acte de naissance de "
                                "l'enfant ;</li><li>un justificatif de domicile de moins de "
                                "trois mois ;</li><li>le carnet de santé (vaccinations).</li>"
                                "</ul>"
                                "<p>La mairie vous remet un certificat d'inscription, à présenter "
                                "ensuite au directeur ou à la directrice de l'école.</p>"
                            ),
                            faq(
                                "Cantine et accueil périscolaire",
                                [
                                    (
                                        "Comment est calculé le prix du repas ?",
                                        "<p>Selon votre quotient familial : de 0,90 € à 4,60 € "
                                        "le repas.</p>",
                                    ),
                                    (
                                        "Jusqu'à quelle heure l'accueil du soir est-il ouvert ?",
                                        "<p>Jusqu'à 18 h 30 dans toutes les écoles.</p>",
                                    ),
                                ],
                            ),
                        ],
                    },
                    en={
                        "title": "School enrolment",
                        "slug": "school-enrolment",
                        "intro": "Enrolment for the September school year takes place from "
                        "March to May, at the town hall or online.",
                        "body": [
                            text(
                                "<p>Beaumont-sur-Loire has three public nursery schools and "
                                "three public primary schools. Your child's school depends on "
                                "your address.</p>"
                                "<h2>Documents to bring</h2>"
                                "<ul><li>the family record book or the child's birth "
                                "certificate;</li><li>a proof of address less than three months "
                                "old;</li><li>the child's health record (vaccinations).</li>"
                                "</ul>"
                                "<p>The town hall gives you an enrolment certificate, which you "
                                "then show to the head of the school.</p>"
                            ),
                            faq(
                                "Canteen and after-school care",
                                [
                                    (
                                        "How is the price of a meal set?",
                                        "<p>By your family quotient: from 0.90 € to 4.60 € a "
                                        "meal.</p>",
                                    ),
                                    (
                                        "Until when is after-school care open?",
                                        "<p>Until 6.30 pm in every school.</p>",
                                    ),
                                ],
                            ),
                        ],
                    },
                ),
                PageSpec(
                    "parking",
                    ContentPage,
                    "procedures",
                    fr={
                        "title": "Stationnement résidentiel",
                        "slug": "stationnement-residentiel",
                        "intro": "Habitants du centre-ville : la vignette résident vous permet "
                        "de stationner dans votre quartier pour 15 € par mois.",
                        "body": [
                            text(
                                "<p>La vignette est réservée aux personnes dont la résidence "
                                "principale se trouve dans la zone de stationnement payant. "
                                "Elle est liée à un véhicule et valable un an.</p>"
                                "<h2>Comment l'obtenir</h2>"
                                "<p>Présentez au service de la police municipale la carte grise "
                                "du véhicule à votre nom et un justificatif de domicile. Une "
                                "seule vignette par foyer.</p>"
                            ),
                            call_to_action(
                                "Une question sur votre quartier ?",
                                "Le service de la police municipale vous répond du lundi au "
                                "vendredi.",
                                link(page="contact", label="Nous contacter"),
                            ),
                        ],
                    },
                    en={
                        "title": "Residents' parking",
                        "slug": "residents-parking",
                        "intro": "Town-centre residents: the residents' permit lets you park "
                        "in your neighbourhood for 15 € a month.",
                        "body": [
                            text(
                                "<p>The permit is for people whose main home is inside the paid "
                                "parking zone. It belongs to one vehicle and lasts a year.</p>"
                                "<h2>How to get it</h2>"
                                "<p>Show the municipal police office the vehicle's registration "
                                "document in your name and a proof of address. One permit per "
                                "household.</p>"
                            ),
                            call_to_action(
                                "A question about your street?",
                                "The municipal police office answers from Monday to Friday.",
                                link(page="contact", label="Contact us"),
                            ),
                        ],
                    },
                ),
            ],
        ),
        PageSpec(
            "living",
            ContentPage,
            "home",
            fr={
                "title": "Vivre à Beaumont",
                "slug": "vivre-a-beaumont",
                "intro": "Propreté, associations, projets des habitants : la vie de la commune.",
                "body": [
                    cards(
                        "Au quotidien",
                        [
                            (
                                "Déchets et encombrants",
                                "Jours de collecte, déchetterie, enlèvement des encombrants.",
                                "waste",
                            ),
                            (
                                "Vie associative",
                                "Plus de 120 associations, salles et subventions.",
                                "associations",
                            ),
                            (
                                "Budget participatif",
                                "Proposez et votez pour les projets de votre quartier.",
                                "budget",
                            ),
                        ],
                    ),
                    news("Les dernières actualités", 3),
                ],
            },
            en={
                "title": "Living in Beaumont",
                "slug": "living-in-beaumont",
                "intro": "Cleanliness, associations, residents' projects: the life of the town.",
                "body": [
                    cards(
                        "Day to day",
                        [
                            (
                                "Waste and bulky items",
                                "Collection days, recycling centre, bulky item pick-up.",
                                "waste",
                            ),
                            (
                                "Community life",
                                "More than 120 associations, halls and grants.",
                                "associations",
                            ),
                            (
                                "Participatory budget",
                                "Propose and vote for projects in your neighbourhood.",
                                "budget",
                            ),
                        ],
                    ),
                    news("Latest news", 3),
                ],
            },
            children=[
                PageSpec(
                    "waste",
                    ContentPage,
                    "living",
                    fr={
                        "title": "Déchets et encombrants",
                        "slug": "dechets-encombrants",
                        "intro": "Ordures ménagères, tri sélectif, déchets verts : les jours de "
                        "collecte dépendent de votre quartier.",
                        "body": [
                            text(
                                "<h2>Collectes</h2>"
                                "<ul><li>Bac gris (ordures ménagères) : chaque lundi et "
                                "jeudi.</li><li>Bac jaune (emballages et papiers) : le mercredi "
                                "des semaines paires.</li><li>Verre : dans les conteneurs de "
                                "quartier.</li></ul>"
                                "<p>Sortez vos bacs la veille au soir et rentrez-les après le "
                                "passage de la benne.</p>"
                                "<h2>Déchetterie des Grands Prés</h2>"
                                "<p>Ouverte du mardi au samedi, de 9 h à 12 h et de 14 h à "
                                "18 h, sur présentation d'un justificatif de domicile. "
                                "Gratuite pour les particuliers.</p>"
                            ),
                            faq(
                                "Encombrants",
                                [
                                    (
                                        "Comment faire enlever un meuble ou un électroménager ?",
                                        "<p>Prenez rendez-vous auprès de la mairie : l'enlèvement "
                                        "à domicile est gratuit, une fois par trimestre, dans la "
                                        "limite de 2 m³.</p>",
                                    ),
                                    (
                                        "Puis-je déposer mes encombrants sur le trottoir ?",
                                        "<p>Non, sauf le matin du rendez-vous. Un dépôt sauvage "
                                        "est passible d'une amende.</p>",
                                    ),
                                ],
                            ),
                        ],
                    },
                    en={
                        "title": "Waste and bulky items",
                        "slug": "waste-and-bulky-items",
                        "intro": "Household waste, recycling, garden waste: collection days "
                        "depend on your neighbourhood.",
                        "body": [
                            text(
                                "<h2>Collections</h2>"
                                "<ul><li>Grey bin (household waste): every Monday and "
                                "Thursday.</li><li>Yellow bin (packaging and paper): Wednesday "
                                "of even weeks.</li><li>Glass: in the neighbourhood "
                                "containers.</li></ul>"
                                "<p>Put your bins out the evening before and take them in once "
                                "the lorry has passed.</p>"
                                "<h2>Les Grands Prés recycling centre</h2>"
                                "<p>Open Tuesday to Saturday, 9 am to 12 noon and 2 pm to "
                                "6 pm, with a proof of address. Free for households.</p>"
                            ),
                            faq(
                                "Bulky items",
                                [
                                    (
                                        "How do I get furniture or an appliance taken away?",
                                        "<p>Book a pick-up with the town hall: it is free, once "
                                        "a quarter, up to 2 m³.</p>",
                                    ),
                                    (
                                        "May I leave bulky items on the pavement?",
                                        "<p>No, except on the morning of your pick-up. Fly-"
                                        "tipping is fined.</p>",
                                    ),
                                ],
                            ),
                        ],
                    },
                ),
                PageSpec(
                    "associations",
                    ContentPage,
                    "living",
                    fr={
                        "title": "Vie associative",
                        "slug": "vie-associative",
                        "intro": "Sport, culture, solidarité : plus de 120 associations font "
                        "vivre Beaumont-sur-Loire.",
                        "body": [
                            text(
                                "<p>La mairie soutient les associations beaumontaises : prêt de "
                                "salles et de matériel, subventions annuelles, communication sur "
                                "le site et dans le magazine municipal.</p>"
                                "<h2>Forum des associations</h2>"
                                "<p>Chaque premier samedi de septembre, au gymnase Jean-Moulin, "
                                "venez rencontrer les bénévoles et inscrire toute la famille.</p>"
                                "<h2>Demander une subvention</h2>"
                                "<p>Les dossiers de demande sont à déposer avant le 31 janvier. "
                                "Joignez le dernier bilan financier et le projet de l'année.</p>"
                            ),
                            contact(
                                "Maison des associations",
                                "Du mardi au vendredi, 14 h – 18 h",
                                f"associations@{DOMAIN}",
                                "02 61 91 00 10",
                            ),
                        ],
                    },
                    en={
                        "title": "Community life",
                        "slug": "community-life",
                        "intro": "Sport, culture, solidarity: more than 120 associations bring "
                        "Beaumont-sur-Loire to life.",
                        "body": [
                            text(
                                "<p>The town supports Beaumont's associations: halls and "
                                "equipment on loan, yearly grants, news on the website and in "
                                "the town magazine.</p>"
                                "<h2>Associations fair</h2>"
                                "<p>Every first Saturday of September, at the Jean-Moulin "
                                "gymnasium: meet the volunteers and sign up the whole family.</p>"
                                "<h2>Applying for a grant</h2>"
                                "<p>Hand in grant applications before 31 January, with the last "
                                "financial statement and the year's project.</p>"
                            ),
                            contact(
                                "Associations centre",
                                "Tuesday to Friday, 2 pm – 6 pm",
                                f"associations@{DOMAIN}",
                                "02 61 91 00 10",
                            ),
                        ],
                    },
                ),
                PageSpec(
                    "budget",
                    ContentPage,
                    "living",
                    fr={
                        "title": "Budget participatif",
                        "slug": "budget-participatif",
                        "intro": "Chaque année, 5 % du budget d'investissement de la ville, "
                        "soit 400 000 €, financent des projets proposés et choisis par les "
                        "habitants.",
                        "body": [
                            text(
                                "<h2>Le calendrier</h2>"
                                "<ol><li>Janvier – février : dépôt des idées.</li>"
                                "<li>Mars – mai : étude de faisabilité par les services.</li>"
                                "<li>Juin : vote, ouvert à tous les habitants dès 11 ans.</li>"
                                "<li>À partir de septembre : réalisation des projets "
                                "lauréats.</li></ol>"
                                "<p>Un projet doit relever des compétences de la commune, servir "
                                "l'intérêt général et coûter moins de 100 000 €.</p>"
                            ),
                            services("Proposer ou voter en ligne"),
                        ],
                    },
                    en={
                        "title": "Participatory budget",
                        "slug": "participatory-budget",
                        "intro": "Every year, 5 % of the town's investment budget, that is "
                        "400,000 €, funds projects that residents propose and choose.",
                        "body": [
                            text(
                                "<h2>The calendar</h2>"
                                "<ol><li>January – February: ideas are submitted.</li>"
                                "<li>March – May: the town's departments study them.</li>"
                                "<li>June: the vote, open to every resident aged 11 or "
                                "more.</li><li>From September: the winning projects are "
                                "built.</li></ol>"
                                "<p>A project must fall within the town's powers, serve the "
                                "common good and cost less than 100,000 €.</p>"
                            ),
                            services("Propose or vote online"),
                        ],
                    },
                ),
            ],
        ),
        PageSpec(
            "town_hall",
            ContentPage,
            "home",
            fr={
                "title": "La mairie",
                "slug": "mairie",
                "intro": "L'hôtel de ville vous accueille place de la Mairie, au cœur de "
                "Beaumont-sur-Loire.",
                "body": [
                    cards(
                        "Venir en mairie",
                        [
                            (
                                "Horaires de la mairie",
                                "Quand venir, avec ou sans rendez-vous.",
                                "hours",
                            ),
                            ("Nous contacter", "Téléphone, courriel, courrier.", "contact"),
                        ],
                    ),
                ],
            },
            en={
                "title": "Town hall",
                "slug": "town-hall",
                "intro": "The town hall welcomes you on Place de la Mairie, in the heart of "
                "Beaumont-sur-Loire.",
                "body": [
                    cards(
                        "Visiting the town hall",
                        [
                            (
                                "Opening hours",
                                "When to come, with or without an appointment.",
                                "hours",
                            ),
                            ("Contact us", "Phone, e-mail, post.", "contact"),
                        ],
                    ),
                ],
            },
            children=[
                PageSpec(
                    "hours",
                    ContentPage,
                    "town_hall",
                    fr={
                        "title": "Horaires de la mairie",
                        "slug": "horaires",
                        "intro": "L'accueil général et l'état civil sont ouverts six jours sur "
                        "sept.",
                        "body": [
                            text(
                                "<p>Les services techniques et l'urbanisme reçoivent uniquement "
                                "sur rendez-vous. Pendant les vacances scolaires d'été, la mairie "
                                "ferme à 16 h.</p>"
                            ),
                            contact("Hôtel de ville", HOURS_FR),
                        ],
                    },
                    en={
                        "title": "Town hall opening hours",
                        "slug": "opening-hours",
                        "intro": "The front desk and the civil status office are open six "
                        "days a week.",
                        "body": [
                            text(
                                "<p>The technical and planning departments see the public by "
                                "appointment only. During the summer school holidays, the town "
                                "hall closes at 4 pm.</p>"
                            ),
                            contact("Town hall", HOURS_EN),
                        ],
                    },
                ),
                PageSpec(
                    "contact",
                    ContentPage,
                    "town_hall",
                    fr={
                        "title": "Nous contacter",
                        "slug": "nous-contacter",
                        "intro": "Une question, une demande, une réclamation : écrivez-nous ou "
                        "appelez-nous, nous répondons sous cinq jours ouvrés.",
                        "body": [
                            contact("Mairie de Beaumont-sur-Loire", HOURS_FR),
                            text(
                                "<p>Pour une urgence la nuit ou le week-end (voirie, "
                                "éclairage public), appelez l'élu d'astreinte au "
                                "02 61 91 00 99.</p>"
                            ),
                        ],
                    },
                    en={
                        "title": "Contact us",
                        "slug": "contact-us",
                        "intro": "A question, a request, a complaint: write or call us, we "
                        "answer within five working days.",
                        "body": [
                            contact("Beaumont-sur-Loire town hall", HOURS_EN),
                            text(
                                "<p>For an emergency at night or at the weekend (roads, street "
                                "lighting), call the councillor on duty on 02 61 91 00 99.</p>"
                            ),
                        ],
                    },
                ),
            ],
        ),
        PageSpec(
            "news_index",
            NewsIndexPage,
            "home",
            fr={
                "title": "Actualités",
                "slug": "actualites",
                "intro": "Travaux, événements, décisions du conseil municipal.",
            },
            en={
                "title": "News",
                "slug": "news",
                "intro": "Roadworks, events, decisions of the town council.",
            },
            children=_news(),
        ),
        PageSpec(
            "services",
            ServiceDirectoryPage,
            "home",
            fr={
                "title": "Services en ligne",
                "slug": "services-en-ligne",
                "intro": "Toutes les démarches que vous pouvez faire en ligne, à toute heure.",
            },
            en={
                "title": "Online services",
                "slug": "online-services",
                "intro": "Every procedure you can do online, at any time.",
            },
        ),
        PageSpec(
            "accessibility",
            ContentPage,
            "home",
            fr={
                "title": "Accessibilité",
                "slug": "accessibilite",
                "intro": "La Ville de Beaumont-sur-Loire s'engage à rendre son site "
                "accessible conformément à l'article 47 de la loi n° 2005-102 du 11 février "
                "2005.",
                "body": [
                    text(
                        "<h2>État de conformité</h2>"
                        "<p>Ce site est <strong>partiellement conforme</strong> au référentiel "
                        "général d'amélioration de l'accessibilité (RGAA), version 4.1.2. "
                        "Aucun audit n'a encore été réalisé : cette déclaration sera mise à jour "
                        "à l'issue de l'audit prévu cette année.</p>"
                        "<h2>Contenus non accessibles</h2>"
                        "<p>Certains documents PDF anciens ne sont pas balisés. Demandez-en une "
                        "version accessible : nous vous l'enverrons sous quinze jours.</p>"
                        "<h2>Retour d'information et contact</h2>"
                        "<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, "
                        "contactez-nous par courriel à accessibilite@beaumont.example ou par "
                        "téléphone au 02 61 91 00 00.</p>"
                        "<h2>Voies de recours</h2>"
                        "<p>Si vous n'obtenez pas de réponse satisfaisante, vous pouvez écrire "
                        "au Défenseur des droits, utiliser son formulaire en ligne ou contacter "
                        "son délégué dans votre région.</p>"
                    ),
                ],
            },
            en={
                "title": "Accessibility",
                "slug": "accessibility",
                "intro": "The Town of Beaumont-sur-Loire is committed to making its website "
                "accessible, as article 47 of French law no. 2005-102 of 11 February 2005 "
                "requires.",
                "body": [
                    text(
                        "<h2>Compliance status</h2>"
                        "<p>This website <strong>partially complies</strong> with the French "
                        "accessibility guidelines (RGAA), version 4.1.2. No audit has been "
                        "carried out yet: this statement will be updated after the audit "
                        "planned for this year.</p>"
                        "<h2>Content that is not accessible</h2>"
                        "<p>Some older PDF documents are not tagged. Ask for an accessible "
                        "version: we will send it within a fortnight.</p>"
                        "<h2>Feedback and contact</h2>"
                        "<p>If you cannot reach a content or a service, e-mail us at "
                        "accessibilite@beaumont.example or call 02 61 91 00 00.</p>"
                        "<h2>Remedies</h2>"
                        "<p>If our answer does not satisfy you, you can write to the Défenseur "
                        "des droits (the French rights ombudsman), use its online form or "
                        "contact its delegate in your region.</p>"
                    ),
                ],
            },
        ),
        PageSpec(
            "legal",
            ContentPage,
            "home",
            fr={
                "title": "Mentions légales",
                "slug": "mentions-legales",
                "intro": "Informations sur l'éditeur et l'hébergeur de ce site.",
                "body": [
                    text(
                        "<h2>Éditeur</h2>"
                        "<p>Ville de Beaumont-sur-Loire, Hôtel de ville, 1 place de la Mairie, "
                        "45999 Beaumont-sur-Loire. Directeur de la publication : le maire.</p>"
                        "<h2>Hébergement</h2>"
                        "<p>Le site est hébergé par le service informatique de la ville, sur "
                        "des serveurs situés en France.</p>"
                        "<h2>Logiciel</h2>"
                        "<p>Ce site fonctionne avec Lutetia, logiciel libre publié sous licence "
                        "BSD.</p>"
                        "<p><em>Beaumont-sur-Loire est une commune fictive, créée pour la "
                        "démonstration de Lutetia.</em></p>"
                    ),
                ],
            },
            en={
                "title": "Legal notice",
                "slug": "legal-notice",
                "intro": "About the publisher and the host of this website.",
                "body": [
                    text(
                        "<h2>Publisher</h2>"
                        "<p>Town of Beaumont-sur-Loire, Town hall, 1 place de la Mairie, 45999 "
                        "Beaumont-sur-Loire. Director of publication: the mayor.</p>"
                        "<h2>Hosting</h2>"
                        "<p>The website is hosted by the town's IT department, on servers in "
                        "France.</p>"
                        "<h2>Software</h2>"
                        "<p>This website runs on Lutetia, free software under the BSD "
                        "licence.</p>"
                        "<p><em>Beaumont-sur-Loire is a fictional town, made up to demonstrate "
                        "Lutetia.</em></p>"
                    ),
                ],
            },
        ),
        PageSpec(
            "personal_data",
            ContentPage,
            "home",
            fr={
                "title": "Données personnelles",
                "slug": "donnees-personnelles",
                "intro": "Comment la ville traite les données que vous lui confiez, et "
                "comment exercer vos droits.",
                "body": [
                    text(
                        "<p>Les données recueillies lors de vos démarches servent uniquement à "
                        "les traiter. Elles sont conservées pendant la durée nécessaire, puis "
                        "archivées ou supprimées selon les règles des archives publiques.</p>"
                        "<p>Ce site n'utilise aucun cookie de mesure d'audience ni de publicité. "
                        "Seul un cookie de session est déposé lorsque vous vous connectez.</p>"
                        "<h2>Vos droits</h2>"
                        "<p>Vous pouvez accéder à vos données, les faire rectifier ou effacer, "
                        "et vous opposer à leur traitement, en écrivant au délégué à la "
                        "protection des données : dpo@beaumont.example. Vous pouvez aussi "
                        "saisir la CNIL.</p>"
                    ),
                ],
            },
            en={
                "title": "Personal data",
                "slug": "personal-data",
                "intro": "How the town handles the data you give it, and how to exercise "
                "your rights.",
                "body": [
                    text(
                        "<p>The data collected during your procedures is used only to handle "
                        "them. It is kept as long as needed, then archived or erased under the "
                        "rules for public archives.</p>"
                        "<p>This website uses no audience-measurement or advertising cookie. "
                        "A session cookie is set only when you sign in.</p>"
                        "<h2>Your rights</h2>"
                        "<p>You can see your data, have it corrected or erased, and object to "
                        "its use, by writing to the data protection officer: "
                        "dpo@beaumont.example. You can also complain to the CNIL, the French "
                        "data protection authority.</p>"
                    ),
                ],
            },
        ),
    ]


def _news() -> list[PageSpec]:
    items = [
        (
            "news_market",
            2,
            (
                "Le marché de producteurs revient sur les quais",
                "marche-de-producteurs",
                "Dès samedi, une trentaine de producteurs locaux s'installent quai de Loire "
                "chaque semaine, de 8 h à 13 h.",
                "<p>Fruits, légumes, fromages de chèvre, vins de Loire : le marché de "
                "producteurs reprend pour la belle saison. La circulation est interdite quai "
                "de Loire le samedi matin ; le parking de la Halle reste gratuit jusqu'à "
                "14 h.</p>",
            ),
            (
                "The farmers' market is back on the riverside",
                "farmers-market",
                "From Saturday, some thirty local producers set up on Quai de Loire every week, "
                "from 8 am to 1 pm.",
                "<p>Fruit, vegetables, goat's cheese, Loire wines: the farmers' market is back "
                "for the season. Quai de Loire is closed to traffic on Saturday mornings; the "
                "Halle car park stays free until 2 pm.</p>",
            ),
        ),
        (
            "news_works",
            9,
            (
                "Travaux rue Nationale : circulation alternée",
                "travaux-rue-nationale",
                "Le renouvellement des canalisations d'eau potable dure six semaines.",
                "<p>Entre la place de la Mairie et le pont, la circulation est alternée de "
                "8 h à 17 h en semaine. Les commerces restent ouverts et accessibles à pied. "
                "Les bus de la ligne 2 sont déviés par le boulevard des Tilleuls.</p>",
            ),
            (
                "Roadworks on Rue Nationale: alternating traffic",
                "rue-nationale-roadworks",
                "The renewal of the drinking-water pipes lasts six weeks.",
                "<p>Between Place de la Mairie and the bridge, traffic alternates from 8 am to "
                "5 pm on weekdays. Shops stay open and can be reached on foot. Bus line 2 is "
                "diverted along Boulevard des Tilleuls.</p>",
            ),
        ),
        (
            "news_budget",
            16,
            (
                "Budget participatif : déposez vos idées",
                "budget-participatif-idees",
                "400 000 € pour les projets des habitants : les propositions sont ouvertes "
                "jusqu'à fin février.",
                "<p>Un jardin partagé, un abri vélo, une boîte à livres ? Chaque habitant dès "
                "11 ans peut proposer un projet pour son quartier. Des ateliers d'aide au "
                "montage ont lieu chaque mercredi à la Maison des associations.</p>",
            ),
            (
                "Participatory budget: submit your ideas",
                "participatory-budget-ideas",
                "400,000 € for residents' projects: proposals are open until the end of February.",
                "<p>A shared garden, a bike shelter, a book box? Every resident aged 11 or more "
                "can propose a project for their neighbourhood. Workshops to help you shape "
                "it are held every Wednesday at the associations centre.</p>",
            ),
        ),
        (
            "news_council",
            23,
            (
                "Conseil municipal du mois",
                "conseil-municipal",
                "Le conseil a voté la rénovation énergétique de l'école des Tilleuls.",
                "<p>Les travaux, d'un montant de 1,2 million d'euros, auront lieu pendant les "
                "vacances d'été. Le compte rendu complet est disponible à l'accueil de la "
                "mairie. Les séances sont publiques.</p>",
            ),
            (
                "This month's town council",
                "town-council",
                "The council voted the energy renovation of Les Tilleuls school.",
                "<p>The works, costing 1.2 million euros, will take place during the summer "
                "holidays. The full minutes are available at the town hall's front desk. "
                "Council meetings are open to the public.</p>",
            ),
        ),
        (
            "news_library",
            30,
            (
                "La médiathèque ouvre le dimanche",
                "mediatheque-dimanche",
                "À titre d'essai, la médiathèque ouvre ses portes le dimanche de 14 h à 18 h.",
                "<p>Lecture, jeux de société, ateliers numériques : l'essai dure jusqu'à l'été. "
                "Donnez votre avis sur place ou par courriel à mediatheque@beaumont.example.</p>",
            ),
            (
                "The media library opens on Sundays",
                "media-library-sundays",
                "As a trial, the media library opens on Sundays from 2 pm to 6 pm.",
                "<p>Reading, board games, digital workshops: the trial runs until the summer. "
                "Tell us what you think on the spot or by e-mail to "
                "mediatheque@beaumont.example.</p>",
            ),
        ),
    ]
    specs = []
    for key, days_ago, fr, en in items:
        specs.append(
            PageSpec(
                key,
                NewsPage,
                "news_index",
                fr={"title": fr[0], "slug": fr[1], "summary": fr[2], "body": [text(fr[3])]},
                en={"title": en[0], "slug": en[1], "summary": en[2], "body": [text(en[3])]},
                days_ago=days_ago,
            )
        )
    return specs


HOME = PageSpec(
    "home",
    HomePage,
    None,
    fr={
        "title": "Bienvenue à Beaumont-sur-Loire",
        "slug": "accueil",
        "intro": "Le site de la ville : vos démarches, la vie de la commune et les services "
        "en ligne, ouverts jour et nuit.",
        "body": [
            cards(
                "Accès rapides",
                [
                    (
                        "Vos démarches",
                        "État civil, papiers d'identité, école, stationnement.",
                        "procedures",
                    ),
                    ("Vivre à Beaumont", "Déchets, associations, budget participatif.", "living"),
                    ("La mairie", "Horaires, adresse, contacts.", "town_hall"),
                ],
            ),
            call_to_action(
                "Budget participatif",
                "400 000 € pour vos idées : proposez un projet pour votre quartier.",
                link(page="budget", label="Découvrir le budget participatif"),
            ),
            news("Actualités", 3),
            services("Services en ligne"),
        ],
    },
    en={
        "title": "Welcome to Beaumont-sur-Loire",
        "slug": "home",
        "intro": "The town's website: your procedures, life in the town and online services, "
        "open day and night.",
        "body": [
            cards(
                "Quick access",
                [
                    ("Procedures", "Civil status, identity papers, school, parking.", "procedures"),
                    ("Living in Beaumont", "Waste, associations, participatory budget.", "living"),
                    ("Town hall", "Opening hours, address, contacts.", "town_hall"),
                ],
            ),
            call_to_action(
                "Participatory budget",
                "400,000 € for your ideas: propose a project for your neighbourhood.",
                link(page="budget", label="Discover the participatory budget"),
            ),
            news("News", 3),
            services("Online services"),
        ],
    },
)

MENU = ["procedures", "living", "town_hall", "news_index", "services"]
FOOTER = ["legal", "accessibility", "personal_data", "contact"]

ACCOUNTS = [
    # (e-mail, first name, last name, role)
    (f"admin@{DOMAIN}", "Hélène", "Marchand", "administrator"),
    (f"claire.martin@{DOMAIN}", "Claire", "Martin", "agent"),
    (f"karim.benali@{DOMAIN}", "Karim", "Benali", "agent"),
]

WORKGROUPS = [
    # (name, code, description, member e-mails): plugins give their demo objects to these codes.
    (
        "Accueil et état civil",
        "accueil",
        "Accueil de la mairie, état civil, élections.",
        [f"claire.martin@{DOMAIN}"],
    ),
    (
        "Voirie et propreté",
        "voirie",
        "Entretien des rues, éclairage public, propreté.",
        [f"karim.benali@{DOMAIN}"],
    ),
]


# --- building ---------------------------------------------------------------------------------


@dataclass
class DemoResult:
    """What ``build()`` did: the site, the pages it created this time, and the accounts."""

    site: Site
    created_pages: list[Page]
    page_count: int
    accounts: list[tuple[str, str, str]]  # (e-mail, role, password)
    credentials_path: Path


def all_specs() -> list[PageSpec]:
    """Every demo page, the home page first, parents before their children."""
    ordered: list[PageSpec] = []

    def walk(specs):
        for spec in specs:
            ordered.append(spec)
            walk(spec.children)

    walk([HOME, *_content_pages()])
    return ordered


def ensure_locales() -> dict[str, Locale]:
    """The Wagtail locales of the demo (French, English, Hungarian), created when missing."""
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in LANGUAGES}


def ensure_home(site: Site, locale: Locale, created: list[Page]) -> HomePage:
    """The French home page as ``site``'s root, replacing Wagtail's initial "Welcome" page."""
    current = site.root_page.specific
    if isinstance(current, HomePage):
        return current
    root = Page.get_first_root_node()
    home = HomePage.objects.child_of(root).filter(locale=locale, slug=HOME.fr["slug"]).first()
    if home is None:
        home = HomePage(
            title=HOME.fr["title"],
            slug=HOME.fr["slug"],
            intro=HOME.fr["intro"],
            locale=locale,
            live=False,
        )
        root.add_child(instance=home)
        created.append(home)
    site.root_page = home
    site.save()
    # Wagtail's placeholder: a bare Page, never edited, with no children.
    if type(current) is Page and current.depth == 2 and not current.get_children().exists():
        current.delete()
    return home


def ensure_page(spec: PageSpec, parent: Page, locale: Locale, created: list[Page]) -> Page:
    """The French page of ``spec`` under ``parent``, found by its slug or created as a draft."""
    existing = parent.get_children().filter(slug=spec.fr["slug"], locale=locale).first()
    if existing is not None:
        return existing.specific
    page = spec.model(
        title=spec.fr["title"],
        slug=spec.fr["slug"],
        locale=locale,
        live=False,
        **_fields(spec, "fr"),
    )
    parent.add_child(instance=page)
    created.append(page)
    return page


def ensure_translation(page: Page, spec: PageSpec, locale: Locale, created: list[Page]) -> Page:
    """The translation of ``page`` into ``locale``, copied with ``copy_for_translation`` if missing."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.copy_for_translation(locale).specific
    content = getattr(spec, locale.language_code)
    if spec.parent is not None:  # a home page's slug is never part of an address
        # Written straight to the row: a translation that was never live needs no redirect
        # from the copied slug (Wagtail would create one on a slug change).
        translation.slug = content["slug"]
        translation.set_url_path(translation.get_parent())
        Page.objects.filter(pk=translation.pk).update(
            slug=translation.slug, url_path=translation.url_path
        )
    translation.title = translation.draft_title = content["title"]
    for name, value in _fields(spec, locale.language_code).items():
        setattr(translation, name, value)
    translation.save()
    created.append(translation)
    return translation


def _fields(spec: PageSpec, language: str) -> dict:
    content = getattr(spec, language)
    values = {}
    if "intro" in content:
        values["intro"] = content["intro"]
    if "summary" in content:
        values["summary"] = content["summary"]
    if spec.model is NewsPage:
        values["date"] = timezone.localdate() - timedelta(days=spec.days_ago)
    return values


_REF = re.compile(r"@@(\w+)@@")


def _resolve(blocks: list[dict], ids: dict[str, int]) -> list[dict]:
    """The body with every page key replaced by the page's id."""

    def walk(value):
        if isinstance(value, dict):
            out = {k: walk(v) for k, v in value.items()}
            if set(out) == {"page", "url", "label"} and isinstance(out["page"], str):
                out["page"] = ids[out["page"]]
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            return _REF.sub(lambda m: str(ids[m.group(1)]), value)
        return value

    return walk(blocks)


def publish_with_body(page: Page, body: list[dict] | None, ids: dict[str, int]) -> None:
    """Give a newly created page its blocks, then publish it (one revision)."""
    # Fresh from the database: the copy in memory may hold a stale tree (numchild), which
    # publishing would write back.
    page = Page.objects.get(pk=page.pk).specific
    if body is not None and hasattr(page, "body"):
        page.body = _resolve(body, ids)
    page.save_revision().publish()


def ensure_settings(site: Site, pages: dict[str, Page]) -> None:
    """Identity, main menu and footer of the site, filled only where still empty."""
    identity = SiteIdentity.for_site(site)
    if identity.name == SiteIdentity._meta.get_field("name").default:
        identity.name = TOWN
        identity.tagline = "Le site officiel de la ville"
        identity.contact_email = EMAIL
        identity.contact_phone = PHONE
        identity.address = ADDRESS
        identity.save()

    navigation = Navigation.for_site(site)
    if not navigation.menu_items.exists():
        for order, key in enumerate(MENU):
            MenuItem.objects.create(navigation=navigation, sort_order=order, link_page=pages[key])
    if not navigation.footer_links.exists():
        for order, key in enumerate(FOOTER):
            FooterLink.objects.create(navigation=navigation, sort_order=order, link_page=pages[key])
    if not navigation.footer_text:
        navigation.footer_text = (
            "<p>Beaumont-sur-Loire est une commune <b>fictive</b> : ce site est la démonstration "
            "de Lutetia.</p>"
        )
        navigation.save()


def ensure_agents_group(homes: list[Page]) -> Group:
    """The "Agents" group: back-office access, and editing of the site's pages and media."""
    group, _created = Group.objects.get_or_create(name=AGENTS_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for home in homes:
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=home,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    # Wagtail's migrations create the root collection; a flushed database has none.
    root_collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for app, codenames in (
        ("wagtailimages", ("add_image", "choose_image")),
        ("wagtaildocs", ("add_document", "choose_document")),
    ):
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=Permission.objects.get(content_type__app_label=app, codename=codename),
            )
    return group


def read_credentials(path: Path) -> dict[str, str]:
    """E-mail → password, as kept by an earlier run (empty when there is no file)."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            email, _sep, password = line.strip().partition(" ")
            found[email] = password.strip()
    return found


def write_credentials(path: Path, passwords: dict[str, str]) -> None:
    """Keep the demo passwords in ``path``, readable by its owner only (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Lutetia demo accounts: e-mail and password. Keep this file private."]
    lines += [f"{email} {password}" for email, password in passwords.items()]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    path.chmod(0o600)


def ensure_accounts(group: Group, credentials_path: Path) -> list[tuple[str, str, str]]:
    """The administrator and the two agents, with passwords generated once and kept on disk.

    A password is generated (and set) only for an account the file does not know yet; an
    existing account keeps its password, so one changed in the back office is not reset.
    Their e-mail addresses count as verified (``lutetia.accounts.services``): they sign in at
    once, at /account/login/.
    """
    from lutetia.accounts import services as accounts

    User = get_user_model()
    passwords = read_credentials(credentials_path)
    accounts_created = []
    changed = False
    for email, first_name, last_name, role in ACCOUNTS:
        user = User.objects.filter(email__iexact=email).first()
        if email not in passwords:
            passwords[email] = secrets.token_urlsafe(12)
            changed = True
            if user is not None:
                user.set_password(passwords[email])
                user.save(update_fields=["password"])
        if user is None:
            user = accounts.create_user(
                email,
                passwords[email],
                verified=True,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
                is_superuser=role == "administrator",
                language="fr",
            )
        else:
            accounts.mark_email_verified(user)
        if role == "agent":
            user.groups.add(group)
        accounts_created.append((email, role, passwords[email]))
    if changed or not credentials_path.exists():
        write_credentials(credentials_path, passwords)
    return accounts_created


def ensure_workgroups() -> list[Workgroup]:
    """The demo's workgroups, each with its agent; an existing workgroup keeps its edits."""
    User = get_user_model()
    workgroups = []
    for name, code, description, emails in WORKGROUPS:
        workgroup, created = Workgroup.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        if created:
            workgroup.members.add(*User.objects.filter(email__in=emails))
        workgroups.append(workgroup)
    return workgroups


def _site_address(site: Site) -> None:
    """Point Wagtail's untouched default site (localhost:80) at the configured public address."""
    if (site.hostname, site.port) != ("localhost", 80):
        return
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL or "")
    if parts.hostname:
        site.hostname = parts.hostname
        site.port = parts.port or (443 if parts.scheme == "https" else 80)
        site.site_name = TOWN
        site.save()


def build(stdout=None) -> DemoResult:
    """Create whatever is missing of the demo city, then let plugins add theirs.

    Runs in one transaction (nothing half-built stays); sends ``demo_requested`` afterwards.
    """
    credentials_path = Path(settings.DATA_DIR) / CREDENTIALS_FILE
    created: list[Page] = []
    with transaction.atomic():
        locales = ensure_locales()
        fr, en = locales["fr"], locales["en"]
        # Wagtail's migrations create the tree's root and a default site; a flushed database
        # (as after a transactional test) has neither.
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=fr)
        )
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site.objects.create(
                hostname="localhost", port=80, root_page=root, is_default_site=True
            )
        _site_address(site)

        specs = all_specs()
        french: dict[str, Page] = {}
        english: dict[str, Page] = {}
        for spec in specs:
            if spec.parent is None:
                page = ensure_home(site, fr, created)
            else:
                page = ensure_page(spec, french[spec.parent], fr, created)
            french[spec.key] = page
            english[spec.key] = ensure_translation(page, spec, en, created)

        ids = {key: page.pk for key, page in french.items()}
        new = {page.pk for page in created}
        for spec in specs:
            for language, pages in (("fr", french), ("en", english)):
                page = pages[spec.key]
                if page.pk in new:
                    publish_with_body(page, getattr(spec, language).get("body"), ids)

        ensure_settings(site, french)
        group = ensure_agents_group([french["home"], english["home"]])
        accounts = ensure_accounts(group, credentials_path)
        ensure_workgroups()

    # Whatever the task backend (a queue in production), the demo is searchable at once.
    for page in Page.objects.filter(pk__in=[p.pk for p in created]).specific():
        index.insert_or_update_object(page)

    demo_requested.send(sender=None, site=site, stdout=stdout)
    return DemoResult(
        site=site,
        created_pages=created,
        page_count=len(french) + len(english),
        accounts=accounts,
        credentials_path=credentials_path,
    )


def sign_in_instructions(result: DemoResult) -> str:
    """How to sign in to the back office with the demo accounts (printed on every run)."""
    base_url = (settings.WAGTAILADMIN_BASE_URL or "http://127.0.0.1:8000").rstrip("/")
    admin_url = base_url + "/admin/"
    roles = {"administrator": _("administrator"), "agent": _("agent")}
    lines = [
        _("Open %(url)s and sign in as one of:") % {"url": admin_url},
        *(
            _("  %(email)s (%(role)s), password: %(password)s")
            % {"email": email, "role": roles[role], "password": password}
            for email, role, password in result.accounts
        ),
        _(
            "The sign-in page, for agents and citizens alike, is %(url)s: agents land in the "
            "back office."
        )
        % {"url": base_url + "/account/login/"},
        _("The passwords are kept in %(path)s.") % {"path": result.credentials_path},
    ]
    return "\n".join(lines)
