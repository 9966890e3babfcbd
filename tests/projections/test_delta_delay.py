"""DeltaProj with a delay: spikes arrive exactly delay steps after they were emitted."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


class _Pair(nd.Module):
    """A driven iaf_psc_delta onto three quiet ones through FixedProb (all-to-all)."""

    def __init__(self, delay):
        super().__init__()
        self.pre = nd.nest.iaf_psc_delta(1, I_e=1000.0 * u.pA)
        self.post = nd.nest.iaf_psc_delta(3)
        comm = nd.FixedProb(1, 3, prob=1.0, weight=2.0 * u.mV, seed=0)
        self.proj = nd.DeltaProj(comm, self.post, delay=delay)

    def update(self):
        self.proj(self.pre.spike.value)  # the previous step's spikes
        self.pre()
        self.post()


def _run(delay):
    nd.environ.set(precision=64)
    try:
        net = _Pair(delay)
        nd.init_all_states(net)
        result = nd.run(net, 30.0 * u.ms, monitors={"s": net.pre.spike, "V": net.post.V})
        return np.flatnonzero(np.asarray(result["s"])[:, 0]), np.asarray(result["V"].mantissa)
    finally:
        nd.environ.set(precision=32)


@pytest.mark.parametrize("delay_ms,steps", [(0.1, 1), (1.27, 13), (1.25, 13), (3.0, 30)])
def test_spikes_arrive_delay_steps_after_emission(delay_ms, steps):
    emitted, V = _run(delay_ms * u.ms)
    jumps = np.flatnonzero(np.diff(V[:, 0]) > 1.0) + 1  # steps whose update saw a spike
    arriving = emitted + steps
    np.testing.assert_array_equal(jumps, arriving[arriving < len(V)])
    assert len(jumps) >= 2


def test_a_one_step_delay_is_the_default_timing():
    _, V_default = _run(None)
    _, V_one_step = _run(0.1 * u.ms)
    np.testing.assert_array_equal(V_default, V_one_step)


def test_per_synapse_delays_and_errors():
    emitted, V = _run(jnp.array([0.5, 1.0, 2.0]) * u.ms)
    for target, steps in enumerate((5, 10, 20)):
        jumps = np.flatnonzero(np.diff(V[:, target]) > 1.0) + 1
        arriving = emitted + steps
        np.testing.assert_array_equal(jumps, arriving[arriving < len(V)])
    post = nd.nest.iaf_psc_delta(3)
    with pytest.raises(nd.ParameterError, match="shorter than dt"):
        nd.DeltaProj(nd.FixedProb(1, 3, prob=1.0, weight=1.0 * u.mV), post, delay=0.04 * u.ms)
    with pytest.raises(nd.ParameterError, match="delay must be a time quantity"):
        nd.DeltaProj(nd.FixedProb(1, 3, prob=1.0, weight=1.0 * u.mV), post, delay=1.0)
    with pytest.raises(nd.ParameterError, match="event-driven connectivity"):
        nd.DeltaProj(nd.AllToAll(1, 3, 1.0 * u.mV), post, delay=1.0 * u.ms)
