"""Compile, cache, load and register the C kernels of this package as XLA FFI targets.

A kernel ``<name>.c`` (package data beside this module) is compiled at first use with
the system C compiler against the FFI header that the installed jaxlib ships, into
``$NEURODYN_CACHE_DIR`` (default ``~/.cache/neurodyn``). The shared library's name
carries a hash of the source, the jaxlib version, the compiler and its flags; it is
written to a temporary file and renamed into place, so concurrent processes are safe.

Set ``NEURODYN_DISABLE_KERNELS=1`` to use the plain-JAX references instead.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from importlib import resources
from pathlib import Path

import jax
import jaxlib

CFLAGS = ("-O3", "-shared", "-fPIC", "-std=c11", "-fvisibility=hidden")
_warned: set[str] = set()
_libraries: list[ctypes.CDLL] = []  # loaded kernels stay mapped for the process


def kernels_disabled() -> bool:
    """Whether ``NEURODYN_DISABLE_KERNELS`` asks for the plain-JAX references."""
    return os.environ.get("NEURODYN_DISABLE_KERNELS", "").strip().lower() not in (
        "",
        "0",
        "false",
        "no",
    )


def cache_dir() -> Path:
    """Directory of compiled kernels: ``$NEURODYN_CACHE_DIR`` or ``~/.cache/neurodyn``."""
    return Path(os.environ.get("NEURODYN_CACHE_DIR") or Path.home() / ".cache" / "neurodyn")


def _compiler() -> str | None:
    for candidate in (os.environ.get("CC"), "cc", "gcc"):
        path = candidate and shutil.which(candidate)
        if path:
            return path
    return None


def _compile(source: bytes, name: str) -> Path:
    """Shared library of ``source``, compiled unless the cache already holds it."""
    compiler = _compiler()
    if compiler is None:
        raise RuntimeError("no C compiler found (tried $CC, cc, gcc)")
    include = jax.ffi.include_dir()
    key = hashlib.sha256(
        b"\0".join(
            [source, jaxlib.__version__.encode(), compiler.encode(), " ".join(CFLAGS).encode()]
        )
    ).hexdigest()[:20]
    directory = cache_dir()
    library = directory / f"{name}-{key}.so"
    if library.exists():
        return library
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_source = tempfile.mkstemp(prefix=f".{name}-", suffix=".c", dir=directory)
    tmp_library = tmp_source[:-2] + ".so"
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(source)
        command = [compiler, *CFLAGS, "-I", include, tmp_source, "-o", tmp_library]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr.strip()}")
        os.replace(tmp_library, library)
    finally:
        for leftover in (tmp_source, tmp_library):
            if os.path.exists(leftover):
                os.remove(leftover)
    return library


def _source(name: str) -> bytes:
    """``<name>.c`` with each ``#include "<header>.h"`` of this package pasted in (the
    headers then count in the cache key, and the compiler needs no include path)."""
    package = resources.files(__package__)

    def paste(match: re.Match) -> bytes:
        return package.joinpath(match.group(1).decode()).read_bytes()

    return re.sub(rb'^#include "([a-z_]+\.h)"$', paste, package.joinpath(f"{name}.c").read_bytes(),
                  flags=re.MULTILINE)  # fmt: skip


@functools.cache
def _build_and_register(name: str, symbol: str) -> str | None:
    try:
        source = _source(name)
        library = ctypes.CDLL(str(_compile(source, name)))
        handler = getattr(library, symbol)
        jax.ffi.register_ffi_target(symbol, jax.ffi.pycapsule(handler), platform="cpu")
    except Exception as error:  # no compiler, read-only cache, missing symbol, ...
        _warn_once(name, f"could not build it ({error})")
        return None
    _libraries.append(library)
    return symbol


def _warn_once(name: str, reason: str) -> None:
    if name not in _warned:
        _warned.add(name)
        warnings.warn(
            f"neurodyn.ops: compiled CPU kernel {name!r} unavailable, {reason}; "
            "using the plain-JAX reference (slower)",
            RuntimeWarning,
            stacklevel=2,
        )


def ffi_target(name: str, symbol: str) -> str | None:
    """Name of the registered CPU FFI target of kernel ``name``, or None to fall back.

    Parameters
    ----------
    name : str
        The kernel's source file, ``neurodyn/ops/<name>.c``.
    symbol : str
        The exported handler, also used as the FFI target name.

    Returns
    -------
    str or None
        ``symbol`` once built and registered; None (with one warning per process)
        when the kernels are disabled or cannot be built.
    """
    if kernels_disabled():
        _warn_once(name, "NEURODYN_DISABLE_KERNELS is set")
        return None
    return _build_and_register(name, symbol)
