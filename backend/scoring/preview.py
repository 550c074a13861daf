"""What candidate settings would do: their colour distribution and every change of colour."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.scoring.portfolio import Distribution, distribution
from backend.scoring.report import Colour


@dataclass(frozen=True, slots=True)
class ScoredOrganization:
    """One organization's score and colour under one set of settings."""

    id: int
    name: str
    score: float | None
    colour: Colour


@dataclass(frozen=True, slots=True)
class ColourChange:
    id: int
    name: str
    from_colour: Colour
    to_colour: Colour
    score: float | None
    previous_score: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "from": self.from_colour,
            "to": self.to_colour,
            "score": self.score,
            "previous_score": self.previous_score,
        }


@dataclass(frozen=True, slots=True)
class Preview:
    distribution: Distribution
    changes: tuple[ColourChange, ...]
    organizations: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "organizations": self.organizations,
        }


def preview(
    current: Iterable[ScoredOrganization], candidate: Iterable[ScoredOrganization]
) -> Preview:
    """The candidate's distribution, how many it scores, and every organization whose colour
    differs from its current one (matched by id; one unknown to `current` was grey).

    Changes come lowest candidate score first (no score last), then by id, so the
    organizations that would look worst lead the list.
    """
    before = {o.id: o for o in current}
    after = list(candidate)
    changes = []
    for org in after:
        previous = before.get(org.id)
        from_colour: Colour = "grey" if previous is None else previous.colour
        if org.colour != from_colour:
            changes.append(
                ColourChange(
                    org.id,
                    org.name,
                    from_colour,
                    org.colour,
                    org.score,
                    None if previous is None else previous.score,
                )
            )
    changes.sort(key=lambda c: (c.score is None, c.score or 0.0, c.id))
    counted = distribution(o.colour for o in after)
    return Preview(counted, tuple(changes), counted.scored)
