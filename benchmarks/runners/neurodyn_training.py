"""The training benchmark in neurodyn: ``examples/train_digits.py``'s ``train``.

Prints one JSON line: ``setup_s`` is the first epoch (compiling included), ``sim_s`` the
median of the later ones. Runs with a Python that has neurodyn's test dependencies (optax,
scikit-learn) and imports this checkout's ``neurodyn``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help=".npz the peer trains on (checked to be the same)")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("train_digits", ROOT / "examples/train_digits.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    if args.data:
        peer = np.load(args.data)
        ours = example.load_data(args.seed)
        for name, array in zip(("x_train", "y_train", "x_test", "y_test"), ours, strict=True):
            if not np.array_equal(peer[name], np.asarray(array)):
                sys.exit(f"{args.data}: {name} differs from examples/train_digits.load_data")
    import neurodyn

    history = example.train(
        epochs=args.epochs, batch_size=args.batch_size, n_hidden=args.hidden,
        n_steps=args.steps, lr=args.lr, seed=args.seed,
        log=lambda line: print(line, file=sys.stderr),
    )  # fmt: skip
    epoch_s = [record["seconds"] for record in history]
    result = {
        "simulator": "neurodyn", "version": neurodyn.__version__,
        "jax": importlib.import_module("jax").__version__,
        "n_neurons": args.hidden, "batch_size": args.batch_size, "epochs": args.epochs,
        "setup_s": round(epoch_s[0], 4), "sim_s": round(float(np.median(epoch_s[1:])), 4),
        "epoch_s": [round(s, 4) for s in epoch_s],
        "test_accuracy": round(history[-1]["test_accuracy"], 4),
    }  # fmt: skip
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
