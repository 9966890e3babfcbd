"""The committed network reference files (``data/network_*.npz``) exist, are complete, match
the protocols declared in ``make_network.py`` and obey the rules README.md states.

No NEST needed: ``make_network.py`` imports NEST inside ``main`` only.
"""

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location(
    "nest_reference_make_network", Path(__file__).with_name("make_network.py")
)
M = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(M)

H = M.DT
COMMON_KEYS = {"name", "nest_version", "dt", "protocol_json"}


def _steps(t_ms) -> np.ndarray:
    return np.rint(np.asarray(t_ms, dtype=np.float64) / H).astype(np.int64)


def _ceil_to_grid(t_ms: float) -> int:
    """NEST's rounding of off-grid times: to the microsecond, then up to the next step."""
    tics = round(t_ms * 1000.0)
    return -(-tics // round(H * 1000.0))


def _expected_keys(name: str) -> set[str]:
    p = M.PROTOCOLS[name]
    if name == "network_delays":
        return COMMON_KEYS | {
            "times",
            "V_m",
            "spike_steps",
            "spike_times",
            "spike_senders",
            "requested_pre",
            "requested_post",
            "requested_weight",
            "requested_delay",
            "conn_source",
            "conn_target",
            "conn_weight",
            "conn_delay",
            "nest_order_source",
            "nest_order_target",
            "nest_order_weight",
            "nest_order_delay",
            "generator_conn_target",
            "generator_conn_weight",
            "generator_conn_delay",
            "spike_generator_times",
            "neuron_status_json",
            "kernel_status_json",
            "delay_rounding/requested",
            "delay_rounding/reported",
            "delay_rounding/invalid",
            "delay_rounding/invalid_errors_json",
        }
    if name == "network_devices":
        keys = COMMON_KEYS | {
            "device_defaults_json",
            "offgrid_errors_json",
            "pulsepacket_edges/stamps_json",
        }
        keys |= {
            f"currents/{k}"
            for k in (
                "times",
                "V_m",
                "I",
                "generator_status_json",
                "target_status_json",
                "kernel_status_json",
            )
        }
        keys |= {
            f"spike_sources/{k}"
            for k in (
                "times",
                "I_syn_ex",
                "I_syn_in",
                "V_m",
                "parrot_spike_steps",
                "parrot_spike_senders",
                "generator_status_json",
                "kernel_status_json",
            )
        }
        rec = p["recorders"]
        keys |= {"recorders/device_status_json", "recorders/kernel_status_json"}
        keys |= {f"recorders/spike_recorder_{k}/steps" for k in range(len(rec["spike_recorders"]))}
        for k in range(len(rec["multimeters"])):
            keys |= {f"recorders/multimeter_{k}/times", f"recorders/multimeter_{k}/V_m"}
        return keys
    if name == "network_device_statistics":
        train = {
            "n_spikes",
            "rate_hz",
            "fano",
            "count_mean",
            "count_var",
            "count_hist",
            "cv_isi_mean",
            "cv_isi_pooled",
            "n_cv_trains",
            "isi_mean",
            "n_zero_isi",
            "isi_hist",
        }
        keys = set(COMMON_KEYS)
        keys |= {f"poisson/{k}" for k in train}
        for c in range(len(p["gamma"]["configs"])):
            keys |= {f"gamma/config_{c}/{k}" for k in train}
        keys |= {
            f"sinusoidal/{k}"
            for k in (
                "hist_counts",
                "rate_hz",
                "bin_centres",
                "fit_offset_hz",
                "fit_amplitude_hz",
                "fit_phase_deg",
                "n_spikes",
                "generator_rate_times",
                "generator_rate",
            )
        }
        keys |= {
            f"inhomogeneous/{k}"
            for k in (
                "hist_counts",
                "rate_hz",
                "segment_edges",
                "segment_rate_hz",
                "segment_counts",
                "first_stamp_from_edges",
                "n_spikes",
            )
        }
        for c in range(len(p["noise"]["configs"])):
            keys |= {
                f"noise/config_{c}/{k}"
                for k in (
                    "mean",
                    "std",
                    "autocov",
                    "autocorr",
                    "n_samples",
                    "I_head",
                    "first_change_times",
                )
            }
        keys |= {
            f"pulsepacket/{k}"
            for k in (
                "n_spikes",
                "n_expected",
                "same_train_all_targets",
                "offset_mean",
                "offset_std",
                "offset_min",
                "offset_max",
                "offset_hist_edges",
                "offset_hist",
            )
        }
        return keys
    assert name == "network_brunel"
    keys = set(COMMON_KEYS)
    per_run = {
        "seeds",
        "derived_json",
        "rate_E",
        "rate_I",
        "cv",
        "cv_E",
        "cv_I",
        "n_cv",
        "n_spikes",
        "silent_fraction",
        "hist",
        "num_connections",
        "wall_s_build",
        "wall_s_warmup",
        "wall_s_simulate",
        "wall_s_per_bio_s",
        "wall_loadavg_1min",
        "kernel_status_json",
    }
    for run in p["runs"]:
        keys |= {f"order{run['order']}/{k}" for k in per_run}
    return keys


@pytest.fixture(scope="module", params=M.FILES)
def stored(request):
    name = request.param
    assert M.data_path(name).exists(), f"missing {M.data_path(name)}: run make_network.py"
    return name, M.load(name)


def test_make_network_does_not_import_nest():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(_spec.origin)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert 'nest' not in sys.modules, 'make_network imports nest'\n"
        "assert set(module.PROTOCOLS) == set(module.FILES)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_keys_and_protocol(stored):
    name, z = stored
    assert set(z) == _expected_keys(name)
    assert str(z["name"]) == name
    assert str(z["nest_version"]) == M.NEST_VERSION
    assert float(z["dt"]) == H
    declared = json.loads(json.dumps(M.PROTOCOLS[name]))
    assert M.json_of(z["protocol_json"]) == declared, f"{name} is stale: rerun make_network.py"


def test_file_sizes():
    sizes = {name: M.data_path(name).stat().st_size for name in M.FILES}
    assert max(sizes.values()) < 320_000, sizes
    assert sum(sizes.values()) < 1_000_000, sizes


# ------------------------------------------------------------------------------ delays
@pytest.fixture(scope="module")
def delays():
    return M.PROTOCOLS["network_delays"], M.load("network_delays")


def test_delays_arrays(delays):
    p, z = delays
    n, n_neurons = M._n(p["duration"]), len(p["models"])
    np.testing.assert_allclose(z["times"], H * np.arange(1, n + 1), atol=1e-9)
    assert z["V_m"].shape == (n, n_neurons) and np.all(np.isfinite(z["V_m"]))
    steps, senders = z["spike_steps"], z["spike_senders"]
    assert steps.dtype == np.int64 and np.all((steps >= 1) & (steps <= n))
    assert np.all(np.diff(steps) >= 0) and np.all((senders >= 0) & (senders < n_neurons))
    np.testing.assert_array_equal(z["spike_times"], steps * H)  # on the 0.1 ms grid
    # The recorded value at a spike time is already V_reset.
    for s, i in zip(steps, senders, strict=True):
        assert z["V_m"][s - 1, i] == -70.0
    assert np.count_nonzero(np.bincount(senders, minlength=n_neurons)) >= 14
    statuses = json.loads(str(z["neuron_status_json"]))
    for status, overrides, model in zip(statuses, p["neurons"], p["models"], strict=True):
        assert status["model"] == model and status["I_e"] == overrides["I_e"]


def _nest_delay(d: float) -> float:
    """NEST's delay rounding: steps = floor(d * (1/h) + 0.5), reported as steps * h."""
    return math.floor(d * round(1.0 / H) + 0.5) * H


def test_delays_are_whole_steps_and_rounded_half_up(delays):
    p, z = delays
    for key in ("conn_delay", "nest_order_delay", "generator_conn_delay"):
        steps = z[key] / H
        assert np.all(np.abs(steps - np.rint(steps)) < 1e-9) and np.all(np.rint(steps) >= 1)
    expected = [_nest_delay(d) for d in p["connections"]["delay"]]
    np.testing.assert_array_equal(z["conn_delay"], expected)
    np.testing.assert_array_equal(z["conn_weight"], p["connections"]["weight"])
    np.testing.assert_array_equal(z["requested_delay"], p["connections"]["delay"])
    assert sorted(zip(z["conn_source"], z["conn_target"], strict=True)) == sorted(
        zip(z["nest_order_source"], z["nest_order_target"], strict=True)
    )
    np.testing.assert_array_equal(
        z["generator_conn_delay"], [_nest_delay(d) for d in p["spike_generator"]["delay"]]
    )
    requested = z["delay_rounding/requested"]
    np.testing.assert_array_equal(z["delay_rounding/reported"], [_nest_delay(d) for d in requested])
    # e.g. 0.15 -> 0.2 and 0.35 -> 0.4 (d * 10 is 1.5 / 3.5), although d / h is just below.
    assert _nest_delay(0.35) == 4 * H and round(0.35 / H) == 3
    errors = json.loads(str(z["delay_rounding/invalid_errors_json"]))
    assert len(errors) == len(p["delay_rounding"]["invalid"])
    assert all(e.startswith("BadDelay") for e in errors)


def test_delays_psc_delta_voltage_replays_exactly(delays):
    """iaf_psc_delta targets: V_k = E_L + P33 (V_{k-1} - E_L) + P30 I_e + (weights arriving
    at step k), where a spike stamped at step s over a delay of D steps arrives at s + D.
    Steps from a spike to t_ref later are clamped and skipped."""
    p, z = delays
    statuses = json.loads(str(z["neuron_status_json"]))
    n = z["V_m"].shape[0]
    arrivals = np.zeros((n + 1, len(p["models"])))
    delay_steps = _steps(z["conn_delay"])
    for pre, post, w, d in zip(
        z["conn_source"], z["conn_target"], z["conn_weight"], delay_steps, strict=True
    ):
        for s in z["spike_steps"][z["spike_senders"] == pre]:
            if s + d <= n:
                arrivals[s + d, post] += w
    for target, w, d in zip(
        z["generator_conn_target"],
        z["generator_conn_weight"],
        _steps(z["generator_conn_delay"]),
        strict=True,
    ):
        for s in _steps(z["spike_generator_times"]):
            arrivals[s + d, target] += w
    checked = 0
    for i, model in enumerate(p["models"]):
        if model != "iaf_psc_delta":
            continue
        st = statuses[i]
        p33 = math.exp(-H / st["tau_m"])
        p30 = -st["tau_m"] / st["C_m"] * math.expm1(-H / st["tau_m"])
        ref = _steps(st["t_ref"])
        clamped = set()
        for s in z["spike_steps"][z["spike_senders"] == i]:
            clamped.update(range(s, s + ref + 1))
        v = np.concatenate([[st["V_m"]], z["V_m"][:, i]])
        for k in range(1, n + 1):
            if k in clamped:
                continue
            pred = st["E_L"] + p33 * (v[k - 1] - st["E_L"]) + p30 * st["I_e"] + arrivals[k, i]
            assert abs(v[k] - pred) < 1e-9, (i, k, v[k], pred)
            checked += 1
    assert checked > 10_000


# ------------------------------------------------------------------------------ devices
@pytest.fixture(scope="module")
def devices():
    return M.PROTOCOLS["network_devices"], M.load("network_devices")


def _window(params: dict) -> tuple[float, float]:
    origin = params.get("origin", 0.0)
    return origin + params.get("start", 0.0), origin + params.get("stop", math.inf)


def _generator_current(source: dict, t: np.ndarray) -> np.ndarray:
    """The value NEST records as the generator's I at label t (README rules)."""
    q = source["params"]
    lo, hi = _window(q)
    active = (t >= lo - 1e-9) & (t < hi - 1e-9)
    if source["device"] == "dc_generator":
        value = np.full_like(t, q["amplitude"])
    elif source["device"] == "ac_generator":
        omega = 2.0 * math.pi * q["frequency"] / 1000.0
        value = q["offset"] + q["amplitude"] * np.sin(omega * t + math.radians(q["phase"]))
    else:
        if q.get("allow_offgrid_times"):
            change = np.array([_ceil_to_grid(x) for x in q["amplitude_times"]])
        else:
            change = _steps(q["amplitude_times"])
        j = np.searchsorted(change, _steps(t), side="right") - 1
        value = np.where(j >= 0, np.asarray(q["amplitude_values"])[np.maximum(j, 0)], 0.0)
    return np.where(active, value, 0.0)


def test_devices_current_generators(devices):
    p, z = devices
    part = p["currents"]
    t, current, v_m = z["currents/times"], z["currents/I"], z["currents/V_m"]
    statuses = json.loads(str(z["currents/target_status_json"]))
    d = _steps(part["delay"])
    for k, source in enumerate(part["sources"]):
        np.testing.assert_allclose(
            current[:, k], _generator_current(source, t), rtol=0, atol=1e-9, err_msg=source["name"]
        )
        # Step (t_j, t_j + h] of the target integrates I(label t_j - d): recover it from the
        # exact iaf_psc_alpha propagator (no synaptic input here).
        st = statuses[k]
        p22 = math.exp(-H / st["tau_m"])
        p30 = -st["tau_m"] / st["C_m"] * math.expm1(-H / st["tau_m"])
        v = np.concatenate([[st["V_m"]], v_m[:, k]]) - st["E_L"]
        recovered = (v[1:] - p22 * v[:-1]) / p30
        # label of sample j is (j+1) h; step j starts at j h and uses the label j h - d
        used = np.concatenate([np.zeros(d + 1), current[: len(t) - d - 1, k]])
        np.testing.assert_allclose(recovered, used, rtol=0, atol=1e-7, err_msg=source["name"])
        first = np.nonzero(current[:, k])[0][0]
        assert round(t[first] + part["delay"] + H, 6) == round(t[np.nonzero(used)[0][0]], 6)


def _expected_emissions(source: dict) -> list[int]:
    """Emission stamps (steps) of a spike source, one entry per spike (multiplicity)."""
    q = source["params"]
    lo, hi = _window(q)
    if source["device"] == "spike_generator":
        # spike_times are relative to origin; emitted if start < time <= stop
        out = []
        mult = q.get("spike_multiplicities") or [1] * len(q["spike_times"])
        for x, m in zip(q["spike_times"], mult, strict=True):
            s = _ceil_to_grid(x) if q.get("allow_offgrid_times") else int(_steps(x))
            s += int(_steps(q.get("origin", 0.0)))
            if lo / H + 1e-9 < s <= hi / H + 1e-9:
                out += [s] * int(m)
        return sorted(out)
    assert source["device"] == "pulsepacket_generator" and q["sdev"] == 0.0
    stamps = [_ceil_to_grid(x) + 1 for x in q["pulse_times"]]
    # pulse_times are absolute (not shifted by origin); see README for the window edges
    return sorted(
        s for s in stamps if lo / H + 1e-9 < s <= hi / H + 1e-9 for _ in range(q["activity"])
    )


def test_devices_spike_sources(devices):
    p, z = devices
    part = p["spike_sources"]
    d = _steps(part["delay"])
    steps, senders = z["spike_sources/parrot_spike_steps"], z["spike_sources/parrot_spike_senders"]
    for k, source in enumerate(part["sources"]):
        emitted = sorted((steps[senders == k] - d).tolist())
        assert emitted == _expected_emissions(source), source["name"]
        # iaf_psc_alpha: a spike arriving at t_s + d shows in I_syn one step later.
        first_arrival = (emitted[0] + d) * H
        i_syn = np.abs(z["spike_sources/I_syn_ex"][:, k]) + np.abs(
            z["spike_sources/I_syn_in"][:, k]
        )
        first = z["spike_sources/times"][np.nonzero(i_syn)[0][0]]
        assert round(first, 6) == round(first_arrival + H, 6), source["name"]
    errors = json.loads(str(z["offgrid_errors_json"]))
    assert all("not representable" in e for e in errors.values())
    defaults = json.loads(str(z["device_defaults_json"]))["spike_generator"]
    assert defaults["allow_offgrid_times"] is False
    assert defaults["precise_times"] is False
    assert defaults["shift_now_spikes"] is False


def test_devices_recorders(devices):
    p, z = devices
    part = p["recorders"]
    n = M._n(part["duration"])
    d = _steps(part["drive"]["delay"])
    parrot = [int(s) + d for s in _steps(part["drive"]["spike_times"]) if int(s) + d <= n]
    for k, params in enumerate(part["spike_recorders"]):
        lo, hi = _window(params)
        expected = [s for s in parrot if lo / H + 1e-9 < s <= hi / H + 1e-9]
        np.testing.assert_array_equal(z[f"recorders/spike_recorder_{k}/steps"], expected)
    ref_t, ref_v = z["recorders/multimeter_0/times"], z["recorders/multimeter_0/V_m"]
    np.testing.assert_allclose(ref_t, H * np.arange(1, n + 1), atol=1e-9)
    for k, params in enumerate(part["multimeters"]):
        lo, hi = _window(params)
        every, offset = _steps(params["interval"]), _steps(params.get("offset", 0.0))
        grid = [s for s in range(1, n + 1) if (s - offset) % every == 0]
        expected = [s for s in grid if lo / H + 1e-9 < s <= hi / H + 1e-9]
        got = _steps(z[f"recorders/multimeter_{k}/times"])
        np.testing.assert_array_equal(got, expected, err_msg=str(params))
        np.testing.assert_array_equal(z[f"recorders/multimeter_{k}/V_m"], ref_v[got - 1])


def test_devices_pulsepacket_edges(devices):
    p, z = devices
    table = json.loads(str(z["pulsepacket_edges/stamps_json"]))
    edges = p["pulsepacket_edges"]
    assert set(table) == {repr(m) for m in edges["min_delays"]}
    for row in table.values():
        assert set(row) == {repr(x) for x in edges["pulse_times"]}
        for x, stamps in row.items():  # when emitted, the stamp is ceil_to_grid(x) + h
            assert stamps in ([], [round((_ceil_to_grid(float(x)) + 1) * H, 10)])


# ------------------------------------------------------------------------------ statistics
@pytest.fixture(scope="module")
def stats():
    return M.PROTOCOLS["network_device_statistics"], M.load("network_device_statistics")


def test_statistics_poisson_and_gamma(stats):
    p, z = stats
    rate = p["poisson"]["params"]["rate"]
    assert abs(float(z["poisson/rate_hz"]) - rate) < 0.01 * rate
    assert abs(float(z["poisson/fano"]) - 1.0) < 0.05
    assert abs(float(z["poisson/cv_isi_mean"]) - 1.0) < 0.03
    assert int(z["poisson/count_hist"].sum()) == p["poisson"]["n_targets"] * 10
    for c, config in enumerate(p["gamma"]["configs"]):
        total = config["rate"] * config["n_proc"]  # rate is per component process
        assert abs(float(z[f"gamma/config_{c}/rate_hz"]) - total) < 0.01 * total
        # counts of a superposition keep the component's Fano factor 1 / gamma_shape
        assert abs(float(z[f"gamma/config_{c}/fano"]) - 1.0 / config["gamma_shape"]) < 0.03
    cv_single = 1.0 / math.sqrt(p["gamma"]["configs"][0]["gamma_shape"])
    assert abs(float(z["gamma/config_0/cv_isi_mean"]) - cv_single) < 0.02
    assert cv_single + 0.2 < float(z["gamma/config_1/cv_isi_mean"]) < 1.0


def test_statistics_rate_modulated(stats):
    p, z = stats
    q = p["sinusoidal"]["params"]
    assert abs(float(z["sinusoidal/fit_offset_hz"]) - q["rate"]) < 0.5
    assert abs(float(z["sinusoidal/fit_amplitude_hz"]) - q["amplitude"]) < 0.6
    assert abs(float(z["sinusoidal/fit_phase_deg"]) - q["phase"]) < 2.0
    t = z["sinusoidal/generator_rate_times"]
    omega = 2.0 * math.pi * q["frequency"] / 1000.0
    exact = q["rate"] + q["amplitude"] * np.sin(omega * t + math.radians(q["phase"]))
    np.testing.assert_allclose(z["sinusoidal/generator_rate"], exact, rtol=0, atol=1e-9)
    values = [0.0, *p["inhomogeneous"]["params"]["rate_values"]]
    measured = z["inhomogeneous/segment_rate_hz"]
    for want, got, count in zip(values, measured, z["inhomogeneous/segment_counts"], strict=True):
        if want == 0.0:
            assert count == 0  # rate_values[j] holds on [rate_times[j], rate_times[j + 1])
        else:
            assert abs(got - want) < 0.05 * want + 0.5


def test_statistics_noise_and_pulsepacket(stats):
    p, z = stats
    for c, config in enumerate(p["noise"]["configs"]):
        assert abs(float(z[f"noise/config_{c}/mean"]) - config["mean"]) < 2.0
        assert abs(float(z[f"noise/config_{c}/std"]) / config["std"] - 1.0) < 0.02
        # piecewise constant over dt: lag-1 correlation 1 - h / dt
        lag1 = 1.0 - H / config["dt"]
        assert abs(float(z[f"noise/config_{c}/autocorr"][1]) - lag1) < 0.02
        # a new value every dt, counted from origin + start
        changes = z[f"noise/config_{c}/first_change_times"]
        lo, _ = _window(config)
        if lo > 0:
            np.testing.assert_allclose(changes, lo + config["dt"] * np.arange(20), atol=1e-9)
            assert np.all(z[f"noise/config_{c}/I_head"][: _steps(lo) - 1] == 0.0)
        else:  # dt = h: every step differs from the one before
            np.testing.assert_allclose(changes, H * np.arange(2, 22), atol=1e-9)
    assert int(z["pulsepacket/n_spikes"]) == int(z["pulsepacket/n_expected"])
    assert bool(z["pulsepacket/same_train_all_targets"])
    assert abs(float(z["pulsepacket/offset_mean"]) - 1.5 * H) < 0.1
    assert abs(float(z["pulsepacket/offset_std"]) - p["pulsepacket"]["params"]["sdev"]) < 0.1


# ------------------------------------------------------------------------------ Brunel
# Documented in README.md (NEST 3.10, 2 threads): order 500 ~53 Hz, CV ~0.09 (mean-driven,
# regular); order 2500 ~32 Hz, CV ~0.17.
_BRUNEL_RATES = {500: (47.0, 59.0), 2500: (28.0, 36.0)}


def test_brunel_statistics():
    p, z = M.PROTOCOLS["network_brunel"], M.load("network_brunel")
    for run in p["runs"]:
        order, seeds = run["order"], run["seeds"]
        prefix = f"order{order}/"
        derived = M.json_of(z[prefix + "derived_json"])
        assert derived == json.loads(json.dumps(M.brunel_derived(p, order)))
        np.testing.assert_array_equal(z[prefix + "seeds"], seeds)
        lo, hi = _BRUNEL_RATES[order]
        for key in ("rate_E", "rate_I"):
            values = z[prefix + key]
            assert values.shape == (len(seeds),) and np.all(np.isfinite(values))
            assert np.all((values > lo) & (values < hi)), (order, key, values)
        assert np.all(np.abs(z[prefix + "rate_E"] / z[prefix + "rate_I"] - 1.0) < 0.02)
        assert np.all((z[prefix + "cv"] > 0.02) & (z[prefix + "cv"] < 0.5))
        n_all = derived["N_E"] + derived["N_I"]
        hist = z[prefix + "hist"]
        assert hist.shape == (len(seeds), int(p["duration"] / p["hist_bin"]))
        np.testing.assert_array_equal(hist.sum(axis=1), z[prefix + "n_spikes"])
        rates = (z[prefix + "rate_E"] * derived["N_E"] + z[prefix + "rate_I"] * derived["N_I"]) / (
            n_all
        )
        np.testing.assert_allclose(hist.sum(axis=1) / (n_all * p["duration"] / 1000.0), rates)
        # fixed_indegree C_E + C_I, one Poisson source and one recorder connection per neuron
        expected = n_all * (derived["C_E"] + derived["C_I"] + 2)
        np.testing.assert_array_equal(z[prefix + "num_connections"], expected)
        assert np.all(z[prefix + "wall_s_per_bio_s"] > 0)
        kernel = M.json_of(z[prefix + "kernel_status_json"])
        assert kernel["local_num_threads"] == run["local_num_threads"]
        # min_delay is 1.0: the spike_recorder connections have NEST's default delay 1 ms
        assert kernel["max_delay"] == p["delay"] and kernel["resolution"] == H
