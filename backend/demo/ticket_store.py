"""An organization's generated tickets packed into one `bytes` (41 bytes a ticket).

Python objects cost about 450 bytes a ticket; packed, a million-ticket account fits in about
40 MB, and any ticket is read back as a `TicketRecord` in a microsecond or two, so pages of
the incremental export can pick tickets from thousands of organizations without regenerating
any of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from backend.demo.tickets import ROW, STATUSES, Row, TicketRecord, record_from_row

_CLOSED = STATUSES.index("closed")


class PackedTickets(Sequence[TicketRecord]):
    """Generated tickets of one organization in creation order; ticket i has id first_id + i."""

    def __init__(
        self, rows: Iterable[Row], *, first_id: int, organization_id: int, requesters: int
    ) -> None:
        pack = ROW.pack
        self._data = b"".join(pack(*row) for row in rows)
        self._count = len(self._data) // ROW.size
        self.first_id = first_id
        self.organization_id = organization_id
        self._requesters = requesters

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, position: int) -> TicketRecord: ...
    @overload
    def __getitem__(self, position: slice) -> list[TicketRecord]: ...

    def __getitem__(self, position: int | slice) -> TicketRecord | list[TicketRecord]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(self._count))]
        if position < 0:
            position += self._count
        if not 0 <= position < self._count:
            raise IndexError(position)
        row: Row = ROW.unpack_from(self._data, position * ROW.size)
        return record_from_row(
            row, self.first_id + position, self.organization_id, self._requesters
        )

    def __iter__(self) -> Iterator[TicketRecord]:
        for position, row in enumerate(ROW.iter_unpack(self._data)):
            yield record_from_row(
                row, self.first_id + position, self.organization_id, self._requesters
            )

    def updated_times(self) -> Iterator[int]:
        """Each ticket's updated_at, in creation order, without building records."""
        return (row[1] for row in ROW.iter_unpack(self._data))

    def unarchived_positions(self, closed_before: int) -> list[int]:
        """Positions of the tickets not archived: all but those closed before `closed_before`."""
        return [
            position
            for position, row in enumerate(ROW.iter_unpack(self._data))
            if row[2] != _CLOSED or row[1] >= closed_before
        ]

    @property
    def nbytes(self) -> int:
        return len(self._data)
