"""The quotation rules compiled (mypyc, setup.py): built by the install, used only while they are
of the source beside them, and finding what the source finds, quote for quote."""

from __future__ import annotations

import doctest
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import framing.discourse.quotes as quotes
from framing.demo.site import load_corpus
from framing.demo.synthetic import news_articles
from framing.discourse import is_compiled
from framing.discourse.actors import ActorLinker
from framing.study.codebook import load_codebook

FIXTURES = Path(__file__).parent / "fixtures"
DISCOURSE = Path(quotes.__file__).parent
PURE = os.environ.get("FRAMING_PURE_PYTHON") == "1"  # an install told not to compile
COMPILED = is_compiled(quotes)


@pytest.mark.skipif(PURE, reason="installed with FRAMING_PURE_PYTHON=1: the rules run as Python")
def test_the_install_compiled_the_quote_rules():
    """`make test` and the README's install compile them (the speed figures in the README are theirs)."""
    assert COMPILED, f"{quotes.__file__}: not compiled (is there a C compiler? see setup.py)"
    assert (DISCOURSE / "quotes.sha256").read_text(encoding="ascii").strip() == \
        hashlib.sha256((DISCOURSE / "quotes.py").read_bytes()).hexdigest()


def _source_module():
    """quotes.py loaded as Python, under a name of its own."""
    spec = importlib.util.spec_from_file_location("framing.discourse._quotes_source", DISCOURSE / "quotes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _texts() -> list[tuple[str, str]]:
    texts = []
    for name in ("quotes.yml", "quotes-heldout.yml"):
        passages = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))["passages"]
        texts += [(p["text"], p["language"]) for p in passages]
    outlets, _ = load_corpus()
    texts += [("\n\n".join(filter(None, (a.title, a.dek, a.body))), outlet.language)
              for outlet in outlets for a in outlet.articles]
    for language in ("en", "de"):
        texts += [(a["text"], language) for a in news_articles(300, 300, seed=5, language=language)]
    return texts


@pytest.mark.skipif(not COMPILED, reason="the rules are not compiled here: nothing to compare")
def test_the_compiled_rules_find_what_the_source_finds():
    """Alone, and as the voices call them: with the actors' names and the speech cues of one scan."""
    source = _source_module()
    actors = load_codebook("social-credit").actors
    linkers = {language: ActorLinker(actors, language, quotes.speech_cues(language)) for language in ("en", "de")}
    texts = _texts()
    found = 0
    for text, language in texts:
        language = language if language in ("en", "de") else "en"
        compiled = quotes.find_quotes(text, language)
        python = source.find_quotes(text, language)
        assert compiled.quotes == python.quotes and compiled.problems == python.problems, text[:200]
        named, cues = linkers[language].scan(text)
        assert quotes.find_quotes(text, language, lambda _, named=named: named, cue_starts=cues).quotes == \
            source.find_quotes(text, language, lambda _, named=named: named, cue_starts=cues).quotes, text[:200]
        found += len(compiled.quotes)
    assert len(texts) > 800 and found > 1200  # demo, fixtures and synthetic texts, in both languages


def _package_copy(tmp_path: Path) -> Path:
    """framing.discourse (with whatever the install built in it) in a package of its own."""
    root = tmp_path / "site"
    (root / "framing").mkdir(parents=True)
    (root / "framing" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(DISCOURSE, root / "framing" / "discourse", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _imported_from(root: Path, **env: str) -> tuple[str, str]:
    """Where ``framing.discourse.quotes`` comes from in a new process on ``root`` (as the package's
    attribute; it finds a quote's speaker with it), and the warnings it gave."""
    run = subprocess.run([sys.executable, "-W", "always", "-c",
                          "import framing.discourse.quotes; q = framing.discourse.quotes; print(q.__file__); "
                          "print(q.find_quotes('\"It is a patchwork of pilots,\" said Jane Lee.').quotes[0].speaker)"],
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root), **env}, capture_output=True, text=True,
                         check=True)
    where, speaker = run.stdout.splitlines()
    assert speaker == "Jane Lee"
    return where, run.stderr


@pytest.mark.skipif(not COMPILED, reason="the rules are not compiled here")
def test_a_compiled_module_is_used_only_with_the_source_it_was_built_from(tmp_path):
    root = _package_copy(tmp_path)
    folder = root / "framing" / "discourse"
    source = folder / "quotes.py"
    where, warned = _imported_from(root)
    assert is_compiled(where) and not warned
    where, warned = _imported_from(root, FRAMING_PURE_PYTHON="1")
    assert where == str(source) and not warned  # asked for: the source, without a warning
    source.write_text(source.read_text(encoding="utf-8") + "\nEDITED = True\n", encoding="utf-8")
    where, warned = _imported_from(root)
    assert where == str(source) and "another version" in warned  # an edit takes effect at once
    source.write_text(source.read_text(encoding="utf-8").replace("\nEDITED = True\n", ""), encoding="utf-8")
    for library in folder.glob("quotes__mypyc*"):  # a build of which one part is missing does not import
        library.rename(library.with_name("moved-" + library.name))
    where, warned = _imported_from(root)
    assert where == str(source) and "does not import" in warned
    for library in folder.glob("moved-*"):
        library.rename(library.with_name(library.name.removeprefix("moved-")))
    (folder / "quotes.sha256").unlink()
    where, warned = _imported_from(root)
    assert where == str(source) and "another version" in warned  # no stamp: not known to be of this source
    source.unlink()  # a build alone (an install without sources) is used
    where, warned = _imported_from(root)
    assert is_compiled(where) and not warned


def test_the_examples_in_the_quote_rules_docstrings_hold():
    """The docstrings' examples, run on the source (pytest collects them from a module that is
    not compiled; a compiled one keeps no examples to find: conftest.py)."""
    source = _source_module()
    tests = [test for test in doctest.DocTestFinder().find(source) if test.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    assert len(tests) >= 3 and runner.summarize(verbose=False) == (0, sum(len(t.examples) for t in tests))
