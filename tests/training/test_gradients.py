"""Training by gradient: surrogate gradients of a small recurrent spiking network through
the compiled loop (BPTT), batched with nd.vmap, checked against the same network written
in plain JAX and, for a smooth network, against central finite differences; optax
optimisers take the gradient pytree as it comes."""

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

import neurodyn as nd
from neurodyn import units as u
from neurodyn.core import vmap
from neurodyn.neurons import LeakyRateReadout

N_IN, N_HID, N_OUT, N_STEPS, BATCH = 3, 5, 2, 20, 2
TAU, TAU_OUT, ALPHA = 10.0, 5.0, 4.0  # ms, ms, surrogate sharpness
DT = 1.0  # ms


class _Net(nd.Module):
    """3 inputs -> 5 recurrent LIF (R = 1 ohm, V_th = 1 mV) -> leaky readout of 2."""

    def __init__(self, weights, spk_fun, spk_reset):
        super().__init__()
        w_in, w_rec, w_out = weights
        self.w_in = nd.AllToAll(N_IN, N_HID, w_in)
        self.w_rec = nd.AllToAll(N_HID, N_HID, w_rec)
        self.lif = nd.LIF(N_HID, tau=TAU * u.ms, spk_fun=spk_fun, spk_reset=spk_reset)
        self.readout = LeakyRateReadout(N_HID, N_OUT, tau=TAU_OUT * u.ms, w_init=w_out)

    def update(self, x):
        current = (self.w_in(x) + self.w_rec(self.lif.spike.value)) * u.mA
        return self.readout(self.lif(current))


@dataclass(frozen=True)
class _SmoothSpike(nd.surrogate.Sigmoid):
    """A smooth stand-in for the spike: the logistic itself, forward and backward."""

    def __call__(self, x):
        return jax.nn.sigmoid(self.alpha * x)


def _data():
    rng = np.random.default_rng(0)
    weights = (
        rng.uniform(1.0, 4.0, (N_IN, N_HID)),
        rng.uniform(-0.5, 0.5, (N_HID, N_HID)),
        rng.normal(0.0, 1.0, (N_HID, N_OUT)),
    )
    inputs = (rng.random((BATCH, N_STEPS, N_IN)) < 0.5).astype(float)
    targets = rng.normal(0.0, 1.0, (BATCH, N_OUT))
    return weights, jnp.asarray(inputs), jnp.asarray(targets)


def _setup(spk_fun, spk_reset):
    nd.environ.set(dt=DT * u.ms, precision=64)
    weights, inputs, targets = _data()
    net = _Net([jnp.asarray(w) for w in weights], spk_fun, spk_reset)
    params = {"w_in": net.w_in.weight, "w_rec": net.w_rec.weight, "w_out": net.readout.weight}

    def example_loss(x, target):
        outputs = nd.for_loop(net, x)  # (N_STEPS, N_OUT)
        return jnp.sum((jnp.mean(outputs, axis=0) - target) ** 2)

    def loss(inputs, targets):
        """The batch's loss from the states as they are (reset them first)."""
        return jnp.sum(vmap(example_loss)(inputs, targets))

    nd.init_all_states(net, batch_size=BATCH)
    return net, params, weights, inputs, targets, loss


# --- the same network in plain JAX, sharing no code with neurodyn ---------------------


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _heaviside(x, alpha):
    return (x >= 0).astype(x.dtype)


@_heaviside.defjvp
def _heaviside_jvp(alpha, primals, tangents):
    (x,), (dx,) = primals, tangents
    s = jax.nn.sigmoid(alpha * x)
    return _heaviside(x, alpha), alpha * s * (1.0 - s) * dx


def _reference_loss(w_in, w_rec, w_out, inputs, targets):
    decay, decay_out = np.exp(-DT / TAU), np.exp(-DT / TAU_OUT)

    def one(x, target):
        def step(carry, x_t):
            V, spike, r = carry
            current = x_t @ w_in + spike @ w_rec  # mA; R = 1 ohm gives mV
            V = current + (V - current) * decay  # exact for tau dV/dt = -V + R I
            spike = _heaviside(V - 1.0, ALPHA)  # (V - V_th) / (V_th - V_reset), mV
            V = V - V * jax.lax.stop_gradient(spike)  # hard reset to 0 mV
            r = r * decay_out + spike @ w_out
            return (V, spike, r), r

        init = (jnp.zeros(N_HID), jnp.zeros(N_HID), jnp.zeros(N_OUT))
        _, outputs = jax.lax.scan(step, init, x)
        return jnp.sum((jnp.mean(outputs, axis=0) - target) ** 2)

    return jnp.sum(jax.vmap(one)(inputs, targets))


def test_bptt_surrogate_gradients_equal_the_plain_jax_network():
    net, params, weights, inputs, targets, loss = _setup(nd.surrogate.Sigmoid(ALPHA), "hard")
    nd.reset_all_states(net, batch_size=BATCH)
    grads, value = nd.grad(loss, params, return_value=True)(inputs, targets)
    ref_value, ref_grads = jax.value_and_grad(_reference_loss, argnums=(0, 1, 2))(
        *(jnp.asarray(w) for w in weights), inputs, targets
    )
    np.testing.assert_allclose(float(value), float(ref_value), rtol=1e-12)
    # the hidden layer spikes, so the surrogate path through the recurrence is exercised
    nd.reset_all_states(net, batch_size=BATCH)
    spikes = vmap(lambda x: nd.for_loop(lambda x_t: (net(x_t), net.lif.spike.value)[1], x))(inputs)
    assert 10 < float(jnp.sum(spikes)) < 0.8 * spikes.size
    for name, ref in zip(("w_in", "w_rec", "w_out"), ref_grads, strict=True):
        assert grads[name].shape == params[name].value.shape
        assert np.abs(np.asarray(ref)).max() > 1e-3, name
        np.testing.assert_allclose(np.asarray(grads[name]), np.asarray(ref), rtol=1e-9, atol=1e-12)


def test_gradients_of_a_smooth_network_equal_central_finite_differences():
    net, params, _, inputs, targets, loss = _setup(_SmoothSpike(ALPHA), "soft")
    nd.reset_all_states(net, batch_size=BATCH)
    grads = nd.grad(loss, params)(inputs, targets)
    loss_jit = nd.jit(loss)
    eps = 1e-6
    for name, state in params.items():
        w0 = state.value
        numeric = np.zeros(w0.shape)
        for index in np.ndindex(*w0.shape):
            values = []
            for sign in (1.0, -1.0):
                state.value = w0.at[index].add(sign * eps)
                nd.reset_all_states(net, batch_size=BATCH)
                values.append(float(loss_jit(inputs, targets)))
            numeric[index] = (values[0] - values[1]) / (2 * eps)
        state.value = w0
        assert np.abs(numeric).max() > 1e-3, name
        np.testing.assert_allclose(np.asarray(grads[name]), numeric, rtol=1e-6, atol=1e-8)


def test_optax_takes_the_gradient_pytree_and_the_loss_falls():
    net, params, _, inputs, targets, loss = _setup(nd.surrogate.Sigmoid(ALPHA), "hard")
    optimizer = optax.adam(0.05)
    opt_state = optimizer.init({name: s.value for name, s in params.items()})

    @nd.jit
    def train_step(opt_state, inputs, targets):
        grads, value = nd.grad(loss, params, return_value=True)(inputs, targets)
        values = {name: s.value for name, s in params.items()}
        updates, opt_state = optimizer.update(grads, opt_state, values)
        for name, new in optax.apply_updates(values, updates).items():
            params[name].value = new
        return opt_state, value

    losses = []
    for _ in range(30):
        nd.reset_all_states(net, batch_size=BATCH)
        opt_state, value = train_step(opt_state, inputs, targets)
        losses.append(float(value))
    assert losses[-1] < 0.2 * losses[0]
