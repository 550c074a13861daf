"""Preview: the candidate distribution and every organization that would change colour."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.scoring import OrganizationFacts, ScoringSettings, compute_health
from backend.scoring.kpis import colour_for
from backend.scoring.preview import ScoredOrganization, preview

from .factories import NOW, rated, ticket

DEFAULTS = ScoringSettings()


def scored(
    org_id: int, score: float | None, config: ScoringSettings = DEFAULTS
) -> ScoredOrganization:
    return ScoredOrganization(org_id, f"Org {org_id}", score, colour_for(score, config))


def test_changes_and_candidate_distribution() -> None:
    current = [scored(1, 75.0), scored(2, 45.0), scored(3, 35.0), scored(4, None), scored(5, 90.0)]
    stricter = ScoringSettings(green_threshold=80, red_threshold=50)
    candidate = [scored(1, 75.0, stricter), scored(2, 45.0, stricter), scored(3, 35.0, stricter),
                 scored(4, None, stricter), scored(5, 90.0, stricter)]  # fmt: skip
    result = preview(current, candidate)
    assert result.to_dict() == {
        "distribution": {"green": 1, "yellow": 1, "red": 2, "grey": 1},
        "changes": [
            {
                "id": 2,
                "name": "Org 2",
                "from": "yellow",
                "to": "red",
                "score": 45.0,
                "previous_score": 45.0,
            },
            {
                "id": 1,
                "name": "Org 1",
                "from": "green",
                "to": "yellow",
                "score": 75.0,
                "previous_score": 75.0,
            },
        ],
        "organizations": 4,
    }


def test_weights_that_drop_every_kpi_with_data_turn_an_organization_grey() -> None:
    org = OrganizationFacts(8, "Feedback Only")
    tickets = rated("good", "good", "good", "good")
    now = compute_health(org, tickets, DEFAULTS, NOW)
    then = compute_health(org, tickets, ScoringSettings(weight_feedback=0), NOW)
    result = preview(
        [ScoredOrganization(8, org.name, now.score, now.colour)],
        [ScoredOrganization(8, org.name, then.score, then.colour)],
    )
    assert [c.to_dict() for c in result.changes] == [
        {"id": 8, "name": "Feedback Only", "from": "green", "to": "grey", "score": None,
         "previous_score": 100.0},
    ]  # fmt: skip
    assert result.organizations == 0


def test_an_organization_new_to_the_candidate_was_grey() -> None:
    result = preview([], [scored(3, 20.0)])
    assert [(c.from_colour, c.to_colour, c.previous_score) for c in result.changes] == [
        ("grey", "red", None)
    ]


def test_nothing_changes_under_the_same_settings() -> None:
    orgs = [scored(i, float(i * 7 % 101)) for i in range(30)]
    result = preview(orgs, orgs)
    assert result.changes == ()
    assert result.organizations == 30


def test_preview_scores_real_reports_under_candidate_weights() -> None:
    tickets = [
        *rated("good", "good", "good", "good", "bad"),  # feedback 80 % → 40
        *(ticket(replies=1, reply_minutes=9999, resolution_minutes=1) for _ in range(4)),
    ]  # touchpoints 100 % → 100; sla 50 % → 0
    org = OrganizationFacts(1, "Mixed")
    current = compute_health(org, tickets, DEFAULTS, NOW)  # (2·40 + 1·100 + 3·0) / 6 = 30
    candidate_settings, _ = ScoringSettings.from_zendesk(
        {"weight_sla": "0", "weight_touchpoints": "3"}
    )
    candidate = compute_health(org, tickets, candidate_settings, NOW)  # (80 + 300) / 5 = 76
    result = preview(
        [ScoredOrganization(1, "Mixed", current.score, current.colour)],
        [ScoredOrganization(1, "Mixed", candidate.score, candidate.colour)],
    )
    (change,) = result.changes
    assert (change.from_colour, change.to_colour) == ("red", "green")
    assert (change.previous_score, change.score) == (30.0, 76.0)


maybe_score = st.none() | st.sampled_from([0.0, 39.9, 40.0, 69.9, 70.0, 100.0]) | st.floats(0, 100)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(1, 500), st.tuples(maybe_score, maybe_score), max_size=40))
def test_changes_are_exactly_the_organizations_whose_colour_differs(
    pairs: dict[int, tuple[float | None, float | None]],
) -> None:
    current = [scored(i, before) for i, (before, _) in pairs.items()]
    candidate = [scored(i, after) for i, (_, after) in pairs.items()]
    result = preview(current, candidate)
    expected = {
        i for i, (b, a) in pairs.items() if colour_for(b, DEFAULTS) != colour_for(a, DEFAULTS)
    }
    assert {c.id for c in result.changes} == expected
    counts = result.distribution.to_dict()
    assert sum(counts.values()) == len(pairs)
    assert result.organizations == sum(a is not None for _, a in pairs.values())
    keys = [(c.score is None, c.score or 0.0, c.id) for c in result.changes]
    assert keys == sorted(keys)
