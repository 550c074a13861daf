"""Built-in recommended actions per (KPI, colour) in English and German, for a CS manager.

The German texts address the reader as "Sie", like every other German text of the product.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

SUPPORTED_LANGUAGES: Final = ("en", "de")

BUILT_IN: Final[Mapping[str, Mapping[tuple[str, str], str]]] = {
    "en": {
        ("balance", "yellow"): (
            "Support is eating into this customer's margin. Review which tickets take the most "
            "time, point the customer to self-service for routine questions, and check that the "
            "contract covers the support they actually use."
        ),
        ("balance", "red"): (
            "Serving this customer costs too much of what they pay, or more. Review the contract "
            "with the account owner: propose a support plan or upsell that matches their usage, "
            "and cut the cost to serve with macros, help-center articles and a named contact for "
            "recurring issues."
        ),
        ("feedback", "yellow"): (
            "Satisfaction is slipping. Read this customer's recent bad ratings, reply to each "
            "comment personally, and share what you changed."
        ),
        ("feedback", "red"): (
            "This customer is unhappy with support. Call the main contact this week, go through "
            "every bad rating with them, agree on fixes, and follow up until the ratings recover."
        ),
        ("touchpoints", "yellow"): (
            "Too many tickets need more than one reply. Find the questions agents keep asking and "
            "add those fields to the ticket form, or answer them up front with a macro."
        ),
        ("touchpoints", "red"): (
            "Ticket ping-pong: most tickets need several replies. Make the ticket form ask for the "
            "missing information, publish knowledge-base articles for the recurring questions, "
            "and give agents macros that ask everything needed in the first reply."
        ),
        ("sla", "yellow"): (
            "SLA targets are at risk. Check which priority misses most, route those tickets to "
            "the right group, and set internal targets stricter than the promised ones so misses "
            "show early."
        ),
        ("sla", "red"): (
            "SLA targets are being missed. Find out why with the team lead: train or staff the "
            "team that owns these tickets, tighten internal targets, and, for a new customer, "
            "renegotiate targets you cannot keep yet. Missed SLAs are a top churn risk."
        ),
    },
    "de": {
        ("balance", "yellow"): (
            "Der Support schmälert die Marge dieses Kunden. Prüfen Sie, welche Tickets am "
            "meisten Zeit kosten, verweisen Sie bei Routinefragen auf Self-Service und klären "
            "Sie, ob der Vertrag den tatsächlich genutzten Support abdeckt."
        ),
        ("balance", "red"): (
            "Der Support für diesen Kunden kostet einen zu großen Teil dessen, was er zahlt, "
            "oder sogar mehr. Besprechen Sie den Vertrag mit dem Account-Owner: Bieten Sie einen "
            "passenden Supportplan oder ein Upgrade an und senken Sie die Kosten mit Makros, "
            "Hilfe-Center-Artikeln und einem festen Ansprechpartner für wiederkehrende Anliegen."
        ),
        ("feedback", "yellow"): (
            "Die Zufriedenheit sinkt. Lesen Sie die letzten schlechten Bewertungen dieses "
            "Kunden, antworten Sie persönlich auf jeden Kommentar und teilen Sie mit, was Sie "
            "geändert haben."
        ),
        ("feedback", "red"): (
            "Dieser Kunde ist mit dem Support unzufrieden. Rufen Sie diese Woche den "
            "Hauptkontakt an, gehen Sie jede schlechte Bewertung mit ihm durch, vereinbaren Sie "
            "gemeinsam Verbesserungen und bleiben Sie dran, bis sich die Bewertungen erholen."
        ),
        ("touchpoints", "yellow"): (
            "Zu viele Tickets brauchen mehr als eine Antwort. Finden Sie die Rückfragen, die "
            "Agenten immer wieder stellen, und nehmen Sie die passenden Felder ins "
            "Ticketformular auf, oder beantworten Sie die Fragen vorab mit einem Makro."
        ),
        ("touchpoints", "red"): (
            "Ticket-Pingpong: Die meisten Tickets brauchen mehrere Antworten. Lassen Sie das "
            "Ticketformular die fehlenden Angaben abfragen, veröffentlichen Sie Artikel zu den "
            "häufigen Fragen im Hilfe-Center und geben Sie den Agenten Makros, die in der "
            "ersten Antwort alles Nötige erfragen."
        ),
        ("sla", "yellow"): (
            "Die SLA-Ziele sind gefährdet. Prüfen Sie, bei welcher Priorität die meisten "
            "Verfehlungen auftreten, leiten Sie diese Tickets an die richtige Gruppe weiter und "
            "setzen Sie die internen Ziele strenger als die zugesagten, damit Verfehlungen früh "
            "auffallen."
        ),
        ("sla", "red"): (
            "Die SLA-Ziele werden verfehlt. Klären Sie mit der Teamleitung die Ursache: Schulen "
            "oder verstärken Sie das zuständige Team, verschärfen Sie die internen Ziele und "
            "verhandeln Sie bei Neukunden Ziele nach, die sich noch nicht halten lassen. "
            "Verfehlte SLAs sind ein häufiger Kündigungsgrund."
        ),
    },
}


def language_of(locale: str | None) -> str:
    """`de-CH` → `de`; anything without a built-in text set falls back to English."""
    language = (locale or "en").split("-")[0].split("_")[0].lower()
    return language if language in SUPPORTED_LANGUAGES else "en"


def built_in_text(kpi: str, colour: str, locale: str | None) -> str:
    return BUILT_IN[language_of(locale)][(kpi, colour)]
