"""Train a recurrent spiking network on handwritten digits by surrogate gradients.

    python examples/train_digits.py [--epochs 20] [--batch-size 64] [--hidden 100]
        [--steps 25] [--lr 0.003] [--seed 0] [--quick]

scikit-learn's digits (1797 images of 8 x 8 pixels, values 0..16) are split 80/20 into
training and test sets. Each image becomes 64 Poisson spike trains over ``--steps`` steps
of 1 ms, a pixel's rate proportional to its value (up to 500 Hz). The network, written for
one example: 64 inputs -> ``--hidden`` LIF neurons (tau 10 ms) with recurrent weights ->
10 leaky readout units (tau 10 ms) whose time-averaged output is the class scores.
``nd.vmap`` runs it on a batch (each example draws its own spikes), ``nd.grad``
differentiates the cross-entropy through the compiled loop (BPTT, with the sigmoid
surrogate of the spike's derivative), and optax's Adam updates the three weight matrices.
``--quick`` trains for 2 epochs, as the test suite does. Prints the loss and test accuracy
of every epoch.
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import neurodyn as nd
from neurodyn import units as u
from neurodyn.core import vmap
from neurodyn.neurons import LeakyRateReadout

MAX_RATE = 500.0 * u.Hz  # the rate of a pixel at 16


class DigitsSNN(nd.Module):
    """Poisson-encoded pixels -> recurrent LIF layer -> leaky readout (one example)."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int):
        super().__init__()
        self.encoder = nd.inputs.PoissonEncoder()
        self.w_in = nd.AllToAll(n_in, n_hidden, nd.init.KaimingNormal(scale=4.0))
        self.w_rec = nd.AllToAll(n_hidden, n_hidden, nd.init.KaimingNormal(scale=0.5))
        self.lif = nd.LIF(n_hidden, tau=10.0 * u.ms, spk_fun=nd.surrogate.Sigmoid(4.0))
        self.readout = LeakyRateReadout(n_hidden, n_out, tau=10.0 * u.ms)

    def update(self, pixels):
        spikes_in = self.encoder(pixels * MAX_RATE)
        current = (self.w_in(spikes_in) + self.w_rec(self.lif.spike.value)) * u.mA  # R = 1 ohm
        return self.readout(self.lif(current))


def load_data(seed: int = 0):
    """Training and test images (pixel values scaled to [0, 1]) and labels."""
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, random_state=seed,
        stratify=digits.target,
    )  # fmt: skip
    return tuple(jnp.asarray(a) for a in (x_train, y_train, x_test, y_test))


def train(
    epochs: int = 20,
    batch_size: int = 64,
    n_hidden: int = 100,
    n_steps: int = 25,
    lr: float = 3e-3,
    seed: int = 0,
    log=print,
) -> list[dict]:
    """Train and return one record per epoch (loss, test accuracy, seconds)."""
    nd.environ.set(dt=1.0 * u.ms)
    nd.random.seed(seed)
    x_train, y_train, x_test, y_test = load_data(seed)
    net = DigitsSNN(x_train.shape[1], n_hidden, 10)
    params = net.states(nd.ParamState)  # the three weight matrices, by path

    def scores(pixels):  # one example: class scores, the readout averaged over time
        return jnp.mean(nd.for_loop(lambda: net(pixels), length=n_steps), axis=0)

    def loss(images, labels):
        logits = vmap(scores)(images)
        return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))

    optimizer = optax.adam(lr)
    opt_state = optimizer.init({path: state.value for path, state in params.items()})

    @nd.jit
    def train_step(opt_state, images, labels):
        grads, value = nd.grad(loss, params, return_value=True)(images, labels)
        values = {path: state.value for path, state in params.items()}
        updates, opt_state = optimizer.update(grads, opt_state, values)
        for path, new in optax.apply_updates(values, updates).items():
            params[path].value = new
        return opt_state, value

    @nd.jit
    def predict(images):
        return jnp.argmax(vmap(scores)(images), axis=-1)

    order_rng = np.random.default_rng(seed)
    n_batches = len(x_train) // batch_size
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = order_rng.permutation(len(x_train))
        losses = []
        for k in range(n_batches):
            batch = order[k * batch_size : (k + 1) * batch_size]
            nd.reset_all_states(net, batch_size=batch_size)  # every example starts at rest
            opt_state, value = train_step(opt_state, x_train[batch], y_train[batch])
            losses.append(value)
        nd.reset_all_states(net, batch_size=len(x_test))
        accuracy = float(jnp.mean(predict(x_test) == y_test))
        record = {"epoch": epoch, "loss": float(jnp.mean(jnp.stack(losses))),
                  "test_accuracy": accuracy, "seconds": time.perf_counter() - start}  # fmt: skip
        history.append(record)
        log(f"epoch {epoch:2d}  loss {record['loss']:.3f}  test accuracy {accuracy:6.1%}  "
            f"({record['seconds']:.1f} s)")  # fmt: skip
    return history


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--steps", type=int, default=25, help="time steps of 1 ms per image")
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2 epochs (for the test suite)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    history = train(
        epochs=2 if args.quick else args.epochs, batch_size=args.batch_size,
        n_hidden=args.hidden, n_steps=args.steps, lr=args.lr, seed=args.seed,
    )  # fmt: skip
    print(f"final test accuracy {history[-1]['test_accuracy']:.1%} after "
          f"{time.perf_counter() - start:.0f} s on {jax.devices()[0].platform}")  # fmt: skip
    return history


if __name__ == "__main__":
    main()
