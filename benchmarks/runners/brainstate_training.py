"""The training benchmark's network in brainstate: the peer of neurodyn_training.py.

Runs in the brainstate environment (``bash benchmarks/setup_peers.sh brainstate``) and
prints one JSON line. The network, data, batches and optimiser are those of
``examples/train_digits.py``: 64 Poisson inputs (up to 500 Hz, dt = 1 ms) -> LIF layer
(tau 10 ms, V_th 1 mV, hard reset, sigmoid surrogate of slope 4) with recurrent weights
-> leaky readout (tau 10 ms), the time-averaged readout as class scores, cross-entropy,
Adam. Written the way brainstate's documentation trains networks: states created with
a batch axis (``init_all_states(net, batch_size)``), the model written for the batch,
``brainstate.transform.for_loop`` / ``grad`` / ``jit``. One epoch is the training batches
(states reset before each) and the test set's accuracy, as in the example.
"""

from __future__ import annotations

import argparse
import json
import time

import brainstate
import jax
import jax.numpy as jnp
import numpy as np
import optax

DT, TAU, TAU_OUT, V_TH, SLOPE, MAX_RATE_HZ = 1.0, 10.0, 10.0, 1.0, 4.0, 500.0


@jax.custom_jvp
def spike_fn(x):
    return (x >= 0).astype(x.dtype)


@spike_fn.defjvp
def _spike_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    s = jax.nn.sigmoid(SLOPE * x)
    return spike_fn(x), SLOPE * s * (1.0 - s) * dx


def kaiming(key, shape, scale):
    return jax.random.normal(key, shape) * np.sqrt(scale / shape[0])


class DigitsSNN(brainstate.nn.Module):
    def __init__(self, n_in, n_hidden, n_out, seed):
        super().__init__()
        keys = jax.random.split(jax.random.PRNGKey(seed), 3)
        self.n_hidden, self.n_out = n_hidden, n_out
        self.w_in = brainstate.ParamState(kaiming(keys[0], (n_in, n_hidden), 4.0))
        self.w_rec = brainstate.ParamState(kaiming(keys[1], (n_hidden, n_hidden), 0.5))
        self.w_out = brainstate.ParamState(kaiming(keys[2], (n_hidden, n_out), 2.0))

    def init_state(self, batch_size=None, **kwargs):
        self.V = brainstate.HiddenState(jnp.zeros((batch_size, self.n_hidden)))
        self.spike = brainstate.ShortTermState(jnp.zeros((batch_size, self.n_hidden)))
        self.r = brainstate.HiddenState(jnp.zeros((batch_size, self.n_out)))

    def reset_state(self, batch_size=None, **kwargs):
        self.init_state(batch_size)

    def update(self, pixels):
        p = pixels * MAX_RATE_HZ * DT / 1000.0
        spikes_in = (brainstate.random.rand(*pixels.shape) < p).astype(pixels.dtype)
        current = spikes_in @ self.w_in.value + self.spike.value @ self.w_rec.value
        V = current + (self.V.value - current) * np.exp(-DT / TAU)  # R = 1, V_rest = 0
        spike = spike_fn((V - V_TH) / V_TH)
        self.V.value = V - V * jax.lax.stop_gradient(spike)  # hard reset to 0
        self.spike.value = spike
        self.r.value = self.r.value * np.exp(-DT / TAU_OUT) + spike @ self.w_out.value
        return self.r.value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help=".npz with x_train, y_train, x_test, y_test")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = np.load(args.data)
    x_train, y_train = jnp.asarray(data["x_train"], jnp.float32), jnp.asarray(data["y_train"])
    x_test, y_test = jnp.asarray(data["x_test"], jnp.float32), jnp.asarray(data["y_test"])

    brainstate.random.seed(args.seed)
    net = DigitsSNN(x_train.shape[1], args.hidden, 10, args.seed)
    params = net.states(brainstate.ParamState)
    optimizer = optax.adam(args.lr)
    opt_state = optimizer.init({k: s.value for k, s in params.items()})

    def scores(images):
        outputs = brainstate.transform.for_loop(lambda i: net(images), jnp.arange(args.steps))
        return jnp.mean(outputs, axis=0)

    def loss_fn(images, labels):
        logits = scores(images)
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))

    @brainstate.transform.jit
    def train_step(opt_state, images, labels):
        grads, loss = brainstate.transform.grad(loss_fn, params, return_value=True)(images, labels)
        values = {k: s.value for k, s in params.items()}
        updates, opt_state = optimizer.update(grads, opt_state, values)
        for k, new in optax.apply_updates(values, updates).items():
            params[k].value = new
        return opt_state, loss

    @brainstate.transform.jit
    def predict(images):
        return jnp.argmax(scores(images), axis=-1)

    order_rng = np.random.default_rng(args.seed)
    n_batches = len(x_train) // args.batch_size
    epoch_s, accuracy = [], 0.0
    brainstate.nn.init_all_states(net, args.batch_size)
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = order_rng.permutation(len(x_train))
        for k in range(n_batches):
            batch = order[k * args.batch_size : (k + 1) * args.batch_size]
            brainstate.nn.reset_all_states(net, args.batch_size)
            opt_state, _ = train_step(opt_state, x_train[batch], y_train[batch])
        brainstate.nn.reset_all_states(net, len(x_test))
        accuracy = float(jnp.mean(predict(x_test) == y_test))
        epoch_s.append(time.perf_counter() - start)
    result = {
        "simulator": "brainstate", "version": brainstate.__version__, "jax": jax.__version__,
        "n_neurons": args.hidden, "batch_size": args.batch_size, "epochs": args.epochs,
        "setup_s": round(epoch_s[0], 4), "sim_s": round(float(np.median(epoch_s[1:])), 4),
        "epoch_s": [round(s, 4) for s in epoch_s], "test_accuracy": round(accuracy, 4),
    }  # fmt: skip
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
