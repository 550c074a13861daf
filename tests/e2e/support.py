"""What the e2e tests expect the sidebar to show, computed independently of the app's JS.

The numbers are formatted the way zendesk_app/assets/format.js does (Intl.NumberFormat with
round-half-away-from-zero, a real minus sign, U+202F before "%"); the words are the agent-facing
strings the tests hold the app to, written out here rather than read from the app.
"""

from __future__ import annotations

import math
import re
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Final

from jose import jwt

REPO: Final = Path(__file__).resolve().parents[2]
ARTIFACTS: Final = REPO / "test-artifacts" / "e2e"
SCREENSHOTS: Final = REPO / "docs" / "screenshots"

CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

AUDIENCE: Final = "customer-health"
INSTALLATION_ID: Final = 1001
MINUS: Final = "\u2212"
NARROW_NBSP: Final = "\u202f"
DASH: Final = "\u2013"

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "green": "Healthy",
        "yellow": "At risk",
        "red": "Critical",
        "grey": "No data",
        "balance": "Balance",
        "feedback": "Feedback",
        "touchpoints": "Touchpoints",
        "sla": "SLA",
        "value_balance": "Margin {value}",
        "value_feedback": "CSAT {value}",
        "value_touchpoints": "One-touch {value}",
        "value_sla": "SLA met {value}",
        "not_enough_data": "not enough data",
        "kpis_heading": "Key figures",
        "recommendations_heading": "Recommended actions",
        "goal_reached": "Goal reached · {target}",
        "goal_gap_one": "Goal {target} · 1 point to go",
        "goal_gap_other": "Goal {target} · {n} points to go",
        "trend_none": "No 30-day trend yet",
        "trend_flat": "► unchanged in 30 days",
        "trend_up": "▲ {delta} in 30 days",
        "trend_down": "▼ {delta} in 30 days",
        "window": "Key figures of the last {days} days",
        "reason_too_few_data_points": "Only {n} data points; at least {min} are needed.",
        "reason_no_ratings": "No satisfaction ratings in the last {days} days.",
        "reason_no_solved_with_metrics": "No solved tickets with metrics in the last {days} days.",
        "reason_no_sla_times": (
            "No solved tickets with reply or resolution times in the last {days} days."
        ),
        "reason_no_revenue": (
            "No revenue: the organization field “{field}” is empty, not a number, or not above 0."
        ),
        "phase_onboarding": "Onboarding",
        "phase_adoption": "Adoption",
        "phase_success": "Success",
        "refresh": "Refresh",
        "reason_no_tickets": "No tickets in the last {days} days.",
        "scale_bad": "bad {value}",
        "scale_good": "good {value}",
        "more_one": "Show 1 more recommendation",
        "more_other": "Show {n} more recommendations",
    },
    "de": {
        "green": "Gesund",
        "yellow": "Gefährdet",
        "red": "Kritisch",
        "grey": "Keine Daten",
        "balance": "Bilanz",
        "feedback": "Feedback",
        "touchpoints": "Kontaktpunkte",
        "sla": "SLA",
        "value_balance": "Marge {value}",
        "value_feedback": "CSAT {value}",
        "value_touchpoints": "Erstlösung {value}",
        "value_sla": "SLA erfüllt {value}",
        "not_enough_data": "zu wenig Daten",
        "kpis_heading": "Kennzahlen",
        "recommendations_heading": "Empfohlene Maßnahmen",
        "goal_reached": "Ziel erreicht · {target}",
        "goal_gap_one": "Ziel {target} · noch 1 Punkt",
        "goal_gap_other": "Ziel {target} · noch {n} Punkte",
        "trend_none": "Noch kein 30-Tage-Trend",
        "trend_flat": "► seit 30 Tagen unverändert",
        "trend_up": "▲ {delta} in 30 Tagen",
        "trend_down": "▼ {delta} in 30 Tagen",
        "window": "Kennzahlen der letzten {days} Tage",
        "reason_too_few_data_points": "Nur {n} Datenpunkte; mindestens {min} sind nötig.",
        "reason_no_ratings": "Keine Zufriedenheitsbewertungen in den letzten {days} Tagen.",
        "reason_no_solved_with_metrics": (
            "Keine gelösten Tickets mit Metriken in den letzten {days} Tagen."
        ),
        "reason_no_sla_times": (
            "Keine gelösten Tickets mit Antwort- oder Lösungszeiten in den letzten {days} Tagen."
        ),
        "reason_no_revenue": (
            "Kein Umsatz: Das Organisationsfeld „{field}“ ist leer, keine Zahl "
            "oder nicht größer als 0."
        ),
        "phase_onboarding": "Onboarding",
        "phase_adoption": "Adoption",
        "phase_success": "Erfolg",
        "refresh": "Aktualisieren",
        "reason_no_tickets": "Keine Tickets in den letzten {days} Tagen.",
        "scale_bad": "schlecht {value}",
        "scale_good": "gut {value}",
        "more_one": "1 weitere Empfehlung anzeigen",
        "more_other": "{n} weitere Empfehlungen anzeigen",
    },
}
SEPARATORS: Final = {"en": (",", "."), "de": (".", ",")}  # (grouping, decimal)


def sign(secret: str, subdomain: str, *, lifetime: int = 600) -> str:
    """A token with the claims the app's signed request carries (DESIGN §3)."""
    now = int(time.time())
    claims = {
        "iss": subdomain,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "installation_id": INSTALLATION_ID,
        "sub": "1",
    }
    token: str = jwt.encode(claims, secret, algorithm="HS256")
    return token


def format_number(value: Any, language: str, fraction_digits: int = 0) -> str:
    """format.js formatNumber: rounded, grouped, minus sign only when not rounded to zero."""
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        return DASH
    number = float(value)
    rounded = Decimal(abs(number)).quantize(Decimal(1).scaleb(-fraction_digits), ROUND_HALF_UP)
    whole, _, fraction = f"{rounded:f}".partition(".")
    fraction = fraction.rstrip("0")
    group, decimal = SEPARATORS[language]
    grouped = f"{int(whole):,}".replace(",", group)
    text = grouped + (decimal + fraction if fraction else "")
    return MINUS + text if number < 0 and rounded != 0 else text


def format_value(value: Any, unit: str | None, language: str) -> str:
    number = format_number(value, language)
    if not unit:
        return number
    return f"{number}{NARROW_NBSP}%" if unit == "%" else f"{number} {unit}"


def kpi_value_text(kpi: dict[str, Any], language: str) -> str:
    words = WORDS[language]
    if kpi["value"] is None or kpi["colour"] == "grey":
        return words["not_enough_data"]
    shown = format_value(kpi["value"], kpi.get("unit"), language)
    return words[f"value_{kpi['key']}"].format(value=shown)


def goal_text(goal: dict[str, Any] | None, language: str) -> str | None:
    words = WORDS[language]
    if not goal or goal.get("target") is None:
        return None
    target = format_number(goal["target"], language)
    if goal.get("reached"):
        return words["goal_reached"].format(target=target)
    if goal.get("gap") is None:
        return None
    n = max(1, int(Decimal(float(goal["gap"])).quantize(Decimal(1), ROUND_HALF_UP)))
    key = "goal_gap_one" if n == 1 else "goal_gap_other"
    return words[key].format(target=target, n=n)


def reason_text(kpi: dict[str, Any], window_days: int, language: str) -> str:
    """A grey KPI's reason as the card words it: from its code, in the agent's language."""
    detail = kpi.get("detail") or {}
    return WORDS[language][f"reason_{detail['reason_code']}"].format(
        n=format_number(kpi["sample_size"], language),
        min=format_number(detail.get("min_sample", 0), language),
        days=format_number(window_days, language),
        field=detail.get("revenue_field", ""),
    )


def trend_text(trend: dict[str, Any] | None, language: str) -> str:
    words = WORDS[language]
    delta = (trend or {}).get("delta_30d")
    if delta is None:
        return words["trend_none"]
    if abs(delta) < 0.05:
        return words["trend_flat"]
    shown = format_number(abs(delta), language, 1)
    return words["trend_up" if delta > 0 else "trend_down"].format(delta=shown)


# --- contrast (WCAG 2.1 relative luminance), from colours as Chromium computes them ---------

_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)")


def parse_colour(css: str) -> tuple[float, float, float, float]:
    """'rgb(3, 129, 83)' or 'rgba(0, 0, 0, 0)' → (r, g, b, alpha)."""
    match = _RGB.fullmatch(css.strip())
    assert match, f"not an rgb() colour: {css!r}"
    r, g, b = (float(match[i]) for i in (1, 2, 3))
    return r, g, b, float(match[4]) if match[4] is not None else 1.0


def _luminance(css: str) -> float:
    r, g, b, alpha = parse_colour(css)
    assert alpha == 1.0, f"contrast needs opaque colours, got {css}"

    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
