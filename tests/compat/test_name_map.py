"""The porting guide's name map (docs/porting.md) is what neurodyn.compat provides:
every old name in it resolves, to the very neurodyn object the guide names, and every
name the compat namespaces export is in the guide."""

import re
from pathlib import Path

import pytest

import neurodyn as nd
from neurodyn import compat

GUIDE = Path(__file__).parents[2] / "docs" / "porting.md"
ROW = re.compile(r"^\| `([\w.]+)` \| `(nd\.[\w.]+)` \|$")


def _rows():
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Name map", 1)[1].split("\n## ", 1)[0]
    return [ROW.match(line).groups() for line in section.splitlines() if ROW.match(line)]


def _resolve(root, dotted):
    value = root
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def test_the_guide_has_a_name_map():
    assert len(_rows()) > 80


@pytest.mark.parametrize("old,new", _rows(), ids=[old for old, _ in _rows()])
def test_every_name_of_the_guide_resolves_to_neurodyns_object(old, new):
    assert _resolve(compat, old) is _resolve(nd, new[len("nd.") :])


def test_every_exported_name_is_in_the_guide():
    listed = {old for old, _ in _rows()}
    for namespace in ("brainpy_state", "brainstate", "brainstate.nn", "brainstate.transform"):
        for name in _resolve(compat, namespace).__all__:
            if f"{namespace}.{name}" in ("brainstate.nn", "brainstate.transform"):
                continue  # namespaces of the layer itself
            assert f"{namespace}.{name}" in listed, f"{namespace}.{name} is not in the guide"


def test_import_lines_of_the_guide_work():
    from neurodyn.compat import brainpy, brainstate, braintools  # noqa: F401
    from neurodyn.compat import brainpy_state as bp

    assert brainpy.state is bp and bp.LIF is nd.LIF
