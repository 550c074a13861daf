"""`customer-health score FILE.json`: output, options, and one-line errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend.cli import main
from backend.scoring.recommendations import BUILT_IN

NOW = "2026-06-01T12:00:00Z"
VENV_BIN = Path(sys.executable).parent


def solved_ticket(ticket_id: int, **extra: Any) -> dict[str, Any]:
    ticket = {
        "id": ticket_id,
        "created_at": "2026-05-20T08:00:00Z",
        "updated_at": "2026-05-21T08:00:00Z",
        "status": "solved",
        "priority": "normal",
        "satisfaction_rating": {"score": "bad"},
        "custom_fields": [{"id": 555, "value": "3600"}],
    }
    ticket.update(extra)
    return ticket


def metric_set(ticket_id: int, replies: int = 3, reply: int = 900, resolution: int = 9000) -> dict:
    return {
        "ticket_id": ticket_id,
        "replies": replies,
        "reply_time_in_minutes": {"business": reply, "calendar": reply},
        "full_resolution_time_in_minutes": {"business": resolution, "calendar": resolution},
    }


def document(**overrides: Any) -> dict[str, Any]:
    """Three solved tickets that miss everything: every KPI red."""
    doc: dict[str, Any] = {
        "organization": {
            "id": 7,
            "name": "Globex",
            "created_at": "2026-04-01T00:00:00Z",
            "organization_fields": {"annual_revenue": 500},
        },
        "tickets": [solved_ticket(1), solved_ticket(2), solved_ticket(3)],
        "metric_sets": [metric_set(1), metric_set(2), metric_set(3)],
        "settings": {"time_spent_field_id": "555", "weight_sla": "3"},
    }
    doc.update(overrides)
    return doc


def write(tmp_path: Path, content: Any, name: str = "org.json") -> str:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: Any, *args: str) -> dict:
    code = main(["score", write(tmp_path, doc), "--now", NOW, "--json", *args])
    out = capsys.readouterr().out
    assert code == 0
    result: dict[str, Any] = json.loads(out)
    return result


# --- output --------------------------------------------------------------------------------


def test_json_output_is_exactly_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(tmp_path, capsys, document())
    assert set(result) == {
        "score", "colour", "kpis", "recommendations", "goal", "phase", "window_days",
        "thresholds", "settings_warnings", "settings_problems",
    }  # fmt: skip
    assert [k["key"] for k in result["kpis"]] == ["balance", "feedback", "touchpoints", "sla"]
    assert (result["score"], result["colour"]) == (0.0, "red")
    assert result["phase"] == "onboarding"
    assert result["window_days"] == 90
    assert result["goal"] == {"target": 70, "reached": False, "gap": 70.0}
    assert [r["kpi"] for r in result["recommendations"]] == [
        "sla", "balance", "feedback", "touchpoints",
    ]  # fmt: skip


def test_time_spent_field_and_joined_metric_sets_are_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(tmp_path, capsys, document())
    kpis = {k["key"]: k for k in result["kpis"]}
    # Three tracked hours at 60 (180) against 500 · 90 / 365 (123.3) of revenue.
    assert kpis["balance"]["detail"]["tracked_tickets"] == 3
    assert kpis["balance"]["detail"]["cost"] == pytest.approx(180)
    revenue = 500 * 90 / 365
    assert kpis["balance"]["value"] == pytest.approx(100 * (revenue - 180) / revenue)
    assert kpis["touchpoints"]["detail"]["average_replies"] == 3
    assert kpis["sla"]["sample_size"] == 6


def test_embedded_metric_set_and_string_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tickets = [
        solved_ticket(1, metric_set=metric_set(1, 1, 10, 10)),
        solved_ticket(2, id="2"),
        solved_ticket(3),
    ]
    sets = [metric_set(2, 1, 10, 10), {**metric_set(3, 1, 10, 10), "ticket_id": "3"}]
    result = run_json(tmp_path, capsys, document(tickets=tickets, metric_sets=sets))
    sla = next(k for k in result["kpis"] if k["key"] == "sla")
    assert (sla["value"], sla["sample_size"]) == (100.0, 6)


def test_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["score", write(tmp_path, document()), "--now", NOW])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Globex (organization 7)"
    header = next(line for line in lines if line.startswith("KPI"))
    assert header.split() == ["KPI", "value", "score", "colour", "weight", "sample", "reason"]
    sla_row = next(line for line in lines if line.startswith("SLA "))
    assert sla_row.split()[:6] == ["SLA", "0.0", "%", "0.0", "red", "3"]
    assert "Health score: 0.0 (red)" in lines
    assert "Goal: 70, not reached (70.0 to go)" in lines
    assert "Phase: onboarding" in lines
    assert f"- SLA (red): {BUILT_IN['en'][('sla', 'red')]}" in lines


def test_table_shows_reason_for_kpi_without_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = document()
    doc["organization"]["organization_fields"] = {}
    assert main(["score", write(tmp_path, doc), "--now", NOW]) == 0
    balance_row = next(line for line in capsys.readouterr().out.splitlines() if "Balance" in line)
    assert balance_row.split()[1:4] == ["–", "–", "grey"]
    assert "no revenue: organization field 'annual_revenue'" in balance_row


def test_empty_organization_has_grey_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = {"organization": {"id": 1, "name": "Empty"}}
    assert main(["score", write(tmp_path, doc), "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert "Health score: – (grey)" in out
    assert "Goal: 70, no score to compare" in out
    assert "Phase: unknown (no creation date)" in out


def test_locale_de(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(tmp_path, capsys, document(), "--locale", "de")
    assert result["recommendations"][0]["text"] == BUILT_IN["de"][("sla", "red")]


def test_now_fixes_the_clock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The tickets are from 2026-05-20; 90 days later they fall out of the window.
    path = write(tmp_path, document())
    assert main(["score", path, "--now", "2026-08-18T08:00:00Z", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 0.0
    assert main(["score", path, "--now", "2026-08-18T08:00:01+00:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] is None
    assert main(["score", path, "--now", "2026-08-18T10:00:00+02:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 0.0


def test_default_now_is_the_current_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without --now the clock is the real time: an organization created in 2000 is in
    # "success" whenever the test runs, and a 2000-01-01 "now" would make it unknown.
    doc = document(organization={"id": 7, "name": "Old", "created_at": "2000-01-01T00:00:00Z"})
    assert main(["score", write(tmp_path, doc), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["phase"] == "success"


def test_settings_warnings_go_to_stderr_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = document(settings={"weight_sla": "abc", "window_days": 3})
    code = main(["score", write(tmp_path, doc), "--now", NOW, "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err.splitlines() == [
        "warning: window_days: 3 must be between 7 and 730; using the default 90",
        "warning: weight_sla: 'abc' is not a number; using the default 3",
    ]
    assert json.loads(captured.out)["settings_warnings"] == [
        "window_days: 3 must be between 7 and 730; using the default 90",
        "weight_sla: 'abc' is not a number; using the default 3",
    ]


# --- bad input -----------------------------------------------------------------------------


def bad_ticket_doc(index: int, **fields: Any) -> dict[str, Any]:
    tickets = [solved_ticket(i + 1) for i in range(index + 2)]
    tickets[index].update(fields)
    return document(tickets=tickets)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON: Expecting property name enclosed in double quotes"),
        ("[1, 2]", "error: the file must hold a JSON object, not list"),
        ("null", "error: the file must hold a JSON object, not null"),
        ({"tickets": []}, "error: organization must be an object, not null"),
        ({"organization": {"id": "x"}}, "error: organization: id 'x' is not a positive integer"),
        (
            {"organization": {"id": 1, "created_at": "last year"}},
            "error: organization: created_at 'last year' is not an ISO-8601 time",
        ),
        (document(tickets={"id": 1}), "error: tickets must be a list, not dict"),
        (document(settings=[1]), "error: settings must be an object, not list"),
        (document(metric_sets="x"), "error: metric_sets must be a list, not str"),
        (document(metric_sets=[5]), "error: metric_sets[0]: must be an object, not int"),
        (
            document(metric_sets=[metric_set(1), {"replies": 1}]),
            "error: metric_sets[1]: ticket_id None is not an integer",
        ),
        (
            bad_ticket_doc(17, created_at="yesterday"),
            "error: tickets[17]: created_at 'yesterday' is not an ISO-8601 time",
        ),
        (
            bad_ticket_doc(1, created_at=None),
            "error: tickets[1]: created_at None is not an ISO-8601 time",
        ),
        (bad_ticket_doc(0, id="abc"), "error: tickets[0]: id 'abc' is not a positive integer"),
        (bad_ticket_doc(2, id=None), "error: tickets[2]: id None is not a positive integer"),
        (
            bad_ticket_doc(1, updated_at="soon"),
            "error: tickets[1]: updated_at 'soon' is not an ISO-8601 time",
        ),
        (
            document(tickets=[solved_ticket(1), "t2"]),
            "error: tickets[1]: must be an object, not str",
        ),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any, message: str
) -> None:
    code = main(["score", write(tmp_path, content), "--now", NOW])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert message in lines[0]


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    assert main(["score", str(missing)]) == 2
    assert capsys.readouterr().err == f"error: cannot read {missing}: No such file or directory\n"
    assert main(["score", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: cannot read {tmp_path}: ")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["score", str(binary)]) == 2
    assert capsys.readouterr().err.startswith(f"error: cannot read {binary}: ")


def test_deeply_nested_json_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", write(tmp_path, "[" * 100_000), "--now", NOW]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.splitlines()) == 1


@pytest.mark.parametrize("now", ["yesterday", "1700000000", "", "2026-13-01T00:00:00Z"])
def test_bad_now_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], now: str
) -> None:
    assert main(["score", write(tmp_path, document()), "--now", now]) == 2
    assert capsys.readouterr().err == f"error: --now {now!r} is not an ISO-8601 time\n"


def test_unknown_locale_is_rejected_by_argparse(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["score", write(tmp_path, document()), "--locale", "fr"])
    assert exit_info.value.code == 2


# --- the installed console script ----------------------------------------------------------


def test_installed_console_script(tmp_path: Path) -> None:
    script = VENV_BIN / "customer-health"
    assert script.exists(), script
    path = write(tmp_path, document(settings={"weight_sla": "abc"}))
    done = subprocess.run(
        [str(script), "score", path, "--now", NOW, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["colour"] == "red"
    assert done.stderr == "warning: weight_sla: 'abc' is not a number; using the default 3\n"

    bad = write(tmp_path, "{", name="bad.json")
    failed = subprocess.run(
        [str(script), "score", bad], capture_output=True, text=True, timeout=60, check=False
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.startswith(f"error: {bad} is not valid JSON: ")
    assert "Traceback" not in failed.stderr
