"""The command line: output, exit codes and errors in words (never a traceback)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from strategylinks.cli import main
from strategylinks.config import Settings

from .conftest import GK, PLAN_2022

PLAN_FILE = "handlingsplan-internationellt-arbete-2022.ttl"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_shipped_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "validate")
    assert code == 0
    assert "inga fel" in out


def test_validate_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "validate", "--lang", "en")
    assert (code, out.strip()) == (0, "Data conforms to the shapes.")


def broken_copy(tmp_path: Path, settings: Settings, old: str, new: str) -> Path:
    source = settings.data_path / "plans" / PLAN_FILE
    text = source.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / PLAN_FILE
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_validate_broken_reference(tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken_copy(tmp_path, settings, "<tema/gron-omstallning>", "<tema/gron-omstallnig>")
    code, out, err = cli(capsys, "validate", str(path))
    assert code == 1, out + err
    assert "sl:hasTheme" in out and "tema som inte finns" in out
    assert "gron-omstallnig" in out
    assert "Traceback" not in out + err


def test_validate_syntax_error_names_file_and_line(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (settings.data_path / "plans" / PLAN_FILE).read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(source) if "sl:rowNumber 2 ;" in text)
    source[line] = source[line].replace(" ;", "")  # a missing ';' breaks the next statement
    path = tmp_path / PLAN_FILE
    path.write_text("\n".join(source) + "\n", encoding="utf-8")
    code, _, err = cli(capsys, "validate", str(path))
    assert code == 2
    assert f"{path}:{line + 2}:" in err, err  # the parser stops at the token after the missing ';'
    assert "column 5" in err
    assert "Traceback" not in err


def test_validate_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "validate", "/nonexistent/plan.ttl")
    assert code == 2 and "no such file" in err


def test_validate_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "lonely.ttl"
    path.write_text(
        "@prefix sl: <https://w3id.org/strategylinks/ontology#> .\n<http://example.org/a> a sl:Action .\n",
        encoding="utf-8",
    )
    code, out, _ = cli(capsys, "validate", "--alone", str(path))
    assert code == 1
    assert "Svensk etikett saknas" in out and "minst en effekt" in out


def test_query_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "query", "actions-per-priority", "--format", "json")
    assert code == 0
    bindings = json.loads(out)["results"]["bindings"]
    assert sorted(b["actions"]["value"] for b in bindings) == ["4", "5", "8"]
    code, out, _ = cli(capsys, "query", "actions-per-priority", "--format", "csv")
    assert out.splitlines()[0] == "plan,priority,notation,priorityLabel,rows,actions,effects,actionsWithGoal"
    code, out, _ = cli(capsys, "query", "actions-per-priority", "--format", "tsv")
    header, first, *_ = out.splitlines()
    assert header.startswith("?plan\t?priority")
    assert first.startswith(f"<{PLAN_2022}>\t")
    code, out, _ = cli(capsys, "query", "actions-per-priority", "--format", "md")
    assert out.splitlines()[1].startswith("|--")
    code, out, _ = cli(capsys, "query", "actions-per-priority")
    assert "internationell benchmarking och lärande" in out


def test_query_with_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        capsys,
        "query",
        "goals-lacking-actions",
        "--param",
        f"strategy={GK.rstrip('/')}",
        "--param",
        f"plan={PLAN_2022}",
        "--format",
        "json",
    )
    assert code == 0
    goals = {b["goal"]["value"] for b in json.loads(out)["results"]["bindings"]}
    assert GK + "prioritering-1" in goals and all(g.startswith(GK) for g in goals)


def test_query_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "count.rq"
    path.write_text(
        "# title: Antal | Count\nPREFIX sl: <https://w3id.org/strategylinks/ontology#>\n"
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a sl:Action }\n",
        encoding="utf-8",
    )
    code, out, _ = cli(capsys, "query", str(path), "--format", "csv")
    assert (code, out.splitlines()) == (0, ["n", "17"])


def test_query_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "query", "no-such-query")
    assert code == 2 and "available queries:" in err and "goals-lacking-actions" in err
    code, _, err = cli(capsys, "query", "themes", "--param", "plan")
    assert code == 2 and "name=value" in err
    code, _, err = cli(capsys, "query", "themes", "--param", "nope=1")
    assert code == 2 and "no parameter nope" in err
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT WHERE {", encoding="utf-8")
    code, _, err = cli(capsys, "query", str(bad))
    assert code == 2 and "SPARQL syntax error" in err and "Traceback" not in err


def test_gaps_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "gaps", "--format", "json")
    assert code == 0
    gaps = json.loads(out)
    assert isinstance(gaps, list) and gaps
    assert all({"iri", "label", "strategy", "level"} <= set(g) for g in gaps)
    by_iri = {g["iri"]: g for g in gaps}
    assert by_iri[GK + "prioritering-1"]["strategy"] == "Gröna Kronoberg 2025"
    assert by_iri[GK + "prioritering-1"]["level"] == "Prioritering"
    assert GK + "prioritering-2" in by_iri
    assert GK + "prioritering-3" not in by_iri and GK + "prioritering-4" not in by_iri
    code, out, _ = cli(capsys, "gaps", "--format", "json", "--include-indirect")
    assert {g["iri"]: g["coverage"] for g in json.loads(out)}[GK + "prioritering-3"] == "indirect"


def test_gaps_text_warns_about_incomplete_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "gaps")
    assert code == 0
    assert "Gröna Kronoberg 2025" in out
    assert "ofullständig" in out.lower()
    assert "Utveckla attraktiva livsmiljöer med god tillgänglighet" in out
    code, md, _ = cli(capsys, "gaps", "--format", "md")
    assert md.startswith("# Luckor")
    assert cli(capsys, "gaps", "--strict")[0] == 1


def test_gaps_unknown_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "gaps", "--plan", "plan/none")
    assert code == 2 and "no action plan" in err


def test_stats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "stats", "--format", "json")
    counts = json.loads(out)
    assert code == 0
    assert {
        k: counts[k]
        for k in (
            "actions",
            "effects",
            "strategy_goals",
            "strategy_elements",
            "strategies",
            "themes",
            "organisations",
            "plans",
        )
    } == {
        "actions": 17,
        "effects": 25,
        "strategy_goals": 122,
        "strategy_elements": 20,
        "strategies": 16,
        "themes": 29,
        "organisations": 13,
        "plans": 1,
    }
    # 17 insatser × their row's effects, goals, themes and partners.
    assert counts["links_by_kind"] == {
        "action_goal": 32,
        "action_theme": 78,
        "action_effect": 38,
        "action_involves": 31,
    }
    assert counts["links"] == 179


def test_export_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "dataset.ttl"
    code, _, err = cli(capsys, "export", "--format", "ttl", "-o", str(target))
    assert code == 0 and target.is_file() and "wrote" in err


def test_viz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "graph.html"
    code, _, _ = cli(capsys, "viz", "-o", str(target))
    assert code == 0
    page = target.read_text(encoding="utf-8")
    assert "vis.Network" in page
    for attribute in ('src="http', "src='http", 'href="http', "href='http"):
        assert attribute not in page


def test_base_iri_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "gaps", "--format", "json", "--base-iri", "http://127.0.0.1:8000/")
    assert code == 0
    assert all(g["iri"].startswith("http://127.0.0.1:8000/id/") for g in json.loads(out))


def test_installed_command() -> None:
    exe = shutil.which("strategylinks", path=str(Path(sys.executable).parent))
    assert exe, "the strategylinks command is not installed next to this Python"
    done = subprocess.run([exe, "query", "nope"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "unknown query" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Exit codes" in done.stdout


def test_invalid_setting(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = cli(capsys, "stats", "--base-iri", "not an iri")
    assert code == 2 and "base IRI must be an absolute IRI" in err
    monkeypatch.setenv("STRATEGYLINKS_DATA_DIR", "/nonexistent/data")
    code, _, err = cli(capsys, "gaps")
    assert code == 2 and "data folder not found" in err


def test_serve_refuses_data_that_breaks_the_shapes(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(settings.data_path, data)
    plan = data / "plans" / PLAN_FILE
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("<tema/gron-omstallning>", "<tema/saknas>", 1), encoding="utf-8"
    )
    code, _, err = cli(capsys, "serve", "--data-dir", str(data), "--port", "1")
    assert code == 1
    assert "does not conform" in err and "tema/saknas" in err
