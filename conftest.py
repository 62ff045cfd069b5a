"""pytest's settings for the whole tree (tests/conftest.py has the tests' fixtures)."""

import importlib.machinery
from pathlib import Path

# A compiled module (framing/discourse/quotes.py built by mypyc, setup.py) is not the file pytest
# would collect its docstring examples from: tests/test_quotes_compiled.py runs them on the source.
collect_ignore = [f"framing/discourse/{name}.py" for name in ("quotes",)
                  if any(Path(__file__).parent.joinpath("framing", "discourse", f"{name}{suffix}").exists()
                         for suffix in importlib.machinery.EXTENSION_SUFFIXES)]
