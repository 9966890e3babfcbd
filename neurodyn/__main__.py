"""Command line: ``python -m neurodyn coba`` (or ``neurodyn coba``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="neurodyn", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    coba = commands.add_parser("coba", help="run the COBA E/I network and plot a raster")
    coba.add_argument("-n", "--n-neurons", type=int, default=4000, help="network size")
    coba.add_argument(
        "-t", "--duration-ms", type=float, default=1000.0, help="biological time in ms"
    )
    coba.add_argument("-s", "--seed", type=int, default=42, help="random seed")
    coba.add_argument("-o", "--output", default="coba_raster.png", help="raster plot path")
    coba.add_argument("--raster-neurons", type=int, default=500, help="neurons shown in the raster")
    coba.add_argument("--progress", action="store_true", help="show a progress bar")
    args = parser.parse_args(argv)
    if args.n_neurons < 2:
        parser.error(f"--n-neurons must be at least 2, got {args.n_neurons}")
    if args.duration_ms <= 0:
        parser.error(f"--duration-ms must be > 0, got {args.duration_ms}")
    if args.raster_neurons < 1:
        parser.error(f"--raster-neurons must be at least 1, got {args.raster_neurons}")
    from .core import ParameterError

    try:
        return _coba(args)
    except ParameterError as error:
        print(f"neurodyn: error: {error}", file=sys.stderr)
        return 2


def _coba(args: argparse.Namespace) -> int:
    from .networks.coba import run_coba
    from .plot import raster_plot

    r = run_coba(
        args.n_neurons,
        args.duration_ms,
        args.seed,
        record_neurons=args.raster_neurons,
        progress_bar=args.progress,
    )
    print(
        f"COBA network: {r['n_neurons']} neurons ({int(0.8 * r['n_neurons'])} E, "
        f"{r['n_neurons'] - int(0.8 * r['n_neurons'])} I), {r['n_synapses']} synapses"
    )
    print(f"biological time {args.duration_ms:g} ms at dt = {r['dt_ms']:g} ms, seed {args.seed}")
    print(
        f"build {r['build_s']:.2f} s, compile {r['compile_s']:.2f} s, simulation {r['sim_s']:.3f} s"
    )
    print(f"mean firing rate {r['rate_hz']:.2f} Hz")
    path = raster_plot(
        r["spike_steps"] * r["dt_ms"] + r["dt_ms"],
        r["spike_neurons"],
        args.output,
        title=f"COBA, N = {r['n_neurons']}, rate {r['rate_hz']:.1f} Hz",
        duration_ms=args.duration_ms,
    )
    print(f"raster plot written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
