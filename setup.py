"""Builds framing with its quotation rules compiled (mypyc); pyproject.toml holds the rest.

``framing/discourse/quotes.py`` runs per sentence of every article, in Python glue between
regular expressions: compiled to C by mypyc from the same file, it takes about 30% less time
(benchmarks/quotes_overhead.py). The source stays the reference: the compiled module is built
from it at install, stamped with its SHA-256, and used only while the source beside it is the one
it was built from (framing/discourse/__init__.py). No compiler, or ``FRAMING_PURE_PYTHON=1``:
the install goes on without it, and the same rules run as Python.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = ["framing/discourse/quotes.py"]


class StampedBuild(build_ext):
    """build_ext that writes, beside each compiled module, the SHA-256 of the source it came from."""

    def run(self) -> None:
        super().run()
        for source in COMPILED:
            name = source.removesuffix(".py").replace("/", ".")
            built = Path(self.get_ext_fullpath(name))
            if built.exists():
                digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
                (built.parent / (Path(source).stem + ".sha256")).write_text(digest + "\n", encoding="ascii")


def compiled_modules() -> list:
    """The compiled modules' extensions; none when asked for none or when mypyc cannot compile them."""
    if os.environ.get("FRAMING_PURE_PYTHON") == "1":
        return []
    from mypyc.build import mypycify

    try:
        modules = mypycify(COMPILED, opt_level="3")
    except (Exception, SystemExit) as error:  # mypyc exits on a type error in the source
        print(f"warning: {', '.join(COMPILED)} not compiled, the source runs ({error!r}); "
              "tests/test_quotes_compiled.py fails until it compiles", file=sys.stderr)
        return []
    for module in modules:
        module.optional = True  # a failed compile leaves the Python source in use
    return modules


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": StampedBuild})
