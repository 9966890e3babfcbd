"""What every COBA runner shares: the network's constants, the CLI and the one JSON line.

Standard library only: each runner runs in its own peer's virtual environment.
The constants are those of ``shared/benchmarks/BENCHMARKS.md`` (COBA), in mV, ms, nS, pF.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator

C_M = 200.0  # pF
G_L = 10.0  # nS
E_L = -60.0  # mV
V_TH = -50.0  # mV
V_RESET = -60.0  # mV
T_REF = 5.0  # ms
TAU_E, TAU_I = 5.0, 10.0  # ms
E_E, E_I = 0.0, -80.0  # mV
W_E, W_I = 6.0, 67.0  # nS
DT = 0.1  # ms
EXC_FRACTION = 0.8
MEAN_IN_DEGREE = 80
# Initial state, n ~ N(0, 1) per neuron: V = E_L + (5 n - 5) mV, g_e = (1.5 n + 4) * 10 nS,
# g_i = (12 n + 20) * 10 nS, as (mean, standard deviation).
V0 = (E_L - 5.0, 5.0)
GE0 = (40.0, 15.0)
GI0 = (200.0, 120.0)


def sizes(n_neurons: int) -> tuple[int, int, float]:
    """Excitatory count, inhibitory count and connection probability for ``n_neurons``."""
    n_exc = int(EXC_FRACTION * n_neurons)
    return n_exc, n_neurons - n_exc, min(1.0, MEAN_IN_DEGREE / n_neurons)


def parser(description: str, threads: bool = False) -> argparse.ArgumentParser:
    """The runners' CLI: ``--n N --duration-ms T --seed S`` [``--threads K``]."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration-ms", type=float, default=1000.0, help="biological time")
    parser.add_argument("--seed", type=int, default=42)
    if threads:
        parser.add_argument("--threads", type=int, default=1)
    return parser


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to stdout, by Python or by C, to stderr, until the block ends.

    A simulator's banner or a compiler's chatter must not end up beside the JSON line.
    """
    sys.stdout.flush()
    real_stdout = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(real_stdout, 1)
        os.close(real_stdout)


def emit(
    simulator: str,
    n_neurons: int,
    n_synapses: int,
    duration_ms: float,
    setup_s: float,
    sim_s: float,
    n_spikes: float,
    **extra,
) -> None:
    """Print the runner's result as the one JSON line on stdout; the rate is per neuron."""
    duration_s = duration_ms / 1000.0
    result = {
        "simulator": simulator,
        "n_neurons": int(n_neurons),
        "n_synapses": int(n_synapses),
        "duration_s": duration_s,
        "setup_s": round(setup_s, 4),
        "sim_s": round(sim_s, 4),
        "rate_hz": round(float(n_spikes) / n_neurons / duration_s, 4),
        **extra,
    }
    print(json.dumps(result), flush=True)
