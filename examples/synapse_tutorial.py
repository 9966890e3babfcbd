r"""Synapse tutorial: how four synapse models respond to one presynaptic spike.

The comparison of the BrainPy synapse guide ("Synaptic Dynamics Visualization"),
which no longer runs upstream, written for neurodyn: ``Expon`` and ``Alpha``
(tau = 5 ms, conductance in mS) and the kinetic receptors ``AMPA`` (T = 2 mM) and
``GABAa`` (T = 1 mM, open fraction), each given one spike, simulated for 50 ms at
dt = 0.1 ms. What theory says about the curves:

- ``Expon``: :math:`g(t) = e^{-t/\tau}`, a jump then decay with :math:`\tau`.
- ``Alpha``: :math:`g(t) = (t/\tau)\,e^{-t/\tau}`, peak :math:`1/e` at :math:`t = \tau`.
- ``AMPA``/``GABAa``: rise towards :math:`\alpha T/(\alpha T + \beta)` while the
  transmitter pulse lasts, peak at :math:`t = T_{dur}`, then decay at rate :math:`\beta`.

:func:`projection_usage` runs the guide's projection cells (synapses inside
``AlignPostProj``, including the conductance-based one that fails upstream).

Run ``python examples/synapse_tutorial.py [plot.png]``.
"""

from __future__ import annotations

import sys
from typing import Any

import jax.numpy as jnp
import numpy as np

import neurodyn as nd
from neurodyn import units as u

DURATION = 50.0 * u.ms
DT = 0.1 * u.ms


def synapses() -> dict[str, tuple[nd.Synapse, Any]]:
    """The four synapses of the guide, each with the input of one spike."""
    return {
        "Expon": (nd.Expon(1, tau=5.0 * u.ms), 1.0 * u.mS),
        "Alpha": (nd.Alpha(1, tau=5.0 * u.ms), 1.0 * u.mS),
        "AMPA": (nd.AMPA(1, T=2.0 * u.mM), 1.0),
        "GABAa": (nd.GABAa(1, T=1.0 * u.mM), 1.0),
    }


def response(syn: nd.Synapse, spike: Any, duration: Any = DURATION) -> np.ndarray:
    """The synaptic variable after a spike given in the first step, one value per step.

    Value ``k`` is the response ``k * dt`` after the spike arrives.
    """
    nd.init_all_states(syn)
    n_steps = int(round(float(duration / nd.environ.get_dt())))
    unit = u.get_unit(spike)
    drive = jnp.zeros((n_steps, *syn.varshape)).at[0].set(1.0)
    result = nd.run(syn, duration, inputs=u.with_unit(drive, unit), monitors={"g": syn.output})
    return np.asarray(u.to_float(result["g"], unit))[:, 0]


def run_tutorial(out_path: str | None = None) -> dict[str, Any]:
    """Compute the four response curves; plot them to ``out_path`` if given.

    **Returns:** ``{"t_ms": times since the spike, "curves": {name: values},
    "units": {name: unit}, "plot": out_path}``.
    """
    with nd.environ.context(dt=DT):
        curves, units = {}, {}
        for name, (syn, spike) in synapses().items():
            curves[name] = response(syn, spike)
            units[name] = str(u.get_unit(spike)) if u.has_unit(spike) else "open fraction"
        t_ms = np.arange(len(curves["Expon"])) * float(u.to_float(DT, u.ms))
    if out_path is not None:
        plot(t_ms, curves, units, out_path)
    return {"t_ms": t_ms, "curves": curves, "units": units, "plot": out_path}


def projection_usage(seed: int = 0) -> dict[str, Any]:
    """The guide's projection cells: synapses inside ``AlignPostProj``.

    Builds the two projections the guide shows (event-driven sparse weights with a
    current-based output; dense Kaiming-normal weights in mS with a conductance-based
    output, the cell that fails upstream), drives each with presynaptic spikes for a
    few steps and returns the synaptic conductance and the neurons' potentials.
    """
    nd.random.seed(seed)
    with nd.environ.context(dt=DT):
        # the guide leaves V_reset at LIF's default 0 mV, above V_th, which neurodyn
        # refuses (V_reset must be < V_th); we reset to V_rest
        sparse_post = nd.LIF(50, V_rest=-65 * u.mV, V_th=-50 * u.mV, V_reset=-65 * u.mV,
                             tau=10 * u.ms, V_initializer=-65 * u.mV)  # fmt: skip
        sparse = nd.AlignPostProj(
            comm=nd.EventFixedProb(100, 50, prob=0.1, weight=0.5 * u.mA),
            syn=nd.Expon(50, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.mA)),
            out=nd.CUBA(),
            post=sparse_post,
        )
        dense_post = nd.LIF(100, V_rest=-65 * u.mV, V_th=-50 * u.mV, V_reset=-65 * u.mV,
                            tau=10 * u.ms, V_initializer=-65 * u.mV)  # fmt: skip
        # the guide draws KaimingNormal(unit=u.mS) weights: about half of them negative
        # conductances, which neurodyn refuses with a COBA output; we draw them >= 0
        dense = nd.AlignPostProj(
            comm=nd.AllToAll(100, 100, nd.init.Uniform(0.0 * u.mS, 0.3 * u.mS)),
            syn=nd.Expon(100, tau=5.0 * u.ms),
            out=nd.COBA(E=0.0 * u.mV),
            post=dense_post,
        )
        results = {}
        for name, proj in (("sparse_cuba", sparse), ("dense_coba", dense)):
            nd.init_all_states(proj)
            nd.init_all_states(proj.post)
            spikes = (jnp.arange(100) % 3 == 0).astype(jnp.float32)

            def step(i, proj=proj, spikes=spikes):
                with nd.environ.context(t=i * DT, i=i):
                    proj(spikes * (i < 5))
                    proj.post()
                    return proj.syn.g.value, proj.post.V.value

            g, V = nd.for_loop(step, jnp.arange(20))
            results[name] = {"g": g, "V": V}
    return results


def plot(t_ms: np.ndarray, curves: dict, units: dict, path: str) -> str:
    """Write the comparison figure (no display needed)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 6))
    ax = fig.add_subplot()
    for name, values in curves.items():
        ax.plot(t_ms, values, label=f"{name} ({units[name]})", linewidth=2)
    ax.set_xlabel("time after the spike (ms)")
    ax.set_ylabel("synaptic variable")
    ax.set_title("Comparison of synapse models (single spike)")
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.savefig(path, dpi=100)
    return path


if __name__ == "__main__":
    result = run_tutorial(sys.argv[1] if len(sys.argv) > 1 else "synapse_tutorial.png")
    for name, values in result["curves"].items():
        peak = int(np.argmax(values))
        unit, t_peak = result["units"][name], result["t_ms"][peak]
        print(f"{name:6s} peak {values[peak]:.4f} {unit} at {t_peak:.1f} ms")
    print(f"plot written to {result['plot']}")
