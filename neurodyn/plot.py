"""Plots of simulation results (matplotlib, no display needed)."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def raster_plot(
    spike_times_ms: Any,
    spike_neurons: Any,
    path: str,
    title: str = "",
    duration_ms: float | None = None,
) -> str:
    """Write a spike raster (time vs neuron index) with the population rate below.

    **Arguments:**

    - ``spike_times_ms``, ``spike_neurons``: one entry per spike.
    - ``path``: output file (PNG, PDF, ...).
    - ``title``: figure title.
    - ``duration_ms``: x-axis extent (default: last spike).

    **Returns:** ``path``.
    """
    times = np.asarray(spike_times_ms, float)
    neurons = np.asarray(spike_neurons)
    end = duration_ms if duration_ms is not None else (times.max() if times.size else 1.0)
    fig, (ax_raster, ax_rate) = plt.subplots(
        2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    ax_raster.plot(times, neurons, ",k", markersize=1)
    ax_raster.set_ylabel("neuron")
    ax_raster.set_title(title)
    bins = np.arange(0.0, end + 5.0, 5.0)
    n_shown = max(1, int(neurons.max()) + 1) if neurons.size else 1
    counts, edges = np.histogram(times, bins)
    ax_rate.plot(edges[:-1], counts / n_shown / 5e-3, "k", lw=1)
    ax_rate.set_xlabel("time (ms)")
    ax_rate.set_ylabel("rate (Hz)")
    ax_rate.set_xlim(0, end)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
