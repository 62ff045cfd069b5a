"""pytest's settings for the whole tree (tests/conftest.py has the tests' fixtures)."""

import framing.discourse.quotes
from framing.discourse import is_compiled

# A compiled module (framing/discourse/quotes.py built by mypyc, setup.py) is not the file pytest
# would collect its docstring examples from: tests/test_quotes_compiled.py runs them on the source.
collect_ignore = ["framing/discourse/quotes.py"] if is_compiled(framing.discourse.quotes) else []
