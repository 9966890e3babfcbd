"""nd.jit and nd.grad over stateful models; gradients checked against finite differences."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


class _Net(nd.Module):
    """Input spikes -> all-to-all weights (pA) -> Expon -> CUBA -> LIF."""

    def __init__(self, n_in, n_out, weight):
        super().__init__()
        self.lif = nd.LIF(
            n_out,
            tau=10.0 * u.ms,
            R=50.0 * u.Mohm,
            V_rest=-65.0 * u.mV,
            V_th=-55.0 * u.mV,
            V_reset=-68.0 * u.mV,
            tau_ref=1.0 * u.ms,
        )
        self.proj = nd.AlignPostProj(
            nd.AllToAll(n_in, n_out, weight),
            nd.Expon(n_out, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.pA)),
            nd.CUBA(),
            self.lif,
        )

    def update(self, spikes):
        self.proj(spikes)
        self.lif()
        return self.lif.V.value


def _setup(seed=3):
    nd.environ.set(precision=64)
    rng = np.random.default_rng(seed)
    raster = jnp.asarray(rng.random((100, 6)) < 0.15, jnp.float64)
    weight = jnp.asarray(rng.uniform(100.0, 400.0, (6, 4))) * u.pA
    net = _Net(6, 4, weight)
    nd.init_all_states(net)
    target = jnp.linspace(-62.0, -58.0, 4)

    def loss(raster):
        Vs = nd.for_loop(net, raster)  # (100, 4) in mV
        return jnp.mean((u.to_float(Vs, u.mV) - target) ** 2)

    return net, raster, loss


def test_grad_through_100_steps_matches_finite_differences():
    net, raster, loss = _setup()
    grads = nd.grad(loss, net.proj.comm.weight)(raster)
    assert u.same_dimension(grads, u.pA**-1)
    analytic = np.asarray(grads.to_decimal(u.pA**-1))

    loss_jit = nd.jit(loss)
    w0 = net.proj.comm.weight.value
    # the neurons must actually spike for this to test the path through resets
    nd.reset_all_states(net)
    spikes = nd.for_loop(lambda s: (net(s), net.lif.spike.value)[1], raster)
    assert float(jnp.sum(spikes)) > 5

    eps = 1e-4  # pA; small enough that no spike time moves
    numeric = np.zeros_like(analytic)
    for i, j in np.ndindex(*analytic.shape):
        values = []
        for sign in (1.0, -1.0):
            net.proj.comm.weight.value = w0 + u.with_unit(
                sign * eps * (jnp.arange(w0.size).reshape(w0.shape) == i * w0.shape[1] + j),
                u.pA,
            )
            nd.reset_all_states(net)
            values.append(float(loss_jit(raster)))
        numeric[i, j] = (values[0] - values[1]) / (2 * eps)
    net.proj.comm.weight.value = w0
    assert np.abs(numeric).max() > 1e-3  # the loss does depend on the weights
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_grad_leaves_states_as_one_call_would_and_returns_value():
    net, raster, loss = _setup()
    grads, value = nd.grad(loss, {"w": net.proj.comm.weight}, return_value=True)(raster)
    V_after_grad = np.asarray(net.lif.V.value.to_decimal(u.mV))
    nd.reset_all_states(net)
    expected = float(loss(raster))
    np.testing.assert_allclose(float(value), expected, rtol=1e-12)
    np.testing.assert_allclose(V_after_grad, np.asarray(net.lif.V.value.to_decimal(u.mV)))
    assert set(grads) == {"w"}
    assert not isinstance(net.lif.V.value.mantissa, jax.core.Tracer)


def test_surrogate_gradient_flows_through_spikes():
    net, raster, _ = _setup()

    def spike_count(raster):
        def step(s):
            net(s)
            return net.lif.spike.value

        return jnp.sum(nd.for_loop(step, raster))

    grads = nd.grad(spike_count, net.proj.comm.weight)(raster)
    g = np.asarray(grads.to_decimal(u.pA**-1))
    assert np.all(np.isfinite(g)) and np.abs(g).max() > 0


def test_jit_threads_states_and_recompiles_only_for_new_states():
    lif = nd.LIF(3, V_th=10.0 * u.mV)
    nd.init_all_states(lif)
    traces = []

    @nd.jit
    def step(current):
        traces.append(1)
        return lif(current)

    step(1.0 * u.amp)
    step(1.0 * u.amp)
    n_traced = len(traces)
    nd.reset_all_states(lif)  # keeps the state objects: no new trace
    step(1.0 * u.amp)
    assert len(traces) == n_traced
    V_jit = np.asarray(lif.V.value.to_decimal(u.mV))
    nd.reset_all_states(lif)
    lif(1.0 * u.amp)
    np.testing.assert_allclose(V_jit, np.asarray(lif.V.value.to_decimal(u.mV)), rtol=1e-6)
    nd.init_all_states(lif)  # new state objects: found again
    step(1.0 * u.amp)
    assert len(traces) > n_traced
    np.testing.assert_allclose(V_jit, np.asarray(lif.V.value.to_decimal(u.mV)), rtol=1e-6)


def test_grad_errors_are_clear():
    w = nd.ParamState(jnp.ones(3))
    with pytest.raises(nd.ParameterError, match="scalar loss"):
        nd.grad(lambda: w.value * 2.0, w)()
    with pytest.raises(nd.ParameterError, match="grad_states"):
        nd.grad(lambda: jnp.sum(w.value), [w, 3.0])()
    # a failed call leaves the state usable (no tracers left behind)
    assert isinstance(np.asarray(w.value), np.ndarray)


def test_random_split_is_jax_split_bit_for_bit():
    for partitionable in (True, False):
        with jax.threefry_partitionable(partitionable):
            for seed in (0, 7, 2**31 + 5):
                key = jax.random.PRNGKey(seed)
                for num in (1, 2, 3, 5):
                    want = np.asarray(jax.random.split(key, num))
                    np.testing.assert_array_equal(np.asarray(nd.random.split(key, num)), want)
                    jitted = jax.jit(nd.random.split, static_argnums=1)(key, num)
                    np.testing.assert_array_equal(np.asarray(jitted), want)


@pytest.mark.parametrize("num", [-1, 2.5, True])
def test_random_split_refuses_a_bad_count(num):
    with pytest.raises(nd.ParameterError, match="num .* must be a whole number >= 0"):
        nd.random.split(jax.random.PRNGKey(0), num)
