"""Per-step cost of NEST-compatible models: neurodyn against NEST itself, same run, same machine.

    python benchmarks/nest_models.py [--models iaf_psc_alpha hh_psc_alpha_gap ...]
        [--sizes 1000 100000] [--duration-ms 100] [--nest-threads 1 2] [--repeat 3]
        [--json out.json]

A population of unconnected neurons, each driven by the same constant current (``I_e``,
or a ``dc_generator`` for models without one), is simulated for ``--duration-ms`` (by
default 1 000 ms up to 10 000 neurons, 100 ms above: a run long enough that what each
simulator pays once per call, about half a millisecond (NEST preparing a ``Simulate``,
JAX dispatching a newly compiled program for the first time), is a few percent at
most); the figure is wall time per simulation step, setup and compilation excluded; with
``--repeat k`` every measurement (each simulator alike) is made k times and the fastest
kept, which damps this noisy machine. Every measurement runs in its own process:
neurodyn with this Python (float64, as NEST), NEST with benchmarks/.peers/nest (made by
``setup_peers.sh nest``). The ratio is NEST's time over neurodyn's: above 1, neurodyn is
faster. Spike counts are printed so that one can see both simulators did the same work.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEST_PYTHON = HERE / ".peers" / "nest" / "bin" / "python"
DT = 0.1  # ms

#: How each model is driven so that it fires repeatedly: ``(amplitude, how)``, ``how``
#: one of "I_e" (pA, the model's constant current), "dc" (pA, NEST: a dc_generator;
#: neurodyn: the step's current argument) or "mu" (a rate model's mean input).
DRIVE = {
    "iaf_psc_alpha": (500.0, "I_e"),
    "iaf_psc_exp_multisynapse": (500.0, "I_e"),
    "iaf_psc_exp_htum": (500.0, "I_e"),
    "iaf_psc_alpha_ps": (500.0, "I_e"),
    "iaf_psc_exp_ps": (500.0, "I_e"),
    "iaf_psc_delta_ps": (500.0, "I_e"),
    "iaf_psc_exp_ps_lossless": (500.0, "I_e"),
    "iaf_cond_exp": (350.0, "I_e"),
    "iaf_bw_2001": (600.0, "dc"),
    "iaf_bw_2001_exact": (600.0, "dc"),
    "aeif_cond_alpha": (1000.0, "I_e"),
    "hh_psc_alpha": (1000.0, "I_e"),
    "hh_psc_alpha_gap": (300.0, "I_e"),
    "izhikevich": (10.0, "I_e"),
    "mat2_psc_exp": (400.0, "I_e"),
    "glif_psc": (400.0, "dc"),
    "gif_psc_exp": (200.0, "I_e"),
    "pp_psc_delta": (300.0, "I_e"),
    "lin_rate_ipn": (1.0, "mu"),
}
#: One model of each family (the default set): exact propagators, multi-receptor,
#: precise spike times, conductance-based RKF45, NMDA, adaptive exponential,
#: Hodgkin-Huxley, Izhikevich, adaptive threshold, GLIF, escape noise, point process, rate.
FAMILIES = [
    "iaf_psc_alpha", "iaf_psc_exp_multisynapse", "iaf_psc_alpha_ps", "iaf_cond_exp",
    "iaf_bw_2001", "aeif_cond_alpha", "hh_psc_alpha_gap", "izhikevich", "mat2_psc_exp",
    "glif_psc", "gif_psc_exp", "pp_psc_delta", "lin_rate_ipn",
]  # fmt: skip


def default_duration_ms(n: int) -> float:
    """The default simulated time for ``n`` neurons (see the module's docstring)."""
    return 1000.0 if n <= 10_000 else 100.0


def measure_neurodyn(model: str, n: int, duration_ms: float) -> dict:
    sys.path.insert(0, str(HERE.parent))
    import jax.numpy as jnp

    import neurodyn as nd
    from neurodyn import units as u

    nd.environ.set(dt=DT * u.ms, precision=64)
    amplitude, how = DRIVE[model]
    cls = getattr(nd.nest, model)
    if how == "mu":
        neuron, args = cls(n, mu=amplitude), ()
    elif how == "I_e":
        neuron, args = cls(n, I_e=amplitude * u.pA), ()
    else:
        neuron, args = cls(n), (amplitude * u.pA,)

    class Counted(nd.Module):
        def __init__(self):
            super().__init__()
            self.neuron = neuron
            self.count = nd.ShortTermState(jnp.zeros((), jnp.float64))

        def update(self):
            self.count.value = self.count.value + jnp.sum(self.neuron(*args))

    model_ = Counted()
    nd.init_all_states(model_)
    result = nd.run(model_, duration_ms * u.ms)
    steps = round(duration_ms / DT)
    return {
        "sim": "neurodyn",
        "setup_s": result.compile_time,
        "step_us": result.run_time / steps * 1e6,
        # a rate model's figure is the sum of the final rates (as NEST's)
        "spikes": float(jnp.sum(neuron.rate.value) if how == "mu" else model_.count.value),
    }


def measure_nest(model: str, n: int, duration_ms: float, threads: int) -> dict:
    import os

    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": DT, "local_num_threads": threads})
    amplitude, how = DRIVE[model]
    start = time.perf_counter()
    params = {"I_e": amplitude} if how == "I_e" else {"mu": amplitude} if how == "mu" else {}
    neurons = nest.Create(model, n, params=params)
    if how == "dc":
        dc = nest.Create("dc_generator", params={"amplitude": amplitude})
        nest.Connect(dc, neurons, syn_spec={"delay": DT})
    recorder = nest.Create("spike_recorder")
    if how != "mu":
        nest.Connect(neurons, recorder)
    nest.Simulate(DT)  # builds the network's buffers: setup, not simulation
    setup = time.perf_counter() - start
    start = time.perf_counter()
    nest.Simulate(duration_ms)
    elapsed = time.perf_counter() - start
    return {
        "sim": f"nest-{threads}t",
        "setup_s": setup,
        "step_us": elapsed / round(duration_ms / DT) * 1e6,
        # a rate model's figure is the sum of the final rates (as neurodyn's)
        "spikes": float(sum(neurons.get("rate"))) if how == "mu" else float(recorder.n_events),
    }


def worker(args: argparse.Namespace) -> None:
    if args.worker == "neurodyn":
        out = measure_neurodyn(args.model, args.n, args.duration_ms)
    else:
        out = measure_nest(args.model, args.n, args.duration_ms, args.threads)
    print(json.dumps({"model": args.model, "n": args.n, **out}))


def run_best(python: Path | str, *extra: str, timeout: float, repeat: int) -> dict | None:
    """The fastest of ``repeat`` runs of :func:`run_one` (None if every run failed)."""
    runs = [run_one(python, *extra, timeout=timeout) for _ in range(repeat)]
    runs = [r for r in runs if r is not None]
    return min(runs, key=lambda r: r["step_us"]) if runs else None


def run_one(python: Path | str, *extra: str, timeout: float) -> dict | None:
    command = [str(python), __file__, *extra]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  timed out: {' '.join(extra)}", file=sys.stderr)
        return None
    if done.returncode != 0:
        print(f"  failed: {' '.join(extra)}\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=FAMILIES, choices=sorted(DRIVE))
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 100_000])
    parser.add_argument("--duration-ms", type=float, help="default: see default_duration_ms()")
    parser.add_argument("--nest-threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of k runs")
    parser.add_argument("--json")
    parser.add_argument("--worker", choices=["neurodyn", "nest"], help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    rows = []
    for model in args.models:
        for n in args.sizes:
            duration = args.duration_ms or default_duration_ms(n)
            common = ["--model", model, "--n", str(n), "--duration-ms", str(duration)]
            best = {"timeout": args.timeout, "repeat": args.repeat}
            ours = run_best(sys.executable, "--worker", "neurodyn", *common, **best)
            theirs = []
            if NEST_PYTHON.exists():
                for threads in args.nest_threads:
                    extra = ["--worker", "nest", *common, "--threads", str(threads)]
                    theirs.append(run_best(NEST_PYTHON, *extra, **best))
            for result in [ours, *theirs]:
                if result is None:
                    continue
                ratio = result["step_us"] / ours["step_us"] if ours and result is not ours else None
                rows.append({**result, "ratio_vs_neurodyn": ratio})
                shown = f"{ratio:6.2f}x" if ratio else "      "
                print(
                    f"{model:18s} N={n:<7d} {result['sim']:9s} "
                    f"{result['step_us']:10.1f} us/step {shown}  spikes {result['spikes']:.0f}"
                )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
