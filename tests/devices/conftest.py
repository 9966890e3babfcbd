"""Helpers for the device tests: run generators alone and collect what they emit."""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


class _Bench(nd.Module):
    """Several generators stepped together (one compiled loop for all of them)."""

    def __init__(self, generators):
        super().__init__("bench")
        self.generators = list(generators)

    def update(self):
        return [g.update() for g in self.generators]


def _as_array(out, unit):
    if isinstance(out, u.Quantity):
        out = out.to_decimal(unit)
    return np.asarray(out, dtype=np.float64)


def _emitted(generator, n_steps, n_targets=None, unit=u.pA, batch_size=None):
    """The outputs of ``n_steps`` compiled steps from t = 0, as a float64 array (currents
    in ``unit``). ``generator`` may be a list: then a list of arrays, from one loop."""
    several = isinstance(generator, (list, tuple))
    generators = list(generator) if several else [generator]
    if n_targets is not None:
        for g in generators:
            g.bind(n_targets)
    bench = _Bench(generators)
    nd.init_all_states(bench, batch_size)
    outs = nd.for_loop(bench.update, length=n_steps, clock=bench)
    outs = [_as_array(out, unit) for out in outs]
    return outs if several else outs[0]


@pytest.fixture
def emitted():
    return _emitted
