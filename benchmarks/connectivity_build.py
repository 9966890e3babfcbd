"""Time and peak memory of building a large network with ``fixed_indegree``.

``--n`` neurons onto themselves, each receiving ``--indegree`` synapses (default
100 000 x 1 000 = 10^8 synapses), with per-synapse float32 weights drawn from a
normal distribution and one shared delay; once with multapses allowed, once
refused. Each setting runs in a fresh process, which reports the build time,
its peak resident memory (``ru_maxrss``) and its resident memory after the
imports, against the bytes of the connection arrays it holds (int32 ``pre`` and
``post``, float32 weights). ``--post-view`` also times the post-sorted view
(``post_order``), built on first use.

Run: ``python benchmarks/connectivity_build.py [--n 100000] [--indegree 1000] [--post-view]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux


def build(n: int, indegree: int, multapses: bool, post_view: bool) -> dict:
    """Build in this process and report (meant for a fresh process: peaks are per process)."""
    import numpy as np

    from neurodyn import units as u
    from neurodyn.connectivity import Normal, connect

    baseline = _peak_gb()
    start = time.perf_counter()
    c = connect(
        n,
        n,
        {"rule": "fixed_indegree", "indegree": indegree, "allow_multapses": multapses},
        {"weight": Normal(0.5 * u.nS, 0.1 * u.nS), "delay": 1.5 * u.ms},
        rng=0,
    )
    seconds = time.perf_counter() - start
    peak = _peak_gb()
    assert (c.in_degrees() == indegree).all()
    arrays = c.pre.nbytes + c.post.nbytes + np.asarray(c.weight.mantissa).nbytes
    report = {
        "multapses": multapses,
        "synapses": c.n_connections,
        "build_s": round(seconds, 2),
        "baseline_gb": round(baseline, 2),
        "peak_gb": round(peak, 2),
        "arrays_gb": round(arrays / 1e9, 2),
    }
    if post_view:
        start = time.perf_counter()
        c.post_order  # noqa: B018 - built on first use
        report["post_view_s"] = round(time.perf_counter() - start, 2)
        report["peak_with_post_view_gb"] = round(_peak_gb(), 2)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--indegree", type=int, default=1_000)
    parser.add_argument("--post-view", action="store_true")
    parser.add_argument("--child", choices=["multapses", "no-multapses"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        report = build(args.n, args.indegree, args.child == "multapses", args.post_view)
        print(json.dumps(report))
        return
    print(f"fixed_indegree: {args.n} neurons x in-degree {args.indegree}, float32 weights")
    header = "multapses  synapses      build s  peak GB  after imports GB  arrays GB"
    print(header + ("  post view s" if args.post_view else ""))
    for setting in ("multapses", "no-multapses"):
        command = [sys.executable, __file__, "--child", setting, "--n", str(args.n)]
        command += ["--indegree", str(args.indegree)] + (["--post-view"] if args.post_view else [])
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        r = json.loads(result.stdout.strip().splitlines()[-1])
        line = (
            f"{'allowed' if r['multapses'] else 'refused':9}  {r['synapses']:<12,}  "
            f"{r['build_s']:7.2f}  {r['peak_gb']:7.2f}  {r['baseline_gb']:16.2f}  "
            f"{r['arrays_gb']:9.2f}"
        )
        print(line + (f"  {r['post_view_s']:11.2f}" if args.post_view else ""))


if __name__ == "__main__":
    main()
