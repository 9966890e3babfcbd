"""The scripts in examples/ run end to end and agree with theory."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurodyn import units as u

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _decay_rate(t, values):
    """The exponential decay rate of ``values`` from a log-linear fit."""
    return -np.polyfit(t, np.log(values), 1)[0]


def test_synapse_tutorial(tmp_path):
    tutorial = _load("synapse_tutorial")
    out = tmp_path / "synapses.png"
    result = tutorial.run_tutorial(str(out))
    assert out.is_file() and out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    t, curves = result["t_ms"], result["curves"]
    assert set(curves) == {"Expon", "Alpha", "AMPA", "GABAa"}
    assert len(t) == 500 and all(c.shape == t.shape for c in curves.values())
    dt = t[1] - t[0]

    def peak_time(name):
        return t[np.argmax(curves[name])]

    # Expon (tau 5 ms): jump to 1, then e^{-t/tau}
    assert peak_time("Expon") == 0.0
    np.testing.assert_allclose(curves["Expon"], np.exp(-t / 5.0), rtol=1e-4, atol=1e-7)
    assert _decay_rate(t[:300], curves["Expon"][:300]) == pytest.approx(1 / 5.0, rel=1e-4)
    # Alpha (tau 5 ms): (t/tau) e^{-t/tau}, peak 1/e at t = tau
    assert abs(peak_time("Alpha") - 5.0) <= dt / 2
    assert curves["Alpha"].max() == pytest.approx(np.exp(-1.0), rel=1e-4)
    # AMPA (alpha 0.98 /ms/mM, beta 0.18 /ms, T 2 mM, T_dur 0.5 ms) and GABAa
    # (alpha 0.53, beta 0.18, T 1 mM, T_dur 1 ms): peak at T_dur, then decay at rate beta
    for name, alpha, T, T_dur in [("AMPA", 0.98, 2.0, 0.5), ("GABAa", 0.53, 1.0, 1.0)]:
        assert abs(peak_time(name) - T_dur) <= dt / 2
        k = alpha * T + 0.18
        peak = alpha * T / k * (1 - np.exp(-k * T_dur))
        assert curves[name].max() == pytest.approx(peak, rel=1e-4)
        after = t > T_dur + dt / 2
        assert _decay_rate(t[after], curves[name][after]) == pytest.approx(0.18, rel=1e-4)


def test_synapse_tutorial_without_plot():
    result = _load("synapse_tutorial").run_tutorial()
    assert result["plot"] is None and result["units"]["AMPA"] == "open fraction"


def test_guide_projection_cells_run_and_filter_spikes():
    results = _load("synapse_tutorial").projection_usage()
    decay = np.exp(-0.1 / 5.0)
    for name, unit in (("sparse_cuba", u.mA), ("dense_coba", u.mS)):
        g = np.asarray(u.to_float(results[name]["g"], unit))
        V = np.asarray(u.to_float(results[name]["V"], u.mV))
        assert g.shape[0] == 20 and np.abs(g).max() > 0
        # spikes stop after step 4: from then on g only decays, with tau = 5 ms
        np.testing.assert_allclose(g[6:], g[5:-1] * decay, rtol=1e-5, atol=1e-9)
        # the input drives V away from rest in the direction of the synaptic current
        moved = V[-1] - V[0]
        active = np.abs(g).sum(axis=0) > 1e-6
        assert np.all(np.sign(moved[active]) == np.sign(g.sum(axis=0)[active]))


def test_brunel_nest_script_runs_through_the_network_api():
    """examples/brunel_delta.py, a NEST script with only its import changed, at order 100
    for 300 ms: it prints NEST's report and the network is active and irregular."""
    script = Path(__file__).parents[1] / "examples" / "brunel_delta.py"
    done = subprocess.run(
        [sys.executable, str(script), "100", "300"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert int(lines["Number of neurons "]) == 500
    assert int(lines["Number of synapses"]) == 500 * (40 + 10)
    rate = float(lines["Excitatory rate   "].split()[0])
    assert 20.0 < rate < 200.0  # driven above threshold: eta = 2
