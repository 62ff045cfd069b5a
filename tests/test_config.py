from pathlib import Path

import pytest

from framing.errors import ConfigError
from framing.study.config import load_pipeline


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.yml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    return info.value.problems


def test_config_unknown_key_names_line_allowed_keys_and_suggestion(tmp_path):
    path = write(tmp_path, "title: t\nworkdir: w\nsources:\n  - feed: http://x/rss\ncollect:\n  per_host_dealy_s: 2\n")
    (message,) = problems(path)
    assert message.startswith("line 6: collect.per_host_dealy_s: unknown key")
    assert "per_host_delay_s" in message and "did you mean 'per_host_delay_s'" in message


def test_config_wrong_type_names_key_line_and_value(tmp_path):
    path = write(tmp_path, "title: t\nworkdir: w\nsources:\n  - feed: http://x/rss\ncollect:\n  concurrency: many\n")
    (message,) = problems(path)
    assert message.startswith("line 6: collect.concurrency:")
    assert "integer" in message and "'many'" in message


def test_config_source_needs_exactly_one_kind(tmp_path):
    path = write(tmp_path, "title: t\nworkdir: w\nsources:\n  - feed: http://x/rss\n    sitemap: http://x/s.xml\n")
    (message,) = problems(path)
    assert message.startswith("line 4: sources[0]:") and "exactly one of feed, sitemap, urls, crawl, warc" in message


def test_config_missing_files_are_reported_with_their_line(tmp_path):
    path = write(tmp_path, "title: t\nworkdir: w\nsources:\n  - urls: missing.txt\n  - warc: data/*.warc.gz\n")
    found = problems(path)
    assert found[0].startswith("line 4: sources[0].urls: file not found")
    assert found[1].startswith("line 5: sources[1].warc: no file matches")


def test_config_missing_required_keys_and_bad_yaml(tmp_path):
    assert any("title: Field required" in p for p in problems(write(tmp_path, "workdir: w\nsources: []\n")))
    assert problems(write(tmp_path, "title: [unclosed\n"))[0].startswith("line ")


def test_config_valid_file_resolves_paths_against_its_folder(tmp_path):
    (tmp_path / "list.txt").write_text("http://a.example/1\n")
    spec = load_pipeline(write(tmp_path, "title: t\nworkdir: out\nsources:\n  - urls: list.txt\n"))
    assert spec.workdir == (tmp_path / "out").resolve()
    assert spec.sources[0].urls == str(tmp_path / "list.txt")
    assert spec.collect.per_host_delay_s == 1.0


def test_config_bundled_demo_pipeline_is_valid():
    spec = load_pipeline(Path(__file__).parents[1] / "pipelines" / "demo.yml")
    assert len(spec.sources) == 11 and spec.filter.keywords


STUDY = "title: t\nworkdir: w\nsources:\n  - feed: http://x/rss\n"


def billion_laughs() -> str:
    text = STUDY + 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text


@pytest.mark.parametrize("content, expected", [
    (billion_laughs().encode(), "line 5: aliases (*name) expand to more than 200,000 values"),
    ("title: Café\nworkdir: w\n".encode("latin-1"), "line 1: not UTF-8 text (byte 0xe9)"),
    (b"\x00\x01\x02\x03 a binary file", "a binary file, not YAML text"),
    ((STUDY + "x: " + "[" * 20_000 + "]" * 20_000 + "\n").encode(), "line 5: nested more than 64 levels deep"),
    ((STUDY + "workdir: elsewhere\n").encode(), "line 5: workdir: duplicate key; first given on line 2"),
    ((STUDY + "collect:\n  retries: 1\n  retries: 2\n").encode(), "line 7: collect.retries: duplicate key; first"),
])
def test_config_hostile_or_broken_files_give_one_clear_error_fast(tmp_path, content, expected):
    path = tmp_path / "study.yml"
    path.write_bytes(content)
    (message,) = problems(path)
    assert message.startswith(expected), message


def test_config_anchors_and_merge_keys_within_bounds_still_work(tmp_path):
    path = write(tmp_path, "title: t\nworkdir: w\nsources:\n  - &base {feed: 'http://x/a', outlet: A}\n"
                           "  - <<: *base\n    feed: http://x/b\n")
    spec = load_pipeline(path)
    assert [(s.feed, s.outlet) for s in spec.sources] == [("http://x/a", "A"), ("http://x/b", "A")]


@pytest.mark.parametrize("setup, expected", [
    ("file", "is a file, not a folder"),
    ("foreign", "holds other files and is not a framing study"),
])
def test_config_a_workdir_that_is_a_file_or_someone_elses_folder_is_refused_untouched(tmp_path, setup, expected):
    from framing.errors import FramingError
    from framing.runner import run

    target = tmp_path / "elsewhere"
    if setup == "file":
        target.write_text("a file")
    else:
        target.mkdir()
        (target / "passwd").write_text("someone's file")
    before = sorted(p.name for p in target.iterdir()) if target.is_dir() else None
    path = write(tmp_path, f"title: t\nworkdir: {target}\nsources:\n  - feed: http://127.0.0.1:9/rss\n")
    with pytest.raises(FramingError, match=expected):
        run(load_pipeline(path), ["collect"])
    assert (sorted(p.name for p in target.iterdir()) if target.is_dir() else None) == before


def test_config_a_codebook_typo_is_reported_before_anything_runs(tmp_path):
    path = write(tmp_path, STUDY + "codebook: social-credti\n")
    (message,) = problems(path)
    assert message.startswith("line 5: codebook: no codebook 'social-credti'") and "social-credit" in message


def test_config_a_broken_codebook_stops_the_run_before_collecting(serve, tmp_path):
    from framing.runner import run

    site = serve({})
    (tmp_path / "book.yml").write_text("name: b\nversion: 1\nlanguages: [en]\nframes:\n  - id: x\n    labl: X\n",
                                       encoding="utf-8")
    path = write(tmp_path, f"title: t\nworkdir: w\nsources:\n  - feed: {site.base_url}/rss\ncodebook: book.yml\n")
    with pytest.raises(ConfigError) as info:
        run(load_pipeline(path))
    assert any("line 6" in p and "labl" in p for p in info.value.problems)
    assert site.log == []  # nothing was fetched
