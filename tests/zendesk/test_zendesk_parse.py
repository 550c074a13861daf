"""parse_ticket / parse_organization: defensive about every odd shape Zendesk sends."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.zendesk.errors import MalformedOrganization, MalformedTicket, ZendeskError
from backend.zendesk.parse import as_int, parse_organization, parse_ticket, parse_timestamp

from .conftest import metric_set, ticket


def test_full_ticket_with_metric_set() -> None:
    raw = ticket(
        7,
        status="Solved",
        priority="HIGH",
        satisfaction_rating={"score": "good", "comment": "thanks"},
        custom_fields=[{"id": 99, "value": "745"}, {"id": 100, "value": "x"}],
    )
    facts = parse_ticket(raw, metric_set(7, replies=2))
    assert facts.id == 7
    assert facts.created_at.tzinfo is not None
    assert facts.status == "solved" and facts.solved
    assert facts.priority == "high"
    assert facts.satisfaction == "good"
    assert facts.has_metrics
    assert (facts.replies, facts.reply_minutes, facts.resolution_minutes) == (2, 30, 300)
    assert facts.custom_fields == {99: 745}  # every numeric field; text ones are left out


def test_timestamps_with_z_and_offsets_are_utc() -> None:
    assert parse_timestamp("2026-11-20T12:00:00Z") == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert parse_timestamp("2026-11-20T14:00:00+02:00") == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert parse_timestamp("2026-11-20T12:00:00") == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert parse_timestamp(0) == datetime(1970, 1, 1, tzinfo=UTC)
    for junk in (None, "", "yesterday", True, [], {}, float("nan"), 10**20):
        assert parse_timestamp(junk) is None


def test_missing_metric_set_means_no_metrics() -> None:
    facts = parse_ticket(ticket(1), None)
    assert not facts.has_metrics
    assert (facts.replies, facts.reply_minutes, facts.resolution_minutes) == (None, None, None)


def test_embedded_metric_set_is_used_when_none_given() -> None:
    facts = parse_ticket(ticket(1, metric_set=metric_set(1, replies=4)), None)
    assert facts.has_metrics and facts.replies == 4


def test_null_metric_values_stay_none() -> None:
    metrics = {"replies": None, "reply_time_in_minutes": {"business": None, "calendar": 5}}
    facts = parse_ticket(ticket(1), metrics)
    assert facts.has_metrics
    assert (facts.replies, facts.reply_minutes, facts.resolution_minutes) == (None, None, None)


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        (None, None),
        ({"score": "offered"}, "offered"),
        ({"score": "unoffered"}, "unoffered"),
        ({"score": "Good_With_Comment", "comment": "x"}, "good_with_comment"),
        ({"score": "bad"}, "bad"),
        ({"score": None}, None),
        ({}, None),
        ("good", "good"),
        (5, None),
    ],
)
def test_satisfaction_keeps_the_raw_score_lowercase(rating: Any, expected: str | None) -> None:
    assert parse_ticket(ticket(1, satisfaction_rating=rating), None).satisfaction == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("745", 745),
        (745, 745),
        (745.9, 745.9),
        ("  12 ", 12),
        ("1.5e3", 1500),
        ("abc", None),
        (None, None),
        ("", None),
        (True, None),
        ([1], None),
        ("-5", -5),
        ("nan", None),
        ("inf", None),
    ],
)
def test_numeric_custom_field_values(value: Any, expected: float | None) -> None:
    raw = ticket(1, custom_fields=[{"id": "99", "value": value}])
    assert parse_ticket(raw, None).custom_fields.get(99) == expected


def test_custom_fields_absent_or_malformed() -> None:
    assert parse_ticket(ticket(1, custom_fields=None), None).custom_fields == {}
    assert parse_ticket(ticket(1, custom_fields=[None, 3]), None).custom_fields == {}
    assert (
        parse_ticket(ticket(1, custom_fields=[{"id": "x", "value": 3}]), None).custom_fields == {}
    )
    many = [{"id": i, "value": i} for i in range(1, 1000)]
    assert len(parse_ticket(ticket(1, custom_fields=many), None).custom_fields) == 200


def test_unknown_status_and_null_priority_kept() -> None:
    facts = parse_ticket(ticket(1, status="Escalated-Custom", priority=None), None)
    assert facts.status == "escalated-custom"
    assert facts.priority is None
    assert parse_ticket(ticket(1, status=None), None).status == "unknown"


def test_missing_updated_at_falls_back_to_created_at() -> None:
    facts = parse_ticket(ticket(1, updated_at=None), None)
    assert facts.updated_at == facts.created_at


@pytest.mark.parametrize("bad_id", [None, "abc", 0, -3, True, [], {}])
def test_unusable_id_is_a_typed_error_naming_the_field(bad_id: Any) -> None:
    with pytest.raises(MalformedTicket, match="id"):
        parse_ticket(ticket(1, id=bad_id), None)


@pytest.mark.parametrize("bad_created", [None, "", "not a date", 3.5j, {}])
def test_unusable_created_at_is_a_typed_error(bad_created: Any) -> None:
    with pytest.raises(MalformedTicket, match="created_at"):
        parse_ticket(ticket(1, created_at=bad_created), None)


def test_string_id_is_accepted() -> None:
    assert parse_ticket(ticket(1, id="42"), None).id == 42


def test_ticket_that_is_not_an_object() -> None:
    for junk in (None, [], "ticket", 3):
        with pytest.raises(MalformedTicket):
            parse_ticket(junk, None)  # type: ignore[arg-type]


def test_organization() -> None:
    raw = {
        "id": 42,
        "name": " Acme ",
        "created_at": "2024-01-02T03:04:05Z",
        "organization_fields": {"annual_revenue": "120000", "tier": None},
    }
    org = parse_organization(raw)
    assert org.id == 42 and org.name == "Acme"
    assert org.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert org.fields["annual_revenue"] == "120000"


def test_organization_odd_values() -> None:
    org = parse_organization({"id": "42", "name": None, "organization_fields": [1, 2]})
    assert org.name == "Organization 42"
    assert org.created_at is None
    assert dict(org.fields) == {}
    for junk in ({"name": "x"}, {"id": "x"}, [], None):
        with pytest.raises(MalformedOrganization):
            parse_organization(junk)  # type: ignore[arg-type]


def test_as_int() -> None:
    assert as_int("745") == 745
    assert as_int("inf") is None
    assert as_int(float("nan")) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
ticket_keys = st.sampled_from(
    [
        "id",
        "created_at",
        "updated_at",
        "status",
        "priority",
        "satisfaction_rating",
        "custom_fields",
        "metric_set",
        "fields",
    ]
)
ticket_like = st.dictionaries(ticket_keys, json_values | st.just("2026-01-01T00:00:00Z"))


@settings(max_examples=300, deadline=None)
@given(raw=ticket_like | json_values, metrics=json_values)
def test_parse_ticket_never_crashes_untyped(raw: Any, metrics: Any) -> None:
    with contextlib.suppress(ZendeskError):
        parse_ticket(raw, metrics)


@settings(max_examples=200, deadline=None)
@given(
    raw=json_values
    | st.dictionaries(
        st.sampled_from(["id", "name", "created_at", "organization_fields", "tags"]), json_values
    )
)
def test_parse_organization_never_crashes_untyped(raw: Any) -> None:
    with contextlib.suppress(ZendeskError):
        parse_organization(raw)
