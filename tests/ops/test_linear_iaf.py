"""linear_iaf_step: the compiled step of iaf_psc_delta / iaf_psc_exp (and iaf_psc_exp_htum)
/ iaf_psc_alpha == their plain-JAX step (``_LinearMembrane.step``).

Randomised populations (heterogeneous or shared parameters) with excitatory and
inhibitory spike inputs and stimulation currents; neurons refractory, at ``V_min``,
exactly at and above threshold; one step from random states, and 300 steps of a driven
population through ``nd.for_loop``; gradients through 50 steps, ``vmap`` and float32
use the reference.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.core import vmap
from neurodyn.ops._build import ffi_target
from neurodyn.ops._linear_iaf import linear_iaf_step

# model: (kernel, synaptic states with units, weight scale, has V_min)
_MODELS = {
    "iaf_psc_alpha": ("alpha", ("I_syn_ex", "dI_syn_ex", "I_syn_in", "dI_syn_in"), 600.0, True),
    "iaf_psc_exp": ("exp", ("I_syn_ex", "I_syn_in"), 600.0, False),
    "iaf_psc_exp_htum": ("exp", ("I_syn_ex", "I_syn_in"), 600.0, False),
    "iaf_psc_delta": ("delta", (), 3.0, True),
}
H = 0.1  # ms
# The kernel repeats the reference's floating-point operations in the same order, but
# XLA:CPU contracts multiply-adds into FMAs where the host has them and the kernel does
# not, so the two differ by rounding. Largest differences seen: one step V 1.4e-14 mV
# (2.2e-16 relative, one ulp), the rest 0; 300 steps 5.7e-13 (3.2e-15 relative).
_RTOL, _ATOL = 1e-13, 1e-12


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64, dt=H * u.ms)
    if ffi_target("linear_iaf", "neurodyn_linear_iaf_alpha") is None:
        pytest.skip("the linear_iaf kernel cannot be built here")


def _population(model, n, rng, shared=False):
    cls = getattr(nd.nest, model)
    v_min = _MODELS[model][3]
    if shared:
        params = dict(I_e=450.0 * u.pA)
        params.update(
            dict(t_ref_abs=0.3 * u.ms, t_ref_tot=0.6 * u.ms)
            if model.endswith("htum")
            else dict(t_ref=0.5 * u.ms)
        )
        if v_min:
            params["V_min"] = -72.0 * u.mV
        return cls(n, **params)
    params = dict(
        tau_m=rng.uniform(5, 20, n) * u.ms,
        C_m=rng.uniform(100, 300, n) * u.pF,
        I_e=rng.uniform(0, 600, n) * u.pA,
        V_reset=rng.uniform(-72, -65, n) * u.mV,
        E_L=rng.uniform(-71, -69, n) * u.mV,
    )
    if model.endswith("htum"):
        absolute = rng.choice([0.1, 0.2, 0.5], n)
        params.update(t_ref_abs=absolute * u.ms, t_ref_tot=(absolute + 0.3) * u.ms)
    else:
        params["t_ref"] = rng.choice([0.1, 0.2, 0.5], n) * u.ms
    if v_min:
        params["V_min"] = rng.choice([-np.inf, -71.0], n) * u.mV
    if model != "iaf_psc_delta":
        params.update(
            tau_syn_ex=rng.uniform(0.5, 5, n) * u.ms, tau_syn_in=rng.uniform(0.5, 5, n) * u.ms
        )
    return cls(n, **params)


def _compare(got, want, names):
    for name, a, b in zip(names, got, want, strict=True):
        a, b = np.asarray(u.magnitude(a)), np.asarray(u.magnitude(b))
        if a.dtype.kind in "bi" or name == "spike":
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            np.testing.assert_allclose(a, b, rtol=_RTOL, atol=_ATOL, err_msg=name)


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("model", list(_MODELS))
def test_one_step_from_random_states(model, shared):
    rng = np.random.default_rng(1)
    n = 2000
    kernel, synapses, weight, _ = _MODELS[model]
    neuron = _population(model, n, rng, shared)
    nd.init_all_states(neuron)
    V = rng.uniform(-75, -53, n)  # some above threshold, some below V_min
    count = rng.integers(0, 4, n)
    V[:50], count[:50] = -55.0, 9  # held exactly at threshold: y - theta == 0 spikes
    states = (
        jnp.asarray(V),
        *(jnp.asarray(rng.normal(0, 300, n)) for _ in synapses),
        jnp.asarray(count, jnp.int32),
        jnp.asarray(rng.uniform(0, 12, n)),
        jnp.asarray(rng.normal(0, 300, n)),
    )
    inputs = tuple(
        jnp.asarray(np.abs(rng.normal(0, weight, n)) * sign * (rng.random(n) < 0.5))
        for sign in ((1.0,) if kernel == "delta" else (1.0, -1.0))
    )
    stim = 42.0 if shared else jnp.asarray(rng.normal(0, 300, n))
    c = neuron.kernel_parameters()

    def compiled(*o):
        return linear_iaf_step(kernel, neuron.step, c, 12.3, *o)

    assert (
        f"neurodyn_linear_iaf_{kernel}" in jax.jit(compiled).lower(stim, inputs, states).as_text()
    )
    got = jax.jit(compiled)(stim, inputs, states)
    want = jax.jit(lambda *o: neuron.step(c, 12.3, *o))(stim, inputs, states)
    spikes = np.asarray(want[1])
    # (iaf_psc_exp_htum does not fire while refractory)
    assert spikes[:50].all() != model.endswith("htum") and 0.01 * n < spikes.sum() < 0.9 * n
    names = ["V", *synapses, "count", "last_spike_time", "I_stim"]
    _compare([*got[0], got[1]], [*want[0], want[1]], [*names, "spike"])


class _Driven(nd.Module):
    """A population driven by a current and by excitatory and inhibitory spikes (each
    step's values are the loop's inputs), reporting its states."""

    def __init__(self, neuron, synapses):
        super().__init__()
        self.neuron, self.synapses = neuron, synapses
        shape = neuron.varshape
        self.scale = nd.ParamState(jnp.ones(shape))
        if synapses:  # labelled magnitudes on receptor ex, signed unlabelled weights
            neuron.add_delta_input("ex", lambda: self.w_ex, label="ex")
            neuron.add_delta_input("mixed", lambda: -self.w_in)
        else:
            neuron.add_delta_input("jumps", lambda: self.w_ex - self.w_in)

    def update(self, current, w_ex, w_in):
        # this step's weights, read by the delta inputs during the neuron's update
        self.w_ex = self.scale.value * w_ex * self.neuron.WEIGHT_UNIT
        self.w_in = w_in * self.neuron.WEIGHT_UNIT
        spike = self.neuron(self.scale.value * current * u.pA)
        n = self.neuron
        states = (
            n.V,
            *(getattr(n, s) for s in self.synapses),
            n.refractory_step_count,
            n.last_spike_time,
            n.I_stim,
        )
        return spike, *(u.magnitude(s.value) for s in states)


def _inputs(model, rng, steps, shape):
    weight = _MODELS[model][2]
    current = rng.normal(100.0, 250.0, (steps, *shape))
    w_ex, w_in = (
        np.abs(rng.normal(0, weight, (steps, *shape))) * (rng.random((steps, *shape)) < 0.3)
        for _ in range(2)
    )
    return tuple(map(jnp.asarray, (current, w_ex, w_in)))


def _driven(model, n, shared, batch_size=None):
    neuron = _population(model, n, np.random.default_rng(2), shared)
    driven = _Driven(neuron, _MODELS[model][1])
    nd.init_all_states(driven, batch_size=batch_size)
    return driven


def _names(model):
    return ["spike", "V", *_MODELS[model][1], "count", "last_spike_time", "I_stim"]


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("model", list(_MODELS))
def test_driven_population_matches_reference(model, shared, monkeypatch):
    rng = np.random.default_rng(3)
    steps, n = 300, 100
    inputs = _inputs(model, rng, steps, (n,))
    got = nd.for_loop(_driven(model, n, shared), *inputs)
    monkeypatch.setenv("NEURODYN_DISABLE_KERNELS", "1")
    want = nd.for_loop(_driven(model, n, shared), *inputs)
    spike, V = np.asarray(want[0]), np.asarray(want[1])
    assert spike.sum() > 2 * n  # repeated firing, so refractory neurons too
    if _MODELS[model][3]:
        assert (V <= -71.0 + 1e-12).any()  # some held at V_min
    _compare(got, want, _names(model))


@pytest.mark.parametrize("model", ["iaf_psc_alpha", "iaf_psc_delta"])
def test_batched_states_and_vmap_match_reference(model, monkeypatch):
    """States of shape (batch, n) go through the kernel flattened; under nd.vmap the
    reference runs; both equal the reference."""
    rng = np.random.default_rng(5)
    steps, n, batch = 100, 40, 3
    inputs = _inputs(model, rng, steps, (batch, n))
    got = nd.for_loop(_driven(model, n, False, batch), *inputs)
    moved = tuple(jnp.moveaxis(x, 1, 0) for x in inputs)
    driven = _driven(model, n, False, batch)
    got_vmap = vmap(lambda *x: nd.for_loop(driven, *x))(*moved)
    monkeypatch.setenv("NEURODYN_DISABLE_KERNELS", "1")
    want = nd.for_loop(_driven(model, n, False, batch), *inputs)
    assert np.asarray(want[0]).sum() > batch * n
    _compare(got, want, _names(model))
    _compare([jnp.moveaxis(x, 0, 1) for x in got_vmap], want, _names(model))


@pytest.mark.parametrize("model", ["iaf_psc_alpha", "iaf_psc_exp", "iaf_psc_delta"])
def test_gradient_through_the_loop_is_the_reference_gradient(model, monkeypatch):
    rng = np.random.default_rng(6)
    steps, n = 50, 30
    inputs = _inputs(model, rng, steps, (n,))

    def gradient():
        driven = _driven(model, n, False)

        def loss():
            spike, V, *_ = nd.for_loop(driven, *inputs)
            return jnp.sum(spike) + 1e-3 * jnp.sum(V)

        return np.asarray(nd.grad(loss, driven.scale)())

    got = gradient()
    monkeypatch.setenv("NEURODYN_DISABLE_KERNELS", "1")
    want = gradient()
    assert np.abs(want).max() > 0
    np.testing.assert_array_equal(got, want)


def test_float32_uses_the_reference():
    nd.environ.set(precision=32)
    neuron = nd.nest.iaf_psc_alpha(10, I_e=500.0 * u.pA)
    nd.init_all_states(neuron)
    calls = []

    def reference(*args):
        calls.append(args)
        return neuron.step(*args)

    states = (
        neuron.V.value.mantissa,
        *(jnp.zeros(10, jnp.float32) for _ in range(4)),
        jnp.zeros(10, jnp.int32),
        jnp.zeros(10, jnp.float32),
        jnp.zeros(10, jnp.float32),
    )
    text = (
        jax.jit(
            lambda s: linear_iaf_step(
                "alpha", reference, neuron.kernel_parameters(), 1.0, 0.0, (0.0, 0.0), s
            )
        )
        .lower(states)
        .as_text()
    )
    assert calls and "neurodyn_linear_iaf" not in text
    spikes = nd.for_loop(lambda: neuron(), length=200)
    assert spikes.dtype == jnp.float32 and np.asarray(spikes).sum() > 0
