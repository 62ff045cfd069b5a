"""The command line: summaries, keyword in context, and one clear message on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from framing.study.codebook import load_codebook

from conftest import page, rss


def framing(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "framing", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200"}, timeout=120)


def test_cli_bad_study_file_exits_1_with_key_line_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("title: t\nworkdir: w\nsources:\n  - feed: http://x/rss\n    outlett: X\n")
    result = framing("run", str(bad))
    assert result.returncode == 1
    assert "line 5: sources[0].outlett: unknown key" in result.stdout and "did you mean 'outlet'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    debug = framing("--debug", "run", str(bad))
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_cli_run_prints_funnel_and_articles_search_shows_context(serve, write_pipeline):
    site = serve({"/a": page("Alpha", ["Officials defended the social credit system on Monday in a long speech "
                                       "about fraud, debts and trust between companies and their customers. " * 4]),
                  "/b": page("Beta")})
    site.routes["/rss"] = rss(site.base_url, ["/a", "/b", "/missing"])
    spec = write_pipeline([{"feed": site.base_url + "/rss", "outlet": "Gazette <b>"}])
    result = framing("run", str(spec.path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Coverage per outlet" in result.stdout and "Gazette <b>" in result.stdout
    assert "http-404 1" in result.stdout
    assert "Study folder" in result.stdout

    counts = framing("articles", str(spec.path))
    assert counts.returncode == 0 and "ok" in counts.stdout
    search = framing("articles", str(spec.path), "--search", "social cred*")
    assert search.returncode == 0
    assert "defended the" in search.stdout and "social credit" in search.stdout


def test_cli_unknown_stage_and_missing_articles_are_clear_errors(serve, write_pipeline):
    site = serve({"/rss": rss("http://127.0.0.1:1", [])})
    spec = write_pipeline([{"feed": site.base_url + "/rss"}])
    wrong = framing("run", str(spec.path), "tagging")
    assert wrong.returncode == 1 and "unknown stage 'tagging'; stages are: collect, extract" in wrong.stdout
    missing = framing("articles", str(spec.path))
    assert missing.returncode == 1 and "run `framing run" in missing.stdout


def test_cli_codebook_test_explains_negation_and_check_reports_lines(tmp_path):
    result = framing("codebook", "test", "social-credit", "This is not an Orwellian surveillance state.")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "negated by 'not'" in result.stdout
    german = framing("codebook", "test", "social-credit", "Das ist kein Überwachungsstaat.", "--lang", "de")
    assert "negated by 'kein'" in german.stdout and "Frames found: none" in german.stdout
    assert "within 3 words" in result.stdout
    chinese = framing("codebook", "test", "social-credit", "这不是全面监控的系统。", "--lang", "zh")
    assert "negated by '不是' within 8 characters" in chinese.stdout  # Chinese negation counts characters
    bad = tmp_path / "bad.yml"
    source = (Path(__file__).parent / "fixtures" / "mini-codebook.yml").read_text(encoding="utf-8")
    bad.write_text(source.replace("negation_window: 3", "negation_windw: 3"), encoding="utf-8")
    checked = framing("codebook", "check", str(bad))
    assert checked.returncode == 1 and "line 8: negation_windw: unknown key" in checked.stdout
    assert "did you mean 'negation_window'" in " ".join(checked.stdout.split())  # however the line wraps
    shown = framing("codebook", "show", "policy-frames")
    assert shown.returncode == 0 and "Capacity and resources" in shown.stdout
    chinese = load_codebook("social-credit").frames[0].guidance["zh"]
    shown = framing("codebook", "show", "social-credit")
    assert "description (zh)" in shown.stdout and chinese.label in shown.stdout  # the guidance for Chinese coders


def test_cli_run_names_each_source_and_the_feed_that_broke_instead_of_an_error(serve, write_pipeline):
    from framing.demo.server import Response

    broken = serve({"/feed.xml": Response(body=b"", content_type="application/rss+xml")})
    good = serve({"/a": page("Alpha"), "/b": page("Beta")})
    good.routes["/rss"] = rss(good.base_url, ["/a", "/b", "/missing"])
    spec = write_pipeline([{"feed": broken.base_url + "/feed.xml"}, {"feed": good.base_url + "/rss"}],
                          collect={"retries": 1})
    result = framing("run", str(spec.path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unexpected error" not in result.stdout
    assert "feed.xml: empty body (HTTP 200), will retry" in result.stdout
    good_line = next(line for line in result.stdout.splitlines() if f"{good.netloc}/rss" in line)
    cells = [cell.strip() for cell in good_line.split("│")[1:-1]]
    assert cells[1:4] == ["3", "2", "1 http-404"]  # found, fetched, not fetched


def test_cli_run_shows_the_sources_even_when_a_later_stage_fails(serve, write_pipeline):
    from framing.demo.server import Response

    broken = serve({"/feed.xml": Response(body=b"", content_type="application/rss+xml")})
    spec = write_pipeline([{"feed": broken.base_url + "/feed.xml"}], codebook="social-credit", collect={"retries": 0})
    result = framing("run", str(spec.path))
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "feed.xml: empty body (HTTP 200), will retry" in result.stdout


def test_cli_version_and_help_answer_without_loading_the_pipeline():
    version = framing("--version")
    assert version.returncode == 0 and version.stdout.startswith("framing ")
    helped = framing("--help")
    assert helped.returncode == 0 and "run" in helped.stdout and "--version" in helped.stdout
    # what made --help take 5 s: spaCy (and torch through thinc), pandas, pydantic, DuckDB at start-up
    heavy = ("spacy", "torch", "pandas", "pydantic", "duckdb", "numpy", "httpx", "pyarrow")
    probe = subprocess.run([sys.executable, "-c", "import sys, framing.cli; "
                            f"print([m for m in {heavy!r} if m in sys.modules])"], capture_output=True, text=True)
    assert probe.stdout.strip() == "[]", probe.stdout + probe.stderr


def test_cli_ctrl_c_during_demo_fresh_says_to_resume_without_fresh(capsys):
    import typer

    from framing.cli import RESUME, stage_progress

    for resume, expected in ((RESUME, "Run the same command again"),
                             ("Run `framing demo` (without --fresh) to resume where it stopped.", "without --fresh")):
        try:
            with stage_progress(resume) as update:
                update("collect", 1, 10)
                raise KeyboardInterrupt
        except typer.Exit as stop:
            assert stop.exit_code == 130
        assert expected in capsys.readouterr().out


def test_cli_articles_all_searches_every_status_out_of_range_included(serve, write_pipeline):
    site = serve({"/old": page("Old story", ["Officials defended the social credit system on Monday in a long "
                                             "speech about fraud, debts and trust between companies. " * 4],
                               date="2019-05-04")})
    site.routes["/rss"] = rss(site.base_url, ["/old"])
    spec = write_pipeline([{"feed": site.base_url + "/rss"}], filter={"until": "2018-12-31"})
    assert framing("run", str(spec.path)).returncode == 0
    only_ok = framing("articles", str(spec.path), "--search", "social cred*")
    everything = framing("articles", str(spec.path), "--search", "social cred*", "--all")
    assert "0 line(s) shown" in only_ok.stdout
    assert "0 line(s) shown" not in everything.stdout and "social credit" in everything.stdout
