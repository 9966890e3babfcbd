"""Speed of event-driven CSR spike delivery: compiled CPU kernel vs plain-JAX reference.

For each size, fan-out 80, per-synapse float32 weights and boolean spikes drawn
beforehand, a jitted ``lax.scan`` of ``--steps`` steps accumulates the delivered
input; the table gives µs per step (delivery plus one vector addition).

Run: ``python benchmarks/ops_csr_event.py [--steps 1000] [--sizes 4000 40000]``.
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

from neurodyn.ops import csr_event_matvec, csr_event_matvec_reference


def random_csr(rng: np.random.Generator, n: int, fan_out: int):
    """Each of ``n`` neurons projects to ``fan_out`` distinct random targets."""
    indices = np.stack([rng.choice(n, fan_out, replace=False) for _ in range(n)]).ravel()
    indptr = np.arange(0, n * fan_out + 1, fan_out)
    weights = rng.uniform(0.1, 1.0, n * fan_out)
    return (
        jnp.asarray(indptr, jnp.int32),
        jnp.asarray(indices, jnp.int32),
        jnp.asarray(weights, jnp.float32),
    )


def time_scan(op, spike_train, connectivity, n_post: int, repeats: int) -> float:
    """µs per step of a jitted scan that sums ``op(spikes, *connectivity, n_post)``.

    The connectivity enters as arguments of the compiled program, not as constants.
    """

    @jax.jit
    def run(spike_train, indptr, indices, weights):
        def step(total, spikes):
            return total + op(spikes, indptr, indices, weights, n_post), None

        return jax.lax.scan(step, jnp.zeros(n_post, jnp.float32), spike_train)[0]

    run(spike_train, *connectivity).block_until_ready()  # compile
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(spike_train, *connectivity).block_until_ready()
        best = min(best, time.perf_counter() - start)
    return best / spike_train.shape[0] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 40000])
    parser.add_argument("--fan-out", type=int, default=80)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"backend {jax.default_backend()}, {args.steps} steps, fan-out {args.fan_out}")
    print(f"{'N':>7} {'spiking':>8} {'kernel':>10} {'reference':>10}  [µs/step]")
    for n in args.sizes:
        connectivity = random_csr(rng, n, args.fan_out)
        for rate in (0.02, 1.0):
            train = jnp.asarray(rng.random((args.steps, n)) < rate)
            timings = [
                time_scan(op, train, connectivity, n, args.repeats)
                for op in (csr_event_matvec, csr_event_matvec_reference)
            ]
            print(f"{n:>7} {rate:>8.0%} " + " ".join(f"{t:>10.1f}" for t in timings))


if __name__ == "__main__":
    main()
