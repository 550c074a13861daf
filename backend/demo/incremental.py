"""The orders of Zendesk's incremental exports over the demo account.

Tickets (cursor export) come in (updated_at, revision, id) order: generated tickets sit in
one packed, sorted array (8 bytes each) built once per account, runtime changes in a short
sorted list beside it, merged when a page is read. A cursor is the key of the last ticket
handed out, so a change made after a page was served always sorts after it, even within the
same second. Organizations (time-based export) come in (updated_at, id) order and a page
never splits a second, as Zendesk's time-based exports do.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from backend.demo.pagination import InvalidPagination
from backend.demo.ticket_store import PackedTickets
from backend.demo.tickets import TICKET_ID_STRIDE, TicketRecord

ExportKey = tuple[int, int, int]  # (updated_at, revision, ticket id)
_AFTER_ALL: Final = 2**62  # sorts after every revision and id of the same second
_ORDINAL_BITS: Final = 32
_ORDINAL_MASK: Final = (1 << _ORDINAL_BITS) - 1
T = TypeVar("T")


def before(start_time: int) -> ExportKey:
    """The position just before every ticket updated at or after `start_time`."""
    return (start_time - 1, _AFTER_ALL, _AFTER_ALL)


@dataclass(frozen=True, slots=True)
class TicketPage:
    records: list[TicketRecord]
    last_key: ExportKey  # the cursor to continue from (the request's own when nothing came)
    end_of_stream: bool


class GeneratedTickets:
    """Every generated ticket of the account in export order, 8 bytes each.

    `stores[k]` holds the tickets of the organization with index k; a ticket's ordinal is its
    position over all stores, and the array holds updated_at << 32 | ordinal, ascending.
    """

    def __init__(self, stores: Sequence[PackedTickets]) -> None:
        self._stores = list(stores)
        self._offsets: list[int] = []
        keys: list[int] = []
        ordinal = 0
        for store in self._stores:
            self._offsets.append(ordinal)
            keys.extend((updated << _ORDINAL_BITS) | (ordinal + position)
                        for position, updated in enumerate(store.updated_times()))  # fmt: skip
            ordinal += len(store)
        if ordinal > _ORDINAL_MASK:
            raise ValueError("more generated tickets than the export index can address")
        keys.sort()
        self._keys = array("Q", keys)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        return self._keys.itemsize * len(self._keys)

    def _ordinal(self, ticket_id: int) -> int:
        """The generated ticket's ordinal; InvalidPagination for an id no cursor of ours holds."""
        index, seq = divmod(ticket_id, TICKET_ID_STRIDE)
        slot = index - 1
        if not 0 <= slot < len(self._stores) or not 1 <= seq <= len(self._stores[slot]):
            raise InvalidPagination("invalid cursor")
        return self._offsets[slot] + seq - 1

    def _locate(self, ordinal: int) -> tuple[PackedTickets, int]:
        # An organization without tickets shares its offset with the next one; bisect_right
        # picks the last of them, the one that holds the ticket.
        slot = bisect_right(self._offsets, ordinal) - 1
        return self._stores[slot], ordinal - self._offsets[slot]

    def position_after(self, key: ExportKey) -> int:
        updated, revision, ticket_id = key
        if revision == 0:  # a generated ticket's own key
            return bisect_right(self._keys, (updated << _ORDINAL_BITS) | self._ordinal(ticket_id))
        return bisect_right(self._keys, (updated << _ORDINAL_BITS) | _ORDINAL_MASK)

    def entries(self, position: int) -> Iterator[tuple[ExportKey, PackedTickets, int]]:
        """(key, store, position in store) from `position` on, in export order."""
        keys = self._keys
        for at in range(position, len(keys)):
            value = keys[at]
            store, offset = self._locate(value & _ORDINAL_MASK)
            yield (value >> _ORDINAL_BITS, 0, store.first_id + offset), store, offset


def ticket_page(
    generated: GeneratedTickets,
    changes: Sequence[ExportKey],
    current: Callable[[int], TicketRecord | None],
    replaced: Container[int],
    *,
    after: ExportKey,
    per_page: int,
    until: int,
    exclude_deleted: bool,
) -> TicketPage:
    """Up to `per_page` tickets after `after`, updated no later than `until`.

    `changes` are the keys of runtime changes (ascending; a key whose revision is no longer the
    ticket's current one is stale), `current(id)` a changed ticket's present state, and
    `replaced` the ids of generated tickets that a runtime change superseded.
    """
    page: list[TicketRecord] = []
    last = after
    for key, record in _merged(generated, changes, current, replaced, after, until):
        if exclude_deleted and record.status == "deleted":
            continue
        if len(page) == per_page:
            return TicketPage(page, last, end_of_stream=False)
        page.append(record)
        last = key
    return TicketPage(page, last, end_of_stream=True)


def _merged(
    generated: GeneratedTickets,
    changes: Sequence[ExportKey],
    current: Callable[[int], TicketRecord | None],
    replaced: Container[int],
    after: ExportKey,
    until: int,
) -> Iterator[tuple[ExportKey, TicketRecord]]:
    base = generated.entries(generated.position_after(after))
    change_position = bisect_right(changes, after)
    next_base = next(base, None)
    while True:
        change = changes[change_position] if change_position < len(changes) else None
        if next_base is not None and (change is None or next_base[0] < change):
            key, store, offset = next_base
            next_base = next(base, None)
            if key[0] > until:
                return
            if key[2] not in replaced:
                yield key, store[offset]
        elif change is not None:
            change_position += 1
            if change[0] > until:
                return
            record = current(change[2])
            if record is not None and record.revision == change[1]:
                yield change, record
        else:
            return


@dataclass(frozen=True, slots=True)
class TimePage:
    start: int  # index of the first item in the ordered list
    end: int  # index after the last item
    end_time: int
    end_of_stream: bool


def time_page(times: Sequence[int], start_time: int, per_page: int, until: int) -> TimePage:
    """A page of a time-based export over items ordered by time (`times`, ascending).

    As Zendesk's time-based exports: items with time ≥ start_time; a page never splits a
    second, so it may hold more than `per_page` items; `end_time` (the next start_time) is the
    last item's time, so the next page repeats that second's items (clients dedupe by id).
    A page of a single second ends one second later instead, or a client would loop on it.
    """
    start = bisect_left(times, start_time)
    last = bisect_right(times, until)
    end = min(start + per_page, last)
    if end == start:
        return TimePage(start, start, start_time, end_of_stream=True)
    end_time = times[end - 1]
    end = bisect_right(times, end_time, lo=end)  # the rest of the last second
    if times[start] == end_time and end < last:
        end_time += 1
    return TimePage(start, end, end_time, end_of_stream=end >= last)
