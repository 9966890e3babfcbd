"""Command line: ``neurodyn coba``, ``neurodyn cobahh``, ``neurodyn brunel`` (or
``python -m neurodyn ...``).

Each command checks its arguments and its output path before it simulates. Every
user error (an unknown option, a value of the wrong form, an output that cannot be
written, a parameter the simulation refuses) prints one line ``neurodyn: error: ...``
and exits with status 2; ``--help`` shows the usage.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_USER_ERROR = 2
MAX_SEED = 2**32 - 1  # larger seeds collide in JAX's 32-bit keys


# --- argument types (argparse ``type=``): each refuses a value with the rule ---------


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number ``>= minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def positive_float(text: str) -> float:
    """An argparse type: a finite number ``> 0``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def seed(text: str) -> int:
    """An argparse type: a random seed, a whole number from 0 to ``MAX_SEED``."""
    value = int_at_least(0)(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SEED}, got {value}")
    return value


# --- checks made after parsing, before simulating: each returns a message or None ----


def check_output_path(path: str) -> str | None:
    """Why ``path`` cannot take a plot, or ``None`` if it can.

    The folder must exist and be writable, ``path`` must not be a folder (or a file
    that cannot be written), and its extension must be a format matplotlib writes.
    """
    from matplotlib.figure import Figure

    formats = sorted(Figure().canvas.get_supported_filetypes())
    target = Path(path)
    extension = target.suffix.lower().lstrip(".")
    if not extension:
        return f"output {path!r} has no file extension; give one of {', '.join(formats)}"
    if extension not in formats:
        return (
            f"output {path!r}: matplotlib cannot write .{extension} files; give one of "
            f"{', '.join(formats)}"
        )
    folder = target.parent
    if not folder.is_dir():
        return f"output folder {str(folder)!r} does not exist (or is not a folder)"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"output folder {str(folder)!r} is not writable"
    if target.is_dir():
        return f"output {path!r} is a folder, not a file"
    if target.exists() and not os.access(target, os.W_OK):
        return f"output file {path!r} exists and is not writable"
    return None


def check_duration(duration_ms: float) -> str | None:
    """Why a run of ``duration_ms`` cannot be made at the current ``dt`` (the rule of
    :func:`neurodyn.run`: at least one step, a whole number of steps), or ``None``."""
    from . import units as u
    from .core import ParameterError
    from .running._runner import _n_steps

    try:
        _n_steps(duration_ms * u.ms)
    except ParameterError as error:
        return f"--duration-ms: {error}"
    except OverflowError:
        return f"--duration-ms: {duration_ms:g} ms is too many time steps to count"
    return None


def _add_output_argument(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "-o", "--output", default=default, help="plot path; its extension picks the format"
    )


def _add_seed_argument(parser: argparse.ArgumentParser, default: int = 42) -> None:
    parser.add_argument(
        "-s", "--seed", type=seed, default=default, help=f"random seed, 0 to {MAX_SEED}"
    )


# --- commands: each has a check (before simulating) and a run -----------------------


def _check_coba(args: argparse.Namespace) -> str | None:
    return check_output_path(args.output) or check_duration(args.duration_ms)


def _coba(args: argparse.Namespace) -> int:
    from .networks.coba import run_coba

    return _ei_network("COBA", run_coba, args)


def _cobahh(args: argparse.Namespace) -> int:
    from .networks.cobahh import run_cobahh

    return _ei_network("COBAHH", run_cobahh, args)


def _ei_network(title: str, run_network: Callable[..., dict], args: argparse.Namespace) -> int:
    """Run a COBA-like E/I network (``run_coba``, ``run_cobahh``), print what it did
    and plot the raster of its first ``--raster-neurons`` neurons."""
    from .plot import raster_plot

    r = run_network(
        args.n_neurons,
        args.duration_ms,
        args.seed,
        record_neurons=args.raster_neurons,
        progress_bar=args.progress,
    )
    print(
        f"{title} network: {r['n_neurons']} neurons ({int(0.8 * r['n_neurons'])} E, "
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
        title=f"{title}, N = {r['n_neurons']}, rate {r['rate_hz']:.1f} Hz",
        duration_ms=args.duration_ms,
    )
    print(f"raster plot written to {path}")
    return 0


class _OneLineParser(argparse.ArgumentParser):
    """argparse, with its usage errors as the one line ``neurodyn: error: ...``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.exit(_fail(f"{self.prog}: {message} (see {self.prog} --help)"))


def _check_brunel(args: argparse.Namespace) -> str | None:
    return check_output_path(args.output) or check_duration(args.duration_ms)


def _brunel(args: argparse.Namespace) -> int:
    from .networks.brunel import run_brunel
    from .plot import raster_plot

    r = run_brunel(args.order, args.duration_ms, args.seed)
    print(
        f"Brunel network (order {args.order}): {r['n_neurons']} iaf_psc_delta neurons "
        f"({r['n_exc']} E, {r['n_neurons'] - r['n_exc']} I), {r['n_synapses']} synapses, "
        f"delay 1.5 ms, Poisson drive"
    )
    print(f"biological time {args.duration_ms:g} ms at dt = {r['dt_ms']:g} ms, seed {args.seed}")
    print(
        f"build {r['build_s']:.2f} s, compile {r['compile_s']:.2f} s, simulation {r['sim_s']:.3f} s"
    )
    print(
        f"rates: excitatory {r['rate_exc_hz']:.2f} Hz, inhibitory {r['rate_inh_hz']:.2f} Hz; "
        f"mean CV of ISIs {r['cv_isi']:.2f}"
    )
    shown = r["spike_neurons"] < args.raster_neurons
    path = raster_plot(
        r["spike_times"][shown],
        r["spike_neurons"][shown],
        args.output,
        title=f"Brunel (2000), order {args.order}, rate {r['rate_hz']:.1f} Hz",
        duration_ms=args.duration_ms,
    )
    print(f"raster plot written to {path}")
    return 0


def _add_ei_network_command(
    commands: Any, name: str, summary: str, output: str, run: Callable[[argparse.Namespace], int]
) -> None:
    """A command for a COBA-like network: size, duration, seed, output, raster, progress."""
    command = commands.add_parser(name, help=summary)
    command.add_argument(
        "-n", "--n-neurons", type=int_at_least(2), default=4000, help="network size (>= 2)"
    )
    command.add_argument(
        "-t", "--duration-ms", type=positive_float, default=1000.0, help="biological time in ms"
    )
    _add_seed_argument(command)
    _add_output_argument(command, output)
    command.add_argument(
        "--raster-neurons", type=int_at_least(1), default=500, help="neurons shown in the raster"
    )
    command.add_argument("--progress", action="store_true", help="show a progress bar")
    command.set_defaults(check=_check_coba, run=run)


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="neurodyn", description=__doc__.split("\n\n")[0].strip())
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    _add_ei_network_command(
        commands, "coba", "run the COBA E/I network and plot a raster", "coba_raster.png", _coba
    )
    _add_ei_network_command(
        commands,
        "cobahh",
        "run the COBAHH E/I network (Hodgkin-Huxley cells) and plot a raster",
        "cobahh_raster.png",
        _cobahh,
    )
    brunel = commands.add_parser(
        "brunel", help="run Brunel's (2000) balanced network (NEST's brunel_delta) and plot it"
    )
    brunel.add_argument(
        "--order", type=int_at_least(1), default=2500, help="network size: 5 x order neurons"
    )
    brunel.add_argument(
        "-t", "--duration-ms", type=positive_float, default=1000.0, help="biological time in ms"
    )
    _add_seed_argument(brunel)
    _add_output_argument(brunel, "brunel_raster.png")
    brunel.add_argument(
        "--raster-neurons", type=int_at_least(1), default=500, help="neurons shown in the raster"
    )
    brunel.set_defaults(check=_check_brunel, run=_brunel)
    return parser


def _fail(message: str) -> int:
    """Print ``message`` as the one line ``neurodyn: error: ...``; the exit status."""
    print(f"neurodyn: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_USER_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit
    status (usage errors exit with status 2 from the parser)."""
    args = _parser().parse_args(argv)
    problem = args.check(args)
    if problem is not None:
        return _fail(problem)
    from .core import ParameterError, SimulationError

    try:
        return args.run(args)
    except (ParameterError, SimulationError) as error:
        return _fail(str(error))
    except OSError as error:  # e.g. the plot could not be written after all
        return _fail(str(error) or type(error).__name__)


if __name__ == "__main__":
    sys.exit(main())
