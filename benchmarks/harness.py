"""What the benchmark harnesses share: runners in their own processes, the fastest of
repeated tries, and the results table with ratios against neurodyn.

Every run is a separate process (neurodyn with this Python, each peer with the Python of
its environment under benchmarks/.peers/, made by setup_peers.sh) that prints one JSON
line; a ratio is a peer's simulation time over neurodyn's at the same size, so above 1
neurodyn is faster.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS_DIR = HERE / ".peers"


@dataclass(frozen=True)
class Runner:
    env: str | None  # environment under .peers/, None for this Python (neurodyn)
    script: str
    args: tuple[str, ...] = ()
    slow: bool = False  # subject to --slow-cap
    family: str | None = None  # key into INTEGRATORS for runners that take --method

    def command(self) -> list[str]:
        python = sys.executable if self.env is None else str(PEERS_DIR / self.env / "bin/python")
        return [python, str(HERE / self.script), *self.args]

    def available(self) -> bool:
        return self.env is None or (PEERS_DIR / self.env / "bin/python").exists()


def run_one(
    name: str, runner: Runner, n: int, arguments: list[str], timeout: float, slow_cap: int = 0
) -> dict:
    """One run of ``runner`` with ``arguments`` in its own process; its JSON line, or the
    reason there is none as ``error``. ``n`` is the size the row reports."""
    row = {"simulator": name, "n_neurons": n}
    if not runner.available():
        return row | {"error": f"not set up (bash {HERE.name}/setup_peers.sh)"}
    if runner.slow and slow_cap and n > slow_cap:
        return row | {"error": f"skipped (N > --slow-cap {slow_cap})"}
    command = runner.command() + arguments
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # so that a timeout also ends the compiled binaries it started
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return row | {"error": f"timeout after {timeout:g} s"}
    row["wall_s"] = round(time.perf_counter() - start, 2)
    lines = stdout.strip().splitlines()
    if process.returncode == 0 and lines:
        try:
            return json.loads(lines[-1]) | {"wall_s": row["wall_s"]}
        except json.JSONDecodeError:
            pass
    last = [line.strip() for line in stderr.splitlines() if line.strip()][-1:] or ["no output"]
    return row | {"error": f"exit {process.returncode}: {last[0][:120]}"}


def warn_if_loaded() -> float:
    """The 1-minute load average, with a warning when other work may disturb timings."""
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.2f}; other work may disturb timings", file=sys.stderr)
    return load


def best(tries: list[dict]) -> dict:
    """The try with the shortest simulation time (the first error if all failed)."""
    done = [row for row in tries if "error" not in row]
    if not done:
        return tries[0]
    return min(done, key=lambda row: row["sim_s"]) | {"sim_s_all": [r["sim_s"] for r in done]}


def table(rows: list[dict]) -> str:
    """The results as a text table, with each peer's simulation time over neurodyn's."""
    reference = {r["n_neurons"]: r["sim_s"] for r in rows if r.get("simulator") == "neurodyn"}
    header = ["simulator", "N", "synapses", "bio s", "setup s", "sim s", "rate Hz", "ratio"]
    lines = [header]
    for r in rows:
        if "error" in r:
            lines.append([r["simulator"], str(r["n_neurons"]), r["error"]])
            continue
        ref = reference.get(r["n_neurons"])
        ratio = f"{r['sim_s'] / ref:.2f}" if ref else "-"
        lines.append([
            r["simulator"], str(r["n_neurons"]), str(r["n_synapses"]), f"{r['duration_s']:g}",
            f"{r['setup_s']:.2f}", f"{r['sim_s']:.3f}", f"{r['rate_hz']:.2f}", ratio,
        ])  # fmt: skip
    widths = [
        max(len(cells[i]) for cells in lines if i < 2 or len(cells) == len(header))
        for i in range(len(header))
    ]
    out = []
    for cells in lines:
        text = [cells[0].ljust(widths[0]), cells[1].rjust(widths[1])]
        if len(cells) == len(header):
            text += [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        else:
            text.append(cells[2])  # an error message spans the remaining columns
        out.append("  ".join(text))
    out.insert(1, "-" * len(out[0]))
    return "\n".join(out)


def order_benchmark(
    description: str,
    neurodyn: Runner,
    peers: dict[str, Runner],
    title: str,
    default_orders: list[int],
    default_peers: str,
    extra: str | None = None,
) -> None:
    """The command line of a Brunel-shaped benchmark (networks of 5 x order neurons):
    parse ``--orders --duration-ms --peers --seed --timeout --repeat --json``, run
    neurodyn and each peer at every order (the fastest of ``--repeat`` tries), print
    ``title``, the table and each run's peak memory (and the result key ``extra``)."""
    import argparse
    import platform

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--orders", type=int, nargs="+", default=default_orders)
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument(
        "--peers", default=default_peers, help=f"comma-separated, of: {', '.join(peers)}"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument("--repeat", type=int, default=1, help="runs each, the fastest counts")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    chosen = [p for p in args.peers.split(",") if p]
    unknown = set(chosen) - set(peers)
    if unknown:
        parser.error(f"unknown peers {sorted(unknown)}; known: {', '.join(peers)}")
    load = warn_if_loaded()
    runners = [("neurodyn", neurodyn), *((p, peers[p]) for p in chosen)]
    runs = {(order, name): [] for order in args.orders for name, _ in runners}
    for _ in range(args.repeat):
        for order in args.orders:
            for name, runner in runners:
                arguments = ["--order", str(order), "--duration-ms", str(args.duration_ms),
                             "--seed", str(args.seed)]  # fmt: skip
                row = run_one(name, runner, 5 * order, arguments, args.timeout)
                runs[order, name].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    rows = [best(tries) for tries in runs.values()]
    print(f"{title}, seed {args.seed}")
    print(table(rows))
    print(f"peak memory (MB){', ' + extra.replace('_', ' ') if extra else ''}: " + ", ".join(
        f"{r['simulator']} N={r['n_neurons']}: {r['peak_rss_mb']:.0f}"
        + (f", {r[extra]:.4f}" if extra else "")
        for r in rows if "peak_rss_mb" in r
    ))  # fmt: skip
    if args.json:
        machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "load_avg": load}
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.json.write_text(
            json.dumps({"machine": machine, "settings": settings, "results": rows}, indent=1)
        )
