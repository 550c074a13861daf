"""Keeping the few tickets that pull a KPI down the most while the KPI's own loop runs.

Each KPI function offers its candidates (bad ratings, missed targets, …) as it measures; only
the worst `TICKETS_PER_KPI` are kept, so the drill-down costs one comparison per candidate
instead of another pass over the window.
"""

from __future__ import annotations

import heapq
import math

from backend.scoring.report import DrillDownTicket

TICKETS_PER_KPI = 3


_Offer = tuple[float, int, str, float | None, float | None]  # rank, −id, reason, value, target


class WorstTickets:
    """The `limit` highest-ranked tickets offered so far; on equal rank the lower id wins."""

    __slots__ = ("_heap", "floor", "floor_id", "limit")

    def __init__(self, limit: int = TICKETS_PER_KPI) -> None:
        self.limit = limit
        self._heap: list[_Offer] = []  # a min-heap: the weakest kept offer is first
        # The weakest kept offer once the list is full: only a higher rank, or the same rank
        # with a lower id, gets in (`beats`), so callers skip the rest without a call.
        self.floor = -math.inf
        self.floor_id = 0

    def offer(
        self,
        rank: float,
        ticket_id: int,
        reason: str,
        value: float | None = None,
        target: float | None = None,
    ) -> None:
        heap = self._heap
        if len(heap) < self.limit:
            heapq.heappush(heap, (rank, -ticket_id, reason, value, target))
        elif (rank, -ticket_id) > heap[0][:2]:
            heapq.heapreplace(heap, (rank, -ticket_id, reason, value, target))
        else:
            return
        if len(heap) == self.limit:
            self.floor, self.floor_id = heap[0][0], -heap[0][1]

    def beats(self, rank: float, ticket_id: int) -> bool:
        """Whether an offer would get in; callers inline this test in their hot loops."""
        return rank > self.floor or (rank == self.floor and ticket_id < self.floor_id)

    def tickets(self) -> tuple[DrillDownTicket, ...]:
        """Worst first."""
        return tuple(
            DrillDownTicket(-negated_id, reason, value, target)
            for _, negated_id, reason, value, target in sorted(self._heap, reverse=True)
        )
