"""Injected failures of the demo Zendesk, so clients can be tested against a misbehaving API.

Each API request draws once: with the configured probabilities it is answered 429 (with
Retry-After, sometimes an HTML body as real Zendesk sends), 500, 503 (with or without
Retry-After), delayed past a client's timeout, or given truncated JSON. Seeded, the sequence
of faults is the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any, Literal

Fault = Literal["429", "500", "503", "slow", "malformed"]


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Fractions (0–1) of API requests that fail in each way; they must sum to at most 1."""

    rate_429: float = 0
    retry_after: int = 1
    rate_500: float = 0
    rate_503: float = 0
    rate_slow: float = 0
    slow_seconds: float = 5
    rate_malformed: float = 0
    seed: int | None = None

    def __post_init__(self) -> None:
        rates = (self.rate_429, self.rate_500, self.rate_503, self.rate_slow, self.rate_malformed)
        if any(r < 0 or r > 1 for r in rates) or sum(rates) > 1 + 1e-9:
            raise ValueError("fault rates must each be within 0..1 and sum to at most 1")
        if self.retry_after < 0 or self.slow_seconds < 0:
            raise ValueError("retry_after and slow_seconds must not be negative")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Draws the fault (or None) for each request from the current config."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)

    def draw(self) -> Fault | None:
        config = self.config
        roll = self._rng.random()
        for fault, rate in (
            ("429", config.rate_429),
            ("500", config.rate_500),
            ("503", config.rate_503),
            ("slow", config.rate_slow),
            ("malformed", config.rate_malformed),
        ):
            if roll < rate:
                return fault  # type: ignore[return-value]
            roll -= rate
        return None

    def coin(self) -> bool:
        """A second seeded draw, for the variant of a fault (HTML body, Retry-After or not)."""
        return self._rng.random() < 0.5
