"""The committed plasticity reference files (``data/plasticity_<model>.npz``) exist, are
complete, match the protocols declared in ``make_plasticity.py`` and obey the rules that
README.md ("Plasticity reference data") states.

No NEST needed: ``make_plasticity.py`` imports NEST inside ``main`` only.
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
    "nest_reference_make_plasticity", Path(__file__).with_name("make_plasticity.py")
)
M = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(M)

H = M.DT
STDP_FAMILY = [
    "stdp_synapse",
    "stdp_synapse_hom",
    "stdp_pl_synapse_hom",
    "stdp_triplet_synapse",
    "stdp_nn_symm_synapse",
    "stdp_nn_pre_centered_synapse",
    "stdp_nn_restr_synapse",
    "vogels_sprekeler_synapse",
]
STP = ["tsodyks_synapse", "tsodyks2_synapse", "quantal_stp_synapse"]
# weight in [0, Wmax] (vogels_sprekeler: the sign of Wmax, |w| <= |Wmax|)
BOUNDED = [m for m in STDP_FAMILY if m != "stdp_pl_synapse_hom"]
# models whose data hold a weight exactly at a bound (0 / Wmin; see README)
CLIPPED = [
    "stdp_synapse",
    "stdp_synapse_hom",
    "stdp_nn_symm_synapse",
    "stdp_nn_pre_centered_synapse",
    "stdp_dopamine_synapse",
]
TOP_KEYS = {
    "model",
    "nest_version",
    "dt",
    "defaults_json",
    "state_keys_json",
    "run_names_json",
    "protocols_json",
    "status_json",
}
STATUS_KEYS = {"synapse_defaults", "conn_initial", "conn_final", "post", "kernel"}


def _steps(t_ms) -> np.ndarray:
    return np.rint(np.asarray(t_ms, dtype=np.float64) / H).astype(np.int64)


def _expected_keys(model: str) -> set[str]:
    keys = set(TOP_KEYS)
    trains = {p["train"] for p in M.PROTOCOLS[model].values()}
    for train in trains:
        keys.add(f"trains/{train}/pre_times")
        if train != "neuron":
            keys.add(f"trains/{train}/post_times")
        if model == M.DOPAMINE:
            keys.add(f"trains/{train}/dopa_times")
    for name, p in M.PROTOCOLS[model].items():
        keys |= {f"{name}/wr_times", f"{name}/wr_weights"}
        if p["reads"]:
            keys |= {f"{name}/before", f"{name}/after"}
        if p["record_V_m"]:
            keys |= {f"{name}/V_m", f"{name}/post_times"}
    return keys


_CACHE: dict[str, tuple[dict, dict]] = {}


def _data(model: str) -> tuple[dict, dict]:
    if model not in _CACHE:
        assert M.data_path(model).exists(), f"missing {M.data_path(model)}: run make_plasticity.py"
        z = M.load(model)
        _CACHE[model] = (z, M.json_of(z["status_json"]))
    return _CACHE[model]


def _runs(model: str, reads: bool | None = None):
    for name, p in M.PROTOCOLS[model].items():
        if reads is None or p["reads"] == reads:
            yield name, p


def test_make_plasticity_does_not_import_nest():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(_spec.origin)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert 'nest' not in sys.modules, 'make_plasticity imports nest'\n"
        "assert set(module.PROTOCOLS) == set(module.MODELS)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("model", M.MODELS)
def test_keys_and_protocols(model):
    z, status = _data(model)
    assert set(z) == _expected_keys(model)
    assert str(z["model"]) == model
    assert str(z["nest_version"]) == M.NEST_VERSION
    assert float(z["dt"]) == H
    assert M.json_of(z["state_keys_json"]) == M.STATE_KEYS[model]
    assert M.json_of(z["run_names_json"]) == list(M.PROTOCOLS[model])
    declared = json.loads(json.dumps(M.PROTOCOLS[model]))
    assert M.json_of(z["protocols_json"]) == declared, f"{model} is stale: rerun make_plasticity"
    defaults = M.json_of(z["defaults_json"])
    assert set(M.STATE_KEYS[model]) <= set(defaults)
    assert set(status) == set(M.PROTOCOLS[model])
    for name, p in M.PROTOCOLS[model].items():
        extra = {"volume_transmitter"} if model == M.DOPAMINE else set()
        assert set(status[name]) == STATUS_KEYS | extra
        n_pre = len(p["pre_times"])
        if p["reads"]:
            n_keys = len(M.STATE_KEYS[model])
            assert z[f"{name}/before"].shape == z[f"{name}/after"].shape == (n_pre, n_keys)
        if p["record_V_m"]:
            assert z[f"{name}/V_m"].shape == (M._steps(p["duration"]),)
        assert z[f"{name}/wr_times"].shape == z[f"{name}/wr_weights"].shape


def test_file_sizes():
    sizes = {model: M.data_path(model).stat().st_size for model in M.MODELS}
    assert max(sizes.values()) < 90_000, sizes
    assert sum(sizes.values()) < 1_000_000, sizes


@pytest.mark.parametrize("model", M.MODELS)
def test_trains_and_parameters(model):
    z, status = _data(model)
    for name, p in M.PROTOCOLS[model].items():
        keys = ["pre_times"] + (["post_times"] if p["post_times"] is not None else [])
        keys += ["dopa_times"] if model == M.DOPAMINE else []
        for key in keys:
            stored = z[f"trains/{p['train']}/{key}"]
            np.testing.assert_array_equal(stored, p[key])
            steps = _steps(stored)
            np.testing.assert_allclose(stored, steps * H, rtol=0, atol=1e-9)  # on the grid
            assert np.all(np.diff(steps) > 0) and steps[0] * H > p["drive_delay"]
            assert steps[-1] * H <= p["duration"]
        st = status[name]
        for key, value in p["synapse"].items():
            assert st["synapse_defaults"][key] == value, (name, key)
            if key in M.STATE_KEYS[model] or key == "weight":
                assert st["conn_initial"][key] == value, (name, key)
        for key, value in p["post"].items():
            assert st["post"][key] == value, (name, key)
        assert st["post"]["model"] == p["post_model"]
        assert st["conn_initial"]["delay"] == p["delay"]
        assert st["conn_initial"]["receptor"] == p["post_receptor"]
        assert st["kernel"]["resolution"] == H
        assert st["kernel"]["min_delay"] == min(p["drive_delay"], p["delay"])
        assert st["kernel"]["local_num_threads"] == 1
        if model == M.DOPAMINE:
            for key, value in p["volume_transmitter"].items():
                assert st["volume_transmitter"][key] == value


@pytest.mark.parametrize("model", [m for m in M.MODELS if m != M.DOPAMINE])
def test_state_changes_only_at_presynaptic_spikes(model):
    """GetConnections read at t_pre (spike emitted, not delivered) and at t_pre + h
    (delivered): between two presynaptic spikes nothing changes, and the reads before the
    first spike equal the initial connection status."""
    z, status = _data(model)
    keys = M.STATE_KEYS[model]
    for name, _ in _runs(model, reads=True):
        before, after = z[f"{name}/before"], z[f"{name}/after"]
        initial = [status[name]["conn_initial"][k] for k in keys]
        final = [status[name]["conn_final"][k] for k in keys]
        np.testing.assert_array_equal(before[0], initial)
        np.testing.assert_array_equal(before[1:], after[:-1])
        np.testing.assert_array_equal(after[-1], final)
        if model in STDP_FAMILY:
            assert np.any(after[:, 0] != before[:, 0]), name  # it is plastic
        else:
            assert np.all(after[:, 0] == initial[0])  # STP: the weight parameter is fixed


@pytest.mark.parametrize("model", M.MODELS)
def test_weight_recorder(model):
    """The weight_recorder reports each transmitted spike at the presynaptic stamp t_pre
    (not t_pre + delay) with the weight it carried."""
    z, status = _data(model)
    keys = M.STATE_KEYS[model]
    for name, p in _runs(model):
        times, weights = z[f"{name}/wr_times"], z[f"{name}/wr_weights"]
        pre_steps = _steps(p["pre_times"])
        np.testing.assert_allclose(times, _steps(times) * H, rtol=0, atol=1e-9)
        if model == "quantal_stp_synapse":  # only spikes that release at least one site
            assert set(_steps(times)) <= set(pre_steps) and 0 < len(times) <= len(pre_steps)
            w = status[name]["synapse_defaults"]["weight"]
            sites = weights / w
            np.testing.assert_array_equal(sites, np.rint(sites))
            assert np.all((sites >= 1) & (sites <= status[name]["synapse_defaults"]["n"]))
            continue
        np.testing.assert_array_equal(_steps(times), pre_steps)
        if not p["reads"]:
            continue
        after = z[f"{name}/after"]
        col = {k: after[:, i] for i, k in enumerate(keys)}
        if model in STDP_FAMILY:
            np.testing.assert_array_equal(weights, col["weight"])
        elif model == "tsodyks_synapse":
            # weight * u * x with x before this spike's depletion: x_after = x (1 - u)
            u, x = col["u"], col["x"]
            np.testing.assert_allclose(weights, col["weight"] * u * x / (1 - u), rtol=1e-12)
        elif model == "tsodyks2_synapse":
            # u and x are stored as used for this spike (depletion is applied at the next)
            np.testing.assert_allclose(weights, col["weight"] * col["u"] * col["x"], rtol=1e-12)
        elif model == M.DOPAMINE:
            lo, hi = (status[name]["synapse_defaults"][k] for k in ("Wmin", "Wmax"))
            assert np.all((weights >= lo) & (weights <= hi))
            if p["volume_transmitter"].get("deliver_interval", 1) == 1:
                # with a trigger every step, the read at t_pre is the transmitted weight
                np.testing.assert_array_equal(weights, z[f"{name}/before"][:, 0])
            # the weight also changes between presynaptic spikes
            assert np.any(z[f"{name}/before"][1:, 0] != col["weight"][:-1])


@pytest.mark.parametrize("model", BOUNDED + ["stdp_pl_synapse_hom", M.DOPAMINE])
def test_weight_bounds(model):
    z, status = _data(model)
    reached = False
    for name, p in _runs(model):
        sd = status[name]["synapse_defaults"]
        w = [z[f"{name}/wr_weights"]]
        if p["reads"]:
            w += [z[f"{name}/before"][:, 0], z[f"{name}/after"][:, 0]]
        w = np.concatenate(w)
        assert np.all(np.isfinite(w))
        if model == M.DOPAMINE:
            lo, hi = sd["Wmin"], sd["Wmax"]
        elif model == "stdp_pl_synapse_hom":
            lo, hi = 0.0, math.inf
        else:
            lo, hi = sorted([0.0, sd["Wmax"]])
        assert np.all((w >= lo) & (w <= hi)), (name, w.min(), w.max())
        reached |= bool(np.any((w == lo) | (w == hi)))
    if model in CLIPPED:
        assert reached, f"{model}: no run reaches a bound"


def test_vogels_sprekeler_clips_before_the_depression():
    """The facilitation clips |w| at |Wmax|, then every presynaptic spike subtracts
    alpha * eta: a clipped weight is transmitted as sign(Wmax) (|Wmax| - alpha eta)."""
    model = "vogels_sprekeler_synapse"
    z, status = _data(model)
    sd = status["bursts_custom_d1.0"]["synapse_defaults"]
    clipped = math.copysign(abs(sd["Wmax"]) - sd["alpha"] * sd["eta"], sd["Wmax"])
    for name in ("bursts_custom_d1.0", "bursts_custom_d2.5"):
        w = z[f"{name}/wr_weights"]
        assert np.any(w == clipped) and np.all(np.abs(w) <= abs(clipped)), name


def test_stdp_pair_sign_follows_the_pairing_order():
    """stdp_synapse, pairs runs: pair k = pre, post at pre + offset, probe pre 200 ms later.
    NEST pairs the presynaptic spike with the postsynaptic spike shifted by the dendritic
    delay, dt_eff = offset + d: the weight change over the pair (up to the probe) is > 0
    for dt_eff > 0 and < 0 for dt_eff < 0 (unless clipped at Wmax / 0), and a pair with
    dt_eff = 0 is not paired at all."""
    model = "stdp_synapse"
    z, status = _data(model)
    checked = 0
    for name, p in _runs(model, reads=True):
        if p["train"] != "pairs":
            continue
        wmax = status[name]["synapse_defaults"]["Wmax"]
        before, after = z[f"{name}/before"][:, 0], z[f"{name}/after"][:, 0]
        previous = before[0]
        for k, offset in enumerate(p["pair_offsets"]):
            eff = round(offset + p["delay"], 6)
            pre_i, probe_i = 2 * k, 2 * k + 1
            assert p["pre_times"][probe_i] - p["pre_times"][pre_i] == M.PAIR_PROBE
            change = after[probe_i] - previous
            if eff > 0:
                assert change > 0 or after[probe_i] > wmax - 0.01, (name, offset)
            elif eff < 0:
                assert change < 0 or after[probe_i] == 0.0, (name, offset)
            else:  # simultaneous: no depression at the pre spike, no potentiation at the probe
                assert abs(after[pre_i] - before[pre_i]) < 1e-6 * before[pre_i], (name, offset)
                assert after[probe_i] <= before[probe_i], (name, offset)
            checked += 1
            previous = after[probe_i]
    assert checked == 4 * len(M.PAIR_OFFSETS)


def test_stdp_synapse_hom_equals_stdp_synapse():
    """Same parameters (common properties for _hom): identical weights in every run."""
    za, _ = _data("stdp_synapse")
    zb, _ = _data("stdp_synapse_hom")
    for name, _ in _runs("stdp_synapse"):
        np.testing.assert_array_equal(za[f"{name}/wr_weights"], zb[f"{name}/wr_weights"])


@pytest.mark.parametrize("model", M.MODELS)
def test_min_delay_does_not_change_the_weights(model):
    """The *_mindelay1 run (drive delays 1 ms, so min_delay 1 ms instead of h) transmits the
    same weights as its reference run; stdp_dopamine_synapse up to rounding (its weight
    is propagated at every volume_transmitter trigger, which depends on min_delay)."""
    z, _ = _data(model)
    for name, _ in _runs(model, reads=False):
        reference = name.removesuffix("_mindelay1")
        np.testing.assert_array_equal(z[f"{name}/wr_times"], z[f"{reference}/wr_times"])
        if model == M.DOPAMINE:
            np.testing.assert_allclose(
                z[f"{name}/wr_weights"], z[f"{reference}/wr_weights"], rtol=1e-11
            )
        else:
            np.testing.assert_array_equal(z[f"{name}/wr_weights"], z[f"{reference}/wr_weights"])


@pytest.mark.parametrize("model", STP)
def test_short_term_plasticity_ignores_the_delay(model):
    z, _ = _data(model)
    for name, p in _runs(model, reads=True):
        if p["delay"] == M.DENDRITIC_DELAYS[0] and p["train"] != "neuron":
            other = name.replace(f"_d{p['delay']}", f"_d{M.DENDRITIC_DELAYS[1]}")
            np.testing.assert_array_equal(z[f"{name}/wr_weights"], z[f"{other}/wr_weights"])
            np.testing.assert_array_equal(z[f"{name}/after"], z[f"{other}/after"])


def _alpha_propagators(tau_s: float, tau_m: float, c_m: float) -> tuple[float, float]:
    """(P31, P32) of the exact iaf_psc_alpha step: dI' = -dI/ts, I' = dI - I/ts,
    V' = -V/tm + I/C."""
    a = 1.0 / tau_s - 1.0 / tau_m
    em = math.exp(-H / tau_m)
    p32 = em * -math.expm1(-a * H) / (a * c_m)
    p31 = em * (1.0 - math.exp(-a * H) * (1.0 + a * H)) / (a * a * c_m)
    return p31, p32


@pytest.mark.parametrize("model", M.MODELS)
def test_neuron_runs_replay_from_the_recorded_weights(model):
    """neuron_* runs: an iaf_psc_alpha replay, driven only by I_e and the weight_recorder's
    weights arriving at stamp + delay (added to dI at the end of that step), reproduces
    NEST's V_m and spike times: the weight_recorder's weight is the transmitted weight."""
    z, status = _data(model)
    for name, p in _runs(model):
        if not p["record_V_m"]:
            continue
        st = status[name]["post"]
        n = M._steps(p["duration"])
        arrivals = np.zeros((n + 2, 2))
        d = _steps(p["delay"])
        for t, w in zip(z[f"{name}/wr_times"], z[f"{name}/wr_weights"], strict=True):
            arrivals[_steps(t) + d, 0 if w > 0 else 1] += w
        p31e, p32e = _alpha_propagators(st["tau_syn_ex"], st["tau_m"], st["C_m"])
        p31i, p32i = _alpha_propagators(st["tau_syn_in"], st["tau_m"], st["C_m"])
        p11e, p11i = math.exp(-H / st["tau_syn_ex"]), math.exp(-H / st["tau_syn_in"])
        expm1_m = math.expm1(-H / st["tau_m"])
        p30 = -st["tau_m"] / st["C_m"] * expm1_m
        ref = _steps(st["t_ref"])
        v, r = st["V_m"] - st["E_L"], 0
        di_e = i_e = di_i = i_i = 0.0
        vm, spikes = np.empty(n), []
        for k in range(1, n + 1):
            if r == 0:
                v = (
                    p30 * st["I_e"]
                    + p31e * di_e
                    + p32e * i_e
                    + p31i * di_i
                    + p32i * i_i
                    + expm1_m * v
                    + v
                )
            else:
                r -= 1
            i_e = H * p11e * di_e + p11e * i_e
            di_e = p11e * di_e + math.e / st["tau_syn_ex"] * arrivals[k, 0]
            i_i = H * p11i * di_i + p11i * i_i
            di_i = p11i * di_i + math.e / st["tau_syn_in"] * arrivals[k, 1]
            if v >= st["V_th"] - st["E_L"]:
                r, v = ref, st["V_reset"] - st["E_L"]
                spikes.append(k)
            vm[k - 1] = v + st["E_L"]
        np.testing.assert_allclose(vm, z[f"{name}/V_m"], rtol=0, atol=1e-9, err_msg=name)
        np.testing.assert_array_equal(spikes, _steps(z[f"{name}/post_times"]))
        assert len(spikes) >= 5


def test_dopamine_trace_counts_arrivals_at_the_volume_transmitter():
    """With a trigger every step (deliver_interval 1), the n read at t_pre is the sum of
    exp(-(t_pre - a) / tau_n) / tau_n over the arrivals a = dopamine stamp + dopa_delay
    with a <= t_pre."""
    model = M.DOPAMINE
    z, status = _data(model)
    column = M.STATE_KEYS[model].index("n")
    checked = 0
    for name, p in _runs(model, reads=True):
        if p["volume_transmitter"].get("deliver_interval", 1) != 1:
            continue
        tau_n = status[name]["synapse_defaults"]["tau_n"]
        arrivals = (_steps(p["dopa_times"]) + _steps(p["dopa_delay"])) * H
        for t, n in zip(p["pre_times"], z[f"{name}/before"][:, column], strict=True):
            a = arrivals[arrivals <= t + 1e-9]
            assert abs(n - np.sum(np.exp(-(t - a) / tau_n)) / tau_n) < 1e-12, (name, t)
            checked += 1
    assert checked > 100
