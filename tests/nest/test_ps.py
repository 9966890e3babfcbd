"""The precise-spike-timing models (``*_ps``) against NEST 3.10 recordings (``make_ps.py``).

Each model's population (default, firing, non-default, short-refractory and
initially suprathreshold neurons) is driven by a step current and by off-grid spike
trains of both signs, with several and coincident events in one step; the spikes must
come at NEST's precise times and ``V_m`` follow NEST's.
"""

import inspect

import jax.numpy as jnp
import numpy as np
import pytest
from make_ps import DELAY, DT, NETWORK, load, network_connections, trains

import neurodyn as nd
from neurodyn import devices
from neurodyn import units as u

_MODELS = ["iaf_psc_delta_ps", "iaf_psc_exp_ps", "iaf_psc_exp_ps_lossless", "iaf_psc_alpha_ps"]
_UNITS = {"E_L": u.mV, "C_m": u.pF, "tau_m": u.ms, "t_ref": u.ms, "V_th": u.mV, "V_reset": u.mV,
          "I_e": u.pA, "tau_syn_ex": u.ms, "tau_syn_in": u.ms}  # fmt: skip
# Largest differences from NEST seen (float64, x86-64): spike times 5.0e-14 ms,
# V_m 1.6e-13 mV; the tolerances leave a wide margin.
_TOL_TIME = 1e-9  # ms
_TOL_V = 1e-9  # mV


def _neurons(cls, params: list[dict]):
    signature = inspect.signature(cls).parameters
    kwargs = {}
    for key, unit in _UNITS.items():
        if key in signature and any(key in p for p in params):
            default = u.to_float(signature[key].default, unit)
            kwargs[key] = u.with_unit(jnp.array([p.get(key, default) for p in params]), unit)
    # NEST keeps V_m (-70 mV) where E_L is changed without it
    V0 = jnp.array([p.get("V_m", -70.0) for p in params])
    return cls(len(params), V_initializer=u.with_unit(V0, u.mV), **kwargs)


def _event_slots(events: np.ndarray, steps: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(step, offset, weight) rows as per-step slots (steps, n, K): offsets (-1 empty)."""
    per_step = np.bincount(events[:, 0].astype(int), minlength=steps)
    K = int(per_step.max())
    offsets, weights = -np.ones((steps, n, K)), np.zeros((steps, n, K))
    fill = np.zeros(steps, int)
    for step, offset, weight in events:
        s = int(step)
        if s < steps:
            offsets[s, :, fill[s]], weights[s, :, fill[s]] = offset, weight
            fill[s] += 1
    return offsets, weights


class _Driven(nd.Module):
    """The neuron, fed each step's precise events through a ``'precise'`` delta input."""

    def __init__(self, neuron, K: int):
        super().__init__()
        self.neuron = neuron
        shape = (neuron.num, K)
        self.offsets = nd.ShortTermState(u.with_unit(jnp.zeros(shape), u.ms))
        self.weights = nd.ShortTermState(u.with_unit(jnp.zeros(shape), neuron.WEIGHT_UNIT))
        neuron.add_delta_input(
            "train", lambda: (self.offsets.value, self.weights.value), label="precise"
        )

    def update(self, current, offsets, weights):
        self.offsets.value = u.with_unit(offsets, u.ms)
        self.weights.value = u.with_unit(weights, self.neuron.WEIGHT_UNIT)
        spike = self.neuron(u.with_unit(current * jnp.ones(self.neuron.num), u.pA))
        return spike, self.neuron.spike_offset.value, self.neuron.V.value


@pytest.fixture(scope="module")
def reference():
    return load()


@pytest.mark.parametrize("model", _MODELS)
def test_matches_nest(model, reference):
    nd.environ.set(precision=64)
    ref = reference[model]
    neuron = _neurons(getattr(nd.nest, model), ref["params"])
    steps = len(ref["current"])
    offsets, weights = _event_slots(ref["events"], steps, neuron.num)
    driven = _Driven(neuron, offsets.shape[-1])
    nd.init_all_states(driven)

    def step(i, current, offsets, weights):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(current, offsets, weights)

    spike, offset, V = nd.for_loop(
        step, jnp.arange(steps), jnp.asarray(ref["current"]), jnp.asarray(offsets),
        jnp.asarray(weights),
    )  # fmt: skip
    spike, offset = np.asarray(spike), np.asarray(u.to_float(offset, u.ms))
    rows, senders = np.nonzero(spike)
    ours = sorted(zip(senders, (rows + 1) * DT - offset[rows, senders], strict=True))
    nest_times = ref["spike_steps"] * DT - ref["spike_offsets"]
    theirs = sorted(zip(ref["spike_senders"], nest_times, strict=True))
    assert len(ours) == len(theirs) > 20
    ours, theirs = np.array(ours), np.array(theirs)
    np.testing.assert_array_equal(ours[:, 0], theirs[:, 0])
    np.testing.assert_allclose(ours[:, 1], theirs[:, 1], rtol=0, atol=_TOL_TIME)
    V = np.asarray(u.to_float(V, u.mV))[: len(ref["V_m"])]
    np.testing.assert_allclose(V, ref["V_m"], rtol=0, atol=_TOL_V)


class _Pair(nd.Module):
    """Two copies of a model: one fed an unlabelled input, one the same as a precise
    event at offset 0."""

    def __init__(self, cls, weight):
        super().__init__()
        self.plain, self.precise = cls(1, I_e=300.0 * u.pA), cls(1, I_e=300.0 * u.pA)
        self.plain.add_delta_input("w", lambda: jnp.array([weight]) * cls.WEIGHT_UNIT)
        event = (jnp.array([[0.0]]) * u.ms, jnp.array([[weight]]) * cls.WEIGHT_UNIT)
        self.precise.add_delta_input("w", lambda: event, label="precise")

    def update(self):
        return self.plain(), self.precise(), self.plain.V.value, self.precise.V.value


@pytest.mark.parametrize("model", ["iaf_psc_delta_ps", "iaf_psc_exp_ps"])
def test_plain_input_is_an_event_at_the_step_end(model):
    """An unlabelled delta input (an on-grid spike) acts as a precise one at offset 0."""
    nd.environ.set(precision=64)
    cls = getattr(nd.nest, model)
    pair = _Pair(cls, 10.0 if cls.WEIGHT_UNIT == u.mV else 2e4)
    nd.init_all_states(pair)
    plain, precise, V_plain, V_precise = nd.for_loop(lambda i: pair(), jnp.arange(30))
    np.testing.assert_array_equal(plain, precise)
    assert np.asarray(plain).sum() >= 2
    np.testing.assert_allclose(u.to_float(V_plain, u.mV), u.to_float(V_precise, u.mV), atol=1e-12)


def test_lossless_rejects_unequal_time_constants():
    with pytest.raises(nd.ParameterError, match="tau_syn_ex must equal tau_syn_in"):
        nd.nest.iaf_psc_exp_ps_lossless(1, tau_syn_ex=1.0 * u.ms, tau_syn_in=2.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="tau_m"):
        nd.nest.iaf_psc_exp_ps_lossless(1, tau_syn_ex=10.0 * u.ms, tau_syn_in=10.0 * u.ms)


def test_spike_generator_offsets_match_nest(reference):
    """``precise_times``: the stamps and offsets of NEST's recorded generator spikes."""
    nd.environ.set(precision=64)
    ref = reference["iaf_psc_exp_ps"]
    delay_steps = round(DELAY / DT)
    theirs = sorted((int(s) - delay_steps + 1, o) for s, o, _ in ref["events"])
    ours = []
    for _, times in trains():
        steps, offsets, multiplicities = devices.spike_generator(
            times * u.ms, precise_times=True
        ).precise_table()
        for step, row, mult in zip(steps, offsets, multiplicities, strict=True):
            ours += [(int(step) + 1, o) for o, m in zip(row, mult, strict=True) if m > 0]
    ours = sorted(ours)
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    np.testing.assert_allclose([o for _, o in ours], [o for _, o in theirs], rtol=0, atol=1e-12)


def test_network_matches_nest(reference):
    """``*_ps`` neurons connected with delays and fed by precise spike_generators: every
    spike at NEST's precise time (offsets carried through the delays)."""
    nd.environ.set(precision=64)
    ref = reference["network"]
    c = network_connections()
    net = nd.Network()
    populations, first = [], 0
    for model, n, params in NETWORK["populations"]:
        populations.append((net.create(model, n, params), first, n))
        first += n
    recorder = net.create("spike_recorder")

    def local(indices, start, n):
        inside = (indices >= start) & (indices < start + n)
        return inside, indices - start

    for pop_pre, start_pre, n_pre in populations:
        for pop_post, start_post, n_post in populations:
            a, pre = local(c["pre"], start_pre, n_pre)
            b, post = local(c["post"], start_post, n_post)
            chosen = a & b
            spec = {"rule": "explicit", "pre": pre[chosen], "post": post[chosen]}
            syn = {"weight": c["weight"][chosen], "delay": c["delay"][chosen]}
            net.connect(pop_pre, pop_post, spec, syn)
    for g, times in enumerate(c["trains"]):
        gen = net.create("spike_generator", params={"spike_times": times, "precise_times": True})
        for pop_post, start_post, n_post in populations:
            b, post = local(c["gen_post"], start_post, n_post)
            chosen = b & (c["gen_pre"] == g)
            spec = {"rule": "explicit", "pre": np.zeros(chosen.sum(), int), "post": post[chosen]}
            syn = {"weight": c["gen_weight"][chosen], "delay": c["gen_delay"][chosen]}
            net.connect(gen, pop_post, spec, syn)
    for pop, _, _ in populations:
        net.connect(pop, recorder)
    net.simulate(NETWORK["duration"])
    events = recorder.get("events")
    first_id = int(populations[0][0].ids[0])
    ours = sorted(zip(events["senders"] - first_id, events["times"], strict=True))
    nest_times = ref["spike_steps"] * DT - ref["spike_offsets"]
    theirs = sorted(zip(ref["spike_senders"], nest_times, strict=True))
    assert len(ours) == len(theirs) > 50
    ours, theirs = np.array(ours), np.array(theirs)
    np.testing.assert_array_equal(ours[:, 0], theirs[:, 0])
    np.testing.assert_allclose(ours[:, 1], theirs[:, 1], rtol=0, atol=_TOL_TIME)
