"""Discourse: who speaks in the coverage — quotations, their speakers, and the codebook's actors.

The quotation rules (:mod:`framing.discourse.quotes`) run compiled by mypyc when the install built
them (``setup.py``: the same file, compiled to C, about a third faster). A compiled module is used
only while the source beside it is the one it was built from (the SHA-256 the build wrote next to
it); after an edit, or without a stamp, the source is loaded instead, with a warning to reinstall.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import sys
import warnings
from pathlib import Path

COMPILED = ("quotes",)  # the modules setup.py compiles


def _load_source_if_stale(name: str) -> None:
    """Load ``name``'s source as the module when a compiled build of it is not of that source."""
    folder = Path(__file__).parent
    if not any((folder / f"{name}{suffix}").exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES):
        return  # not compiled: the import finds the source anyway
    source = folder / f"{name}.py"
    stamp = folder / f"{name}.sha256"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text(encoding="ascii").strip() == digest:
        return
    warnings.warn(f"the compiled {__name__}.{name} was built from another version of {source.name}: using the "
                  "source (slower); reinstall framing to compile it again", RuntimeWarning, stacklevel=2)
    spec = importlib.util.spec_from_file_location(f"{__name__}.{name}", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)


for _name in COMPILED:
    _load_source_if_stale(_name)
