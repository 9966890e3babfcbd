"""Namespaces of the porting layer: modules made of existing objects under old names."""

from __future__ import annotations

import types
from typing import Any


def namespace(name: str, doc: str, **objects: Any) -> types.ModuleType:
    """A module ``name`` holding ``objects`` (e.g. ``brainstate.nn``), for attribute
    access and ``from ... import``; ``__all__`` lists the names."""
    module = types.ModuleType(name, doc)
    module.__dict__.update(objects)
    module.__all__ = sorted(objects)
    return module
