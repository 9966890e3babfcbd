"""Wang (2002) decision making: a few trials at a high and at zero coherence.

All trials run together as independent copies of the network (one compilation, one
loop); each prints its choice and decision time, and the figure shows the rates of the
selective populations A (solid) and B (dashed) in every trial.

    python examples/wang2002_decision.py [figure.png] [--n 800] [--trials 4] [--seed 0]
"""

import argparse
import time

import numpy as np
from matplotlib.figure import Figure

from neurodyn.networks.wang2002 import THRESHOLD_HZ, run_trials

HIGH = 51.2  # % coherence


def plot(result: dict, path: str) -> str:
    """Rates of A and B over time, one panel per coherence, the stimulus shaded."""
    coherences = result["coherence"]
    levels = sorted(set(coherences.tolist()), reverse=True)
    fig = Figure(figsize=(9, 3.2 * len(levels)))
    axes = fig.subplots(len(levels), 1, sharex=True, squeeze=False)[:, 0]
    onset, stimulus = result["onset_ms"], result["stimulus_ms"]
    times = result["times_ms"]
    for ax, level in zip(axes, levels, strict=True):
        for k in np.flatnonzero(coherences == level):
            color = f"C{k % 10}"
            ax.plot(times, result["rates"]["A"][k], color=color, lw=1.2)
            ax.plot(times, result["rates"]["B"][k], color=color, lw=1.2, ls="--")
        ax.axvspan(onset, onset + stimulus, color="0.9", zorder=0)
        ax.axhline(THRESHOLD_HZ, color="0.5", lw=0.8, ls=":")
        ax.set_ylabel("rate (Hz)")
        ax.set_title(f"coherence {level:g} %: A solid, B dashed (stimulus shaded)")
    axes[-1].set_xlabel("time (ms)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figure", nargs="?", default="wang2002_decision.png")
    parser.add_argument("--n", type=int, default=800, help="neurons per network")
    parser.add_argument("--trials", type=int, default=4, help="trials per coherence")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    coherences = np.repeat([HIGH, 0.0], args.trials)
    start = time.perf_counter()
    result = run_trials(coherences, n=args.n, seed=args.seed)
    wall = time.perf_counter() - start
    print(f"Wang (2002), n = {args.n} neurons per trial, {len(coherences)} trials together: "
          f"build {result['build_s']:.1f} s, compile {result['compile_s']:.1f} s, "
          f"simulate {result['simulate_s']:.1f} s, total {wall:.1f} s")  # fmt: skip
    spontaneous = result["spontaneous_hz"]
    print("spontaneous rates (Hz): " + ", ".join(f"{k} {v:.1f}" for k, v in spontaneous.items()))
    for k, (c, choice) in enumerate(zip(coherences, result["choice"], strict=True)):
        decision = result["decision_time_ms"][k]
        when = f"at {decision:.0f} ms" if np.isfinite(decision) else "no threshold crossing"
        print(f"trial {k}: coherence {c:5.1f} %  choice {choice}  ({when})")
    for level in (HIGH, 0.0):
        chosen = result["choice"][coherences == level]
        print(f"coherence {level:g} %: A chosen in {np.sum(chosen == 'A')} of {len(chosen)}")
    print(f"figure written to {plot(result, args.figure)}")


if __name__ == "__main__":
    main()
