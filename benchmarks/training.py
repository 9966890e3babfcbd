"""Training benchmark: neurodyn against brainstate, the same network trained on the same data.

    python benchmarks/training.py [--epochs 10] [--batch-size 64] [--hidden 100]
        [--steps 25] [--seed 0] [--timeout 900] [--repeat 1] [--json results.json]

The network, data and optimiser of ``examples/train_digits.py`` (scikit-learn's digits as
Poisson spikes -> recurrent LIF layer -> leaky readout, cross-entropy through the
compiled loop with a sigmoid surrogate, Adam), trained by neurodyn
(``runners/neurodyn_training.py``, the example's own ``train``) and by brainstate
(``runners/brainstate_training.py``, in the environment ``setup_peers.sh brainstate``
makes). Both read the same split, written here to a temporary ``.npz``. An epoch is every
training batch of ``--batch-size`` (states reset before each) plus the test accuracy;
``s/epoch`` is the median over the epochs after the first (which compiles). The ratio is
brainstate's s/epoch over neurodyn's: above 1, neurodyn trains faster. Each run is its
own process (see harness.py); with ``--repeat`` the fastest try of each counts.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

import harness
import numpy as np
from harness import Runner

RUNNERS = {
    "neurodyn": Runner(None, "runners/neurodyn_training.py"),
    "brainstate": Runner("brainstate", "runners/brainstate_training.py"),
}


def write_data(path: Path, seed: int) -> None:
    """The example's training and test split, as the peer reads it."""
    script = harness.HERE.parent / "examples" / "train_digits.py"
    spec = importlib.util.spec_from_file_location("train_digits", script)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    names = ("x_train", "y_train", "x_test", "y_test")
    np.savez(
        path, **{n: np.asarray(a) for n, a in zip(names, example.load_data(seed), strict=True)}
    )


def table(rows: list[dict]) -> str:
    """The results, with brainstate's time per epoch over neurodyn's."""
    reference = next(
        (r["sim_s"] for r in rows if r["simulator"] == "neurodyn" and "sim_s" in r), None
    )
    lines = [f"{'simulator':<11} {'jax':>7} {'hidden':>6} {'batch':>5} {'setup s':>8} "
             f"{'s/epoch':>8} {'test acc':>8} {'ratio':>6}"]  # fmt: skip
    for r in rows:
        if "error" in r:
            lines.append(f"{r['simulator']:<11} {r['error']}")
            continue
        ratio = f"{r['sim_s'] / reference:.2f}" if reference else "-"
        lines.append(
            f"{r['simulator']:<11} {r['jax']:>7} {r['n_neurons']:>6} {r['batch_size']:>5} "
            f"{r['setup_s']:>8.2f} {r['sim_s']:>8.3f} {r['test_accuracy']:>8.1%} {ratio:>6}"
        )
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--repeat", type=int, default=1, help="runs each, the fastest counts")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    load = harness.warn_if_loaded()
    runs: dict[str, list[dict]] = {name: [] for name in RUNNERS}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "digits.npz"
        write_data(data, args.seed)
        arguments = ["--data", str(data), "--epochs", str(args.epochs),
                     "--batch-size", str(args.batch_size), "--hidden", str(args.hidden),
                     "--steps", str(args.steps), "--seed", str(args.seed)]  # fmt: skip
        for _ in range(args.repeat):  # rounds, so that a burst of other work hits both alike
            for name, runner in RUNNERS.items():
                row = harness.run_one(name, runner, args.hidden, arguments, args.timeout)
                runs[name].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    rows = [harness.best(tries) for tries in runs.values()]
    print(f"Training on digits, {args.steps} steps of 1 ms, batch {args.batch_size}, "
          f"{args.epochs} epochs, seed {args.seed}")  # fmt: skip
    print(table(rows))
    if args.json:
        machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "load_avg": load}
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.json.write_text(
            json.dumps({"machine": machine, "settings": settings, "results": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
