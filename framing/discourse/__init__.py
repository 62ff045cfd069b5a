"""Discourse: who speaks in the coverage — quotations, their speakers, and the codebook's actors.

The quotation rules (:mod:`framing.discourse.quotes`) run compiled by mypyc when the install built
them (``setup.py``: the same file, compiled to C: a third less time). A compiled module is used
only while the source beside it is the one it was built from (the SHA-256 the build wrote next to
it) and it imports; otherwise, and with ``FRAMING_PURE_PYTHON=1`` in the environment, the source
is loaded instead (with a warning, but for the variable). An install with no source beside the
build uses the build.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

COMPILED = ("quotes",)  # the modules setup.py compiles


def is_compiled(module: ModuleType | str) -> bool:
    """Whether a module (or the file it was loaded from) is an extension module, not Python source."""
    path = module if isinstance(module, str) else module.__file__ or ""
    return path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def _load_source_unless_built_from_it(name: str) -> None:
    """Import ``name``, from its source when its compiled build is not of that source or fails to import."""
    folder, module_name = Path(__file__).parent, f"{__name__}.{name}"
    source, stamp = folder / f"{name}.py", folder / f"{name}.sha256"
    if not source.exists() or \
            not any((folder / f"{name}{suffix}").exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES):
        return  # only a build, or only the source: the import takes what there is
    if os.environ.get("FRAMING_PURE_PYTHON") == "1":
        _load_source(module_name, source)
        return
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    why = "was built from another version of"
    if stamp.exists() and stamp.read_text(encoding="ascii").strip() == digest:
        try:
            importlib.import_module(module_name)
            return
        except ImportError as error:  # e.g. mypyc's library beside it is missing
            why = f"does not import ({error}) beside"
    warnings.warn(f"the compiled {module_name} {why} {source.name}: using the source (slower); reinstall "
                  "framing to compile it again (pip install -v shows a failed compile)", RuntimeWarning, stacklevel=2)
    _load_source(module_name, source)


def _load_source(module_name: str, source: Path) -> None:
    """Execute ``source`` as the module ``module_name``, in sys.modules and on its package."""
    spec = importlib.util.spec_from_file_location(module_name, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    setattr(sys.modules[__name__], module_name.rpartition(".")[2], module)


for _name in COMPILED:
    _load_source_unless_built_from_it(_name)
