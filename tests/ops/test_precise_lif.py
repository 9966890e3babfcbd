"""precise_lif_step: the compiled step of the ``*_ps`` models == their plain-JAX step.

Randomised populations of each model (heterogeneous or shared parameters) with several
input spikes per step of both signs, simultaneous ones and ones at the offset where
refractoriness ends; neurons refractory, above threshold at the start of a step, held
at ``V_min``; one step from random states, and 300 steps of a driven population.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.ops._build import ffi_target
from neurodyn.ops._precise_lif import precise_lif_step

_MODELS = ["iaf_psc_alpha_ps", "iaf_psc_exp_ps", "iaf_psc_delta_ps", "iaf_psc_exp_ps_lossless"]
H = 0.1  # ms
# The kernel calls libm's exp, expm1, log and pow where XLA has its own, so the two
# differ by rounding. Largest differences seen (one step; 300 steps): V 2e-16; 6e-14
# relative, synaptic currents 3e-14; 4e-15 relative (the absolute floors cover currents
# that cancel to near zero: 2e-12 pA; 9e-11 pA seen). Spike offsets: 1e-15; 4.5e-13 ms,
# Regula Falsi stops where |V - V_th| < 1e-14 mV, which fixes a crossing time only to
# about 1e-14 mV over the slope of V there.
_RTOL = 1e-12
_ATOL = {"V": 1e-11, "I_syn_ex": 1e-9, "I_syn_in": 1e-9, "dI_syn_ex": 1e-9,
         "dI_syn_in": 1e-9, "offset": 1e-12}  # fmt: skip
# an event grid with the offset of a spike at the start of a step, h (1 - eps), so
# that inputs fall on the end of refractoriness of such neurons
_GRID = np.array([0.0, 0.02, 0.05, 0.07, H * (1 - np.finfo(float).eps)])


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64, dt=H * u.ms)
    cls = nd.nest.iaf_psc_alpha_ps
    if ffi_target("precise_lif", f"neurodyn_precise_{cls.KERNEL}") is None:
        pytest.skip("the precise_lif kernel cannot be built here")


def _population(model, n, rng, shared=False):
    cls = getattr(nd.nest, model)
    if shared:
        return cls(n, I_e=450.0 * u.pA, V_min=-72.0 * u.mV, t_ref=0.2 * u.ms)
    params = dict(
        tau_m=rng.uniform(5, 20, n) * u.ms,
        C_m=rng.uniform(100, 300, n) * u.pF,
        I_e=rng.uniform(0, 600, n) * u.pA,
        t_ref=rng.choice([0.1, 0.2, 0.5], n) * u.ms,
        V_min=rng.choice([-np.inf, -71.0], n) * u.mV,
        V_reset=rng.uniform(-72, -65, n) * u.mV,
    )
    if model != "iaf_psc_delta_ps":
        tau_ex = rng.uniform(0.5, 5, n)
        tau_in = tau_ex if model == "iaf_psc_exp_ps_lossless" else rng.uniform(0.5, 5, n)
        params.update(tau_syn_ex=tau_ex * u.ms, tau_syn_in=tau_in * u.ms)
    return cls(n, **params)


def _events(rng, shape, K, weight):
    """K slots per neuron: grid offsets (several equal), some empty; both signs."""
    offsets = rng.choice(np.concatenate([_GRID, [-1.0, -1.0]]), (*shape, K))
    return offsets, rng.normal(0.0, weight, (*shape, K))


def _weight(model):
    return 3.0 if model == "iaf_psc_delta_ps" else 600.0


def _compare(got, want, names):
    got, want = jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)
    assert len(got) == len(want) == len(names)
    for name, a, b in zip(names, got, want, strict=True):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype.kind in "bi" or name == "spike":
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            atol = _ATOL["offset" if "offset" in name or "time" in name else name]
            np.testing.assert_allclose(a, b, rtol=_RTOL, atol=atol, err_msg=name)


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("model", _MODELS)
def test_one_step_from_random_states(model, shared):
    rng = np.random.default_rng(1)
    n, K = 3000, 6
    neuron = _population(model, n, rng, shared)
    nd.init_all_states(neuron)
    p = neuron.parameters()
    offsets, weights = _events(rng, (n,), K, _weight(model))
    operands = (
        p,
        H,
        12.3,
        jnp.asarray(rng.uniform(-73, -53, n)),  # some above threshold (-55 mV)
        tuple(jnp.asarray(rng.normal(0, 300, n)) for _ in neuron.SYNAPSE),
        jnp.asarray(rng.random(n) < 0.3),
        jnp.asarray(rng.integers(0, 3, n), jnp.int32),  # 1: refractoriness ends now
        jnp.asarray(rng.choice(_GRID, n)),
        jnp.asarray(rng.uniform(0, 12, n)),
        jnp.asarray(rng.normal(0, 300, n)),
        jnp.asarray(offsets),
        jnp.asarray(weights),
    )
    parameters = {**p, **neuron.coefficients(p, H)}
    # the next step's y0: one current for all, or one per neuron
    current = 42.0 if shared else jnp.asarray(rng.normal(0, 300, n))
    kernel = jax.jit(
        lambda *o: precise_lif_step(neuron.KERNEL, neuron.step, parameters, *o, current=current)
    )
    got, want = kernel(*operands), jax.jit(neuron.step)(*operands)
    spikes = np.asarray(want[-1])
    assert 0.05 * n < spikes.sum() < 0.9 * n  # both kinds of neuron are tested
    names = ["V", *neuron.SYNAPSE, "refractory", "count", "offset", "last_offset",
             "last_time", "spike"]  # fmt: skip
    _compare(got[:-1], want, names)
    np.testing.assert_array_equal(got[-1], np.broadcast_to(current, (n,)))


class _Driven(nd.Module):
    def __init__(self, neuron, K):
        super().__init__()
        self.neuron = neuron
        shape = (neuron.num, K)
        self.offsets = nd.ShortTermState(jnp.zeros(shape) * u.ms)
        self.weights = nd.ShortTermState(jnp.zeros(shape) * neuron.WEIGHT_UNIT)
        neuron.add_delta_input(
            "train", lambda: (self.offsets.value, self.weights.value), label="precise"
        )

    def update(self, current, offsets, weights):
        self.offsets.value = offsets * u.ms
        self.weights.value = weights * self.neuron.WEIGHT_UNIT
        spike = self.neuron(current * u.pA)
        n = self.neuron
        return spike, n.spike_offset.value, n.V.value, *(getattr(n, s).value for s in n.SYNAPSE)


def _run(model, inputs, monkeypatch, kernel):
    if not kernel:
        monkeypatch.setenv("NEURODYN_DISABLE_KERNELS", "1")
    current, offsets, weights = inputs
    neuron = _population(model, offsets.shape[1], np.random.default_rng(2))
    driven = _Driven(neuron, offsets.shape[-1])
    nd.init_all_states(driven)
    out = nd.for_loop(driven, jnp.asarray(current), jnp.asarray(offsets), jnp.asarray(weights))
    monkeypatch.delenv("NEURODYN_DISABLE_KERNELS", raising=False)
    return [np.asarray(u.magnitude(x)) for x in out], neuron.SYNAPSE


@pytest.mark.parametrize("model", _MODELS)
def test_driven_population_matches_reference(model, monkeypatch):
    rng = np.random.default_rng(3)
    steps, n, K = 300, 100, 4
    current = rng.normal(0.0, 150.0, (steps, n))
    offsets, weights = _events(rng, (steps, n), K, _weight(model))
    offsets[rng.random((steps, n, K)) < 0.7] = -1.0  # most slots empty
    inputs = (current, offsets, weights)
    (spike, offset, V, *synapse), names = _run(model, inputs, monkeypatch, kernel=True)
    (spike_ref, offset_ref, V_ref, *synapse_ref), _ = _run(model, inputs, monkeypatch, False)
    assert spike_ref.sum() > 2 * n  # repeated firing, so refractory neurons too
    assert (V_ref <= -71.0 + 1e-12).any()  # some held at V_min
    _compare([spike, offset, V, *synapse], [spike_ref, offset_ref, V_ref, *synapse_ref],
             ["spike", "offset", "V", *names])  # fmt: skip


def test_vmap_uses_the_reference():
    """Batched (vmap) calls fall back to the plain-JAX step, row by row the same."""
    rng = np.random.default_rng(4)
    neuron = nd.nest.iaf_psc_exp_ps(50, I_e=400.0 * u.pA)
    nd.init_all_states(neuron)
    p = neuron.parameters()
    parameters = {**p, **neuron.coefficients(p, H)}
    batch = 3
    offsets, weights = _events(rng, (batch, 50), 3, 600.0)
    V = jnp.asarray(rng.uniform(-70, -54, (batch, 50)))
    rest = (
        tuple(jnp.asarray(rng.normal(0, 300, (batch, 50))) for _ in neuron.SYNAPSE),
        jnp.zeros((batch, 50), bool),
        jnp.zeros((batch, 50), jnp.int32),
        jnp.zeros((batch, 50)),
        jnp.zeros((batch, 50)),
        jnp.zeros((batch, 50)),
        jnp.asarray(offsets),
        jnp.asarray(weights),
    )

    def step(V, current, *rest):
        return precise_lif_step(
            neuron.KERNEL, neuron.step, parameters, p, H, 1.0, V, *rest, current=current
        )

    current = jnp.asarray(rng.normal(0, 300, (batch, 50)))
    got = jax.jit(jax.vmap(step))(V, current, *rest)
    want = jax.jit(jax.vmap(lambda *o: neuron.step(p, H, 1.0, *o)))(V, *rest)
    got_leaves = jax.tree_util.tree_leaves(got)
    np.testing.assert_array_equal(got_leaves[-1], current)
    for a, b in zip(got_leaves[:-1], jax.tree_util.tree_leaves(want), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert np.asarray(want[-1]).sum() > 0
