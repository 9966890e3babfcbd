"""nd.vmap: a model written for one example, run on a batch, equals the example-by-example
runs (per-example states, shared parameters and clock, one random stream per example)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.core import vmap

B, N_IN, N = 3, 4, 5


class _PoissonDriven(nd.Module):
    """Poisson spikes (random, drawn inside) -> all-to-all (pA) -> Expon -> CUBA -> LIF,
    plus an external current."""

    def __init__(self):
        super().__init__()
        self.source = nd.PoissonSpike(N_IN, freqs=400.0 * u.Hz)
        self.lif = nd.LIF(N, tau=10.0 * u.ms, R=50.0 * u.Mohm, V_rest=-65.0 * u.mV,
                          V_th=-55.0 * u.mV, V_reset=-68.0 * u.mV, tau_ref=1.0 * u.ms)  # fmt: skip
        weight = jnp.linspace(300.0, 900.0, N_IN * N).reshape(N_IN, N) * u.pA
        self.proj = nd.AlignPostProj(
            nd.AllToAll(N_IN, N, weight),
            nd.Expon(N, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.pA)),
            nd.CUBA(),
            self.lif,
        )

    def update(self, current):
        self.proj(self.source())
        spikes = self.lif(current)
        return self.lif.V.value, spikes, nd.environ.get("i")


def _run(net, currents):
    """One example: ``currents`` (n_steps, N) through the network on its clock."""
    return nd.for_loop(net, currents, clock=net)


def test_lif_network_with_random_input_equals_unbatched_runs():
    n_steps = 60
    rng = np.random.default_rng(1)
    currents = jnp.asarray(rng.uniform(0.0, 0.3, (B, n_steps, N))) * u.nA
    net = _PoissonDriven()

    nd.random.seed(7)
    nd.init_all_states(net, batch_size=B)
    V, spikes, steps = vmap(lambda c: _run(net, c))(currents)
    key_after = np.asarray(nd.random.DEFAULT.key.value)
    V = np.asarray(u.to_float(V, u.mV))
    assert V.shape == (B, n_steps, N)
    # the clock is shared: one time for the batch, advanced once
    np.testing.assert_array_equal(np.asarray(steps), np.tile(np.arange(n_steps), (B, 1)))
    assert int(net.clock.step.value) == n_steps

    nd.random.seed(7)
    keys = jax.random.split(nd.random.split_key(), B)
    # the default stream goes on from the key it gave for the split
    np.testing.assert_array_equal(key_after, np.asarray(nd.random.DEFAULT.key.value))
    for b in range(B):
        nd.init_all_states(net)
        nd.random.DEFAULT.key.value = keys[b]
        V_b, spikes_b, _ = _run(net, currents[b])
        np.testing.assert_allclose(V[b], np.asarray(u.to_float(V_b, u.mV)), rtol=0, atol=1e-4)
        np.testing.assert_array_equal(np.asarray(spikes[b]), np.asarray(spikes_b))
    # the input is random and the examples differ: every example draws its own spikes
    assert np.asarray(spikes).sum() > 10
    assert not np.array_equal(np.asarray(spikes[0]), np.asarray(spikes[1]))


class _Recurrent(nd.Module):
    """LIF with dense recurrent voltage jumps (DeltaProj) and an input current."""

    def __init__(self):
        super().__init__()
        self.lif = nd.LIF(N, tau=8.0 * u.ms, V_th=1.0 * u.mV, tau_ref=0.5 * u.ms)
        rng = np.random.default_rng(2)
        w_rec = jnp.asarray(rng.uniform(-0.6, 0.9, (N, N))) * u.mV
        self.rec = nd.DeltaProj(nd.AllToAll(N, N, w_rec), self.lif, label="rec")

    def update(self, current):
        self.rec(self.lif.spike.value)
        self.lif(current)
        return self.lif.V.value


def test_recurrent_network_batched_per_step_equals_unbatched_runs():
    n_steps = 80
    rng = np.random.default_rng(3)
    currents = jnp.asarray(rng.uniform(0.0, 2.5, (n_steps, B, N))) * u.amp  # R = 1 ohm
    net = _Recurrent()
    nd.init_all_states(net, batch_size=B)
    # time-major input, batched inside each step
    V = nd.for_loop(vmap(net), currents)
    V = np.asarray(u.to_float(V, u.mV))
    assert V.shape == (n_steps, B, N)
    assert net.lif.spike.value.shape == (B, N)
    for b in range(B):
        nd.init_all_states(net)
        V_b = np.asarray(u.to_float(nd.for_loop(net, currents[:, b]), u.mV))
        np.testing.assert_allclose(V[:, b], V_b, rtol=1e-6, atol=1e-6)
    assert np.ptp(V[:, 0] - V[:, 1]) > 0.1  # the examples took different paths


def test_in_axes_none_and_other_axes_and_out_axes():
    w = nd.ParamState(jnp.array([1.0, -2.0, 3.0]))
    total = nd.ShortTermState(jnp.zeros((4, 3)))

    def f(x, scale):
        total.value = total.value + x * scale * w.value
        return jnp.sum(total.value)

    x = jnp.arange(12.0).reshape(3, 4)  # examples along axis 1
    out = vmap(f, in_axes=(1, None), out_axes=0)(x, 2.0)
    expected = (x.T * 2.0 * w.value).sum(axis=1)
    np.testing.assert_allclose(np.asarray(out), np.asarray(expected))
    np.testing.assert_allclose(np.asarray(total.value), np.asarray(x.T * 2.0 * w.value))
    # a stacked output can go to another axis
    stacked = vmap(lambda x: x * w.value, in_axes=1, out_axes=1)(x)
    np.testing.assert_allclose(np.asarray(stacked), np.asarray(x * w.value[:, None]))
    # no mapped argument: the batch size is given
    ones = vmap(lambda: total.value * 0.0 + 1.0, batch_size=4)()
    assert ones.shape == (4, 3)
    # an unmapped argument may be any object
    picked = vmap(lambda x, key: x[key], in_axes=(0, None))({"a": x.T, "b": -x.T}, "b")
    np.testing.assert_allclose(np.asarray(picked), -np.asarray(x.T))


def test_shared_parameter_gradients_sum_over_the_batch():
    nd.environ.set(precision=64)
    w = nd.ParamState(jnp.array([0.5, -1.0, 2.0]))
    state = nd.HiddenState(jnp.zeros((B, 3)))

    def one(x):
        state.value = jnp.tanh(state.value + x * w.value)
        return jnp.sum(state.value**2)

    x = jnp.asarray(np.random.default_rng(4).normal(size=(B, 3)))
    grad_batch = nd.grad(lambda x: jnp.sum(vmap(one)(x)), w)(x)
    grad_each = sum(
        jax.grad(lambda w, b=b: jnp.sum(jnp.tanh(x[b] * w) ** 2))(w.value) for b in range(B)
    )
    np.testing.assert_allclose(np.asarray(grad_batch), np.asarray(grad_each), rtol=1e-12)
    assert state.value.shape == (B, 3)  # the per-example state holds each example's value


def test_jit_of_vmap_equals_vmap():
    net = _Recurrent()
    currents = jnp.ones((B, N)) * jnp.array([[0.5], [1.5], [3.0]]) * u.amp
    nd.init_all_states(net, batch_size=B)
    step = nd.jit(vmap(net))
    compiled = [np.asarray(u.to_float(step(currents), u.mV)) for _ in range(5)]
    nd.init_all_states(net, batch_size=B)
    eager = [np.asarray(u.to_float(vmap(net)(currents), u.mV)) for _ in range(5)]
    np.testing.assert_allclose(compiled, eager, rtol=1e-6, atol=1e-7)


def test_errors_name_the_argument_or_state():
    state = nd.HiddenState(jnp.zeros((B, 2)), name="h")

    def f(x, y):
        state.value = state.value + x + y
        return state.value

    with pytest.raises(nd.ParameterError, match=r"argument 'y' \(position 1\) has size 4"):
        vmap(f)(jnp.ones((B, 2)), jnp.ones((4, 2)))
    with pytest.raises(nd.ParameterError, match=r"argument 'x' \(position 0\) has size 3 .* "
                       r"batch_size=2"):  # fmt: skip
        vmap(f, batch_size=2)(jnp.ones((B, 2)), jnp.ones((B, 2)))
    with pytest.raises(nd.ParameterError, match="give batch_size"):
        vmap(f, in_axes=None)(jnp.ones(2), jnp.ones(2))
    with pytest.raises(nd.ParameterError, match="in_axes has 3 entries but f got 2"):
        vmap(f, in_axes=(0, 0, 0))(jnp.ones((B, 2)), jnp.ones((B, 2)))
    with pytest.raises(nd.ParameterError, match=r"argument 'x' \(position 0\) has shape \(3,\), "
                       r"which has no axis 1"):  # fmt: skip
        vmap(f, in_axes=(1, 0))(jnp.ones(B), jnp.ones((B, 2)))
    # a per-example state created without the batch axis
    unbatched = nd.HiddenState(jnp.zeros(2), name="V")
    with pytest.raises(nd.ParameterError, match=r"HiddenState 'V' has shape \(2,\).*batch_size=3"):
        vmap(lambda x: unbatched.value + x)(jnp.ones((B, 2)))
    # a shared parameter written with a different value per example
    w = nd.ParamState(jnp.zeros(2), name="weight")

    def learn(x):
        w.value = w.value + x

    with pytest.raises(nd.ParameterError, match="ParamState 'weight' is shared"):
        vmap(learn)(jnp.ones((B, 2)))
    # failures leave the states as they were (no tracers behind)
    assert isinstance(np.asarray(w.value), np.ndarray) and w.value.shape == (2,)
    assert state.value.shape == (B, 2) and not isinstance(state.value, jax.core.Tracer)
