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
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = ["framing/discourse/quotes.py"]
DIGESTS: dict[str, str] = {}  # each compiled source's SHA-256, taken before mypyc reads it


class StampedBuild(build_ext):
    """build_ext that writes, beside each compiled module, the SHA-256 of the source it came from:
    only when every extension of the build is there (mypyc makes a module and a library it needs;
    with one of them failed, the module would not import), after removing the last build's stamp."""

    def run(self) -> None:
        stamps = [Path(self.get_ext_fullpath(source.removesuffix(".py").replace("/", "."))).with_name(
            Path(source).stem + ".sha256") for source in COMPILED]
        for stamp in stamps:
            stamp.unlink(missing_ok=True)
        super().run()
        if not self.extensions:
            return
        if not all(Path(self.get_ext_fullpath(ext.name)).exists() for ext in self.extensions):
            print("warning: the compile failed, the Python source runs (pip install -v shows why)", file=sys.stderr)
            return
        for source, stamp in zip(COMPILED, stamps, strict=True):
            stamp.write_text(DIGESTS[source] + "\n", encoding="ascii")


def compiled_modules() -> list:
    """The compiled modules' extensions; none when asked for none or when mypyc cannot compile them."""
    if os.environ.get("FRAMING_PURE_PYTHON") == "1":
        for source in map(Path, COMPILED):  # an editable install's earlier build, in the tree, would still be used
            for suffix in (*EXTENSION_SUFFIXES, ".sha256"):
                for stem in (source.stem, f"{source.stem}__mypyc"):
                    source.with_name(stem + suffix).unlink(missing_ok=True)
        return []
    from mypyc.build import mypycify

    DIGESTS.update((source, hashlib.sha256(Path(source).read_bytes()).hexdigest()) for source in COMPILED)
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
