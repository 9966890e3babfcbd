"""COBA benchmark: neurodyn against its peers, measured in the same run on the same machine.

    python benchmarks/coba.py [--sizes 4000 40000 400000] [--duration-ms 1000]
        [--peers brian2-runtime,brian2-cpp-1t,brian2-cpp-2t,nest-2t,brainpy] [--seed 42]
        [--timeout 900] [--slow-cap 40000] [--repeat 1] [--json results.json]

Every run is a separate process (neurodyn with this Python, each peer with the Python of
its environment under benchmarks/.peers/, made by setup_peers.sh), one after the other,
each printing one JSON line; with ``--repeat K`` all of them K times over, and the fastest
try of each counts. The table's ratio is the peer's simulation time over neurodyn's at the
same size: above 1, neurodyn is faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS_DIR = HERE / ".peers"


# --integrator NAME -> the value of each runner family's own --method option. NEST
# (iaf_cond_exp: adaptive RKF45) and brainpy (exponential Euler) keep their own.
INTEGRATORS = {
    "exponential_euler": {"neurodyn": "exp_euler", "brian2": "exponential_euler"},
    "euler": {"neurodyn": "euler", "brian2": "euler"},
}


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


NEURODYN = Runner(None, "runners/neurodyn_coba.py", family="neurodyn")
PEERS = {
    "brian2-runtime": Runner(
        "brian2", "peers/brian2_coba.py", ("--device", "runtime"), True, "brian2"
    ),
    "brian2-cpp-1t": Runner(
        "brian2",
        "peers/brian2_coba.py",
        ("--device", "cpp_standalone", "--threads", "1"),
        family="brian2",
    ),
    "brian2-cpp-2t": Runner(
        "brian2",
        "peers/brian2_coba.py",
        ("--device", "cpp_standalone", "--threads", "2"),
        family="brian2",
    ),
    "nest-2t": Runner("nest", "peers/nest_coba.py", ("--threads", "2"), True),
    "brainpy": Runner("brainpy", "peers/brainpy_coba.py"),
}


def run_one(name: str, runner: Runner, n: int, args: argparse.Namespace) -> dict:
    """One run in its own process; its JSON line, or the reason there is none as ``error``."""
    row = {"simulator": name, "n_neurons": n}
    if not runner.available():
        return row | {"error": f"not set up (bash {HERE.name}/setup_peers.sh)"}
    if runner.slow and args.slow_cap and n > args.slow_cap:
        return row | {"error": f"skipped (N > --slow-cap {args.slow_cap})"}
    command = runner.command() + [
        "--n", str(n), "--duration-ms", str(args.duration_ms), "--seed", str(args.seed),
    ]  # fmt: skip
    if runner.family:
        command += ["--method", INTEGRATORS[args.integrator][runner.family]]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # so that a timeout also ends the compiled binaries it started
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return row | {"error": f"timeout after {args.timeout:g} s"}
    row["wall_s"] = round(time.perf_counter() - start, 2)
    lines = stdout.strip().splitlines()
    if process.returncode == 0 and lines:
        try:
            return json.loads(lines[-1]) | {"wall_s": row["wall_s"]}
        except json.JSONDecodeError:
            pass
    last = [line.strip() for line in stderr.splitlines() if line.strip()][-1:] or ["no output"]
    return row | {"error": f"exit {process.returncode}: {last[0][:120]}"}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 40000, 400000])
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated, of: %(default)s")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--integrator", choices=sorted(INTEGRATORS), default="exponential_euler",
        help="membrane integrator of neurodyn and Brian2 (NEST, brainpy: their own)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument(
        "--slow-cap", type=int, default=40000,
        help="skip Brian2 runtime and NEST above this N (0: no cap)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="runs each, the fastest counts")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    unknown = set(peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers {sorted(unknown)}; known: {', '.join(PEERS)}")

    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.2f}; other work may disturb timings", file=sys.stderr)
    runners = [("neurodyn", NEURODYN), *((p, PEERS[p]) for p in peers)]
    runs = {(n, name): [] for n in args.sizes for name, _ in runners}
    for _ in range(args.repeat):  # rounds, so that a burst of other work hits all alike
        for n in args.sizes:
            for name, runner in runners:
                row = run_one(name, runner, n, args)
                runs[n, name].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    rows = [best(tries) for tries in runs.values()]
    print(f"COBA, integrator {args.integrator} (neurodyn, Brian2), seed {args.seed}")
    print(table(rows))
    if args.json:
        machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "load_avg": load}
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.json.write_text(
            json.dumps({"machine": machine, "settings": settings, "results": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
