"""The committed NEST reference files exist, are complete and match protocols.py.

No NEST needed: a stale file (protocols.py changed, make.py not rerun) or a broken one
fails here.
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

_spec = importlib.util.spec_from_file_location(
    "nest_reference_protocols", Path(__file__).with_name("protocols.py")
)
P = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(P)

# Recordables that start at 0 and jump by exactly the weight when the first spike arrives
# (exponential synapses): checks the arrival convention of README.md in every file.
_JUMP_STATE = {
    "iaf_psc_exp": "I_syn_ex",
    "iaf_cond_exp": "g_ex",
    "aeif_cond_exp": "g_ex",
    "aeif_psc_exp": "I_syn_ex",
    "hh_cond_exp_traub": "g_ex",
    "iaf_bw_2001": "s_AMPA",
    "iaf_bw_2001_exact": "s_AMPA",
}


@pytest.fixture(scope="module", params=P.MODELS)
def reference(request):
    model = request.param
    assert P.data_path(model).exists(), f"missing {P.data_path(model)}: run make.py"
    return model, P.load(model)


def test_meta(reference):
    model, data = reference
    assert data["meta"] == {
        "model": model,
        "nest_version": P.NEST_VERSION,
        "dt": P.DT,
        "recordables": P.RECORDABLES[model],
    }
    defaults = data["defaults"]
    assert "V_m" in defaults and np.isfinite(defaults["V_m"])
    assert list(data["protocols"]) == list(P.PROTOCOLS[model])


def test_protocols_match_protocols_py(reference):
    model, data = reference
    for name, stored in data["protocols"].items():
        declared = json.loads(json.dumps(P.PROTOCOLS[model][name]))
        assert stored["protocol"] == declared, f"{model}/{name} is stale: rerun make.py"
        # The overrides were applied, and every overridden name is a NEST parameter.
        assert len(stored["neuron_status"]) == len(declared["neurons"])
        for status, overrides in zip(stored["neuron_status"], declared["neurons"], strict=True):
            for key, value in overrides.items():
                assert key in data["defaults"]
                assert status[key] == value
        assert stored["kernel_status"]["resolution"] == P.DT
        for key, value in declared["kernel"].items():
            assert stored["kernel_status"][key] == value


def test_arrays(reference):
    model, data = reference
    for name, stored in data["protocols"].items():
        protocol = P.PROTOCOLS[model][name]
        n, n_neurons = P.n_steps(protocol), len(protocol["neurons"])
        np.testing.assert_allclose(stored["times"], P.DT * np.arange(1, n + 1), atol=1e-9)
        for rec in P.RECORDABLES[model]:
            values = stored[rec]
            assert values.dtype == np.float64 and values.shape == (n, n_neurons), (name, rec)
            assert np.all(np.isfinite(values)), (name, rec)
        steps, senders = stored["spike_steps"], stored["spike_senders"]
        assert len(steps) == len(senders) == len(stored["spike_offsets"])
        assert np.all((steps >= 1) & (steps <= n)) and np.all(np.diff(steps) >= 0)
        assert np.all((senders >= 0) & (senders < n_neurons))
        np.testing.assert_allclose(stored["spike_times"], steps * P.DT, atol=1e-12)
        assert np.all(np.isfinite(stored["spike_offsets"]))


def test_protocols_do_what_they_say(reference):
    model, data = reference
    protocols = data["protocols"]
    counts = np.bincount(protocols["dc"]["spike_senders"], minlength=2)
    assert counts[1] >= 3, "the suprathreshold dc neuron fires repeatedly"
    if model != "hh_cond_exp_traub":  # fires on its initial transient whatever the input
        assert counts[0] == 0, "the subthreshold dc neuron stays silent"
    for name in ("step", "spikes_ex", "spikes_AMPA", "spikes_NMDA", "spikes_in", "spikes_GABA"):
        if name in protocols:
            target = len(protocols[name]["protocol"]["neurons"]) - 1
            assert np.any(protocols[name]["spike_senders"] == target), f"{name}: no spike"


@pytest.mark.parametrize("model", list(_JUMP_STATE))
def test_first_spike_arrival_convention(model):
    """A spike sent at t_s with delay d shows in the recorded state at t = t_s + d."""
    name = "spikes_AMPA" if model.startswith("iaf_bw") else "spikes_ex"
    stored = P.load(model)["protocols"][name]
    stimulus = P.PROTOCOLS[model][name]["stimuli"][0]
    arrival = stimulus["params"]["spike_times"][0] + stimulus["syn"]["delay"]
    k = int(round(arrival / P.DT)) - 1  # sample index of t = arrival
    trace = stored[_JUMP_STATE[model]][:, 0]
    assert np.all(trace[:k] == 0.0)
    assert trace[k] == stimulus["syn"]["weight"]


def test_file_sizes():
    sizes = {model: P.data_path(model).stat().st_size for model in P.MODELS}
    assert max(sizes.values()) < 400_000, sizes
    assert sum(sizes.values()) < 3_000_000, sizes
