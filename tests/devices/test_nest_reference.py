"""Replay of NEST 3.10 recordings (tests/nest_reference/data/network_devices.npz and
network_device_statistics.npz, made by tests/nest_reference/make_network.py).

Deterministic devices must match exactly: the current NEST records for each generator
(its ``I``) and the steps of the spikes a ``parrot_neuron`` repeats. Spike weights are
checked through the synaptic currents of ``iaf_psc_alpha`` targets, computed in closed
form from the emitted spikes. Stochastic devices are compared statistically.
"""

import json
import math
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import devices
from neurodyn import units as u

DATA = Path(__file__).resolve().parents[1] / "nest_reference" / "data"
DEVICES = DATA / "network_devices.npz"
STATISTICS = DATA / "network_device_statistics.npz"
H = 0.1

_UNITS = {
    "amplitude": u.pA, "offset": u.pA, "frequency": u.Hz, "amplitude_values": u.pA,
    "amplitude_times": u.ms, "spike_times": u.ms, "pulse_times": u.ms, "sdev": u.ms,
    "origin": u.ms, "start": u.ms, "stop": u.ms, "rate": u.Hz, "rate_times": u.ms,
    "rate_values": u.Hz, "mean": u.pA, "std": u.pA, "std_mod": u.pA, "dt": u.ms,
}  # fmt: skip


def _build(model, params, **extra):
    """A neurodyn device from NEST's model name and status dictionary."""
    kwargs = {}
    for key, value in params.items():
        unit = _UNITS.get(key)
        if model == "sinusoidal_poisson_generator" and key == "amplitude":
            unit = u.Hz
        kwargs[key] = np.asarray(value, dtype=float) * unit if unit is not None else value
    return getattr(devices, model)(**kwargs, **extra)


def _load(path):
    if not path.exists():
        pytest.skip(f"{path.name} has not been made yet")
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


@pytest.fixture(scope="module")
def reference():
    return _load(DEVICES)


def _steps(out):
    out = np.asarray(out)
    return np.repeat(np.nonzero(out)[0], out[out != 0].astype(int))


def test_current_generators_match_nests_recorded_current(reference, emitted):
    nd.environ.set(precision=64)
    protocol = json.loads(str(reference["protocol_json"]))["currents"]
    recorded = reference["currents/I"]  # (steps, generator): the current sent in each step
    n_steps = recorded.shape[0]
    generators = [_build(s["device"], s["params"]) for s in protocol["sources"]]
    outs = emitted(generators, n_steps)
    for k, (source, out) in enumerate(zip(protocol["sources"], outs, strict=True)):
        tolerance = 1e-10 if source["device"] == "ac_generator" else 0.0  # NEST's rotation
        np.testing.assert_allclose(
            out, recorded[:, k], rtol=0, atol=tolerance, err_msg=source["name"]
        )


def _alpha_currents(weights, delay_steps, tau, n_steps):
    """iaf_psc_alpha's synaptic current: a spike of weight w arriving in step a (emitted in
    a - delay) gives w e/tau (t - t_a) exp(-(t - t_a)/tau) from t_a = (a + 1) h on."""
    current = np.zeros(n_steps)
    j = np.arange(n_steps)
    for emitted_step in np.nonzero(weights)[0]:
        lag = (j - emitted_step - delay_steps) * H
        kernel = np.e / tau * lag * np.exp(-np.maximum(lag, 0.0) / tau)
        current += np.where(lag >= 0, weights[emitted_step] * kernel, 0.0)
    return current


def test_spike_sources_match_nests_parrots_and_synaptic_currents(reference):
    nd.environ.set(precision=64)
    protocol = json.loads(str(reference["protocol_json"]))["spike_sources"]
    kernel = json.loads(str(reference["spike_sources/kernel_status_json"]))
    delay_steps = round(protocol["delay"] / H)
    n_steps = reference["spike_sources/V_m"].shape[0]
    parrot_steps = reference["spike_sources/parrot_spike_steps"]
    senders = reference["spike_sources/parrot_spike_senders"]
    for k, source in enumerate(protocol["sources"]):
        extra = {}
        if source["device"] == "pulsepacket_generator":
            extra["min_delay"] = kernel["min_delay"] * u.ms
        generator = _build(source["device"], source["params"], **extra)
        nd.init_all_states(generator)

        def step(generator=generator):
            counts = generator.update()
            if generator.has_spike_weights:
                return counts, generator.spike_weight_sums.value
            return counts, jnp.stack([counts, 0.0 * counts])

        counts, sums = nd.for_loop(step, length=n_steps, clock=generator)
        counts, sums = np.asarray(counts), np.asarray(sums)
        # a parrot repeats a spike emitted in step i at the end of step i + delay
        expected = parrot_steps[senders == k]
        mine = _steps(counts) + delay_steps + 1
        np.testing.assert_array_equal(mine[mine <= n_steps], expected, err_msg=source["name"])
        # the synaptic currents (weights split by sign, as NEST's receptors)
        weight = source["weight"]
        excitatory = weight * (sums[:, 0] if generator.has_spike_weights else counts)
        inhibitory = weight * sums[:, 1] if generator.has_spike_weights else 0 * counts
        for name, part in (("I_syn_ex", excitatory), ("I_syn_in", inhibitory)):
            np.testing.assert_allclose(
                _alpha_currents(part, delay_steps, 2.0, n_steps),
                reference[f"spike_sources/{name}"][:, k],
                rtol=0, atol=1e-9, err_msg=f"{source['name']} {name}",
            )  # fmt: skip


def test_pulsepacket_edges(reference, emitted):
    protocol = json.loads(str(reference["protocol_json"]))["pulsepacket_edges"]
    table = json.loads(str(reference["pulsepacket_edges/stamps_json"]))
    window = {key: value * u.ms for key, value in protocol["params"].items()}
    cases = [(float(d), float(x)) for d in table for x in table[d]]
    generators = [
        devices.pulsepacket_generator([x] * u.ms, activity=1, min_delay=d * u.ms, **window)
        for d, x in cases
    ]
    outs = emitted(generators, 200)
    for (d, x), out in zip(cases, outs, strict=True):
        stamps = [round((s + 1) * H, 10) for s in _steps(out)]
        assert stamps == table[repr(d)][repr(x)], (d, x)


def test_off_grid_errors_and_defaults(reference):
    errors = json.loads(str(reference["offgrid_errors_json"]))
    protocol = json.loads(str(reference["protocol_json"]))["offgrid_errors"]
    for model, params in protocol.items():
        assert "not representable in current resolution" in errors[model]
        with pytest.raises(nd.ParameterError, match="not representable in current resolution"):
            _build(model, params)
    defaults = json.loads(str(reference["device_defaults_json"]))
    for model, nest in defaults.items():
        if not hasattr(devices, model):
            continue  # parrots and recorders
        mine = getattr(devices, model)()
        for key, value in nest.items():
            if key in _UNITS and isinstance(value, float):
                got = float(np.asarray(getattr(mine, key).to_decimal(_UNITS[key])))
                assert got == value or (np.isinf(got) and value > 1e300), (model, key)
            elif isinstance(value, bool) and hasattr(mine, key):
                assert bool(getattr(mine, key)) == value, (model, key)
            elif key == "activity":
                assert int(mine.activity) == value


# ---------------------------------------------------------------------------------------
# network_device_statistics.npz: our statistics against NEST's, within sampling error
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def statistics():
    return _load(STATISTICS)


def _protocol(statistics):
    return json.loads(str(statistics["protocol_json"]))


def test_poisson_statistics(statistics, emitted):
    p = _protocol(statistics)["poisson"]
    rate = p["params"]["rate"]
    n_targets, n_steps = 200, 10_000  # smaller than NEST's run: our own sampling error
    out = emitted(_build("poisson_generator", p["params"]), n_steps, n_targets=n_targets)
    mine = out.sum() / (n_targets * n_steps * H / 1000)
    nest = float(statistics["poisson/rate_hz"])
    nest_n = float(statistics["poisson/n_spikes"])
    error = rate * math.sqrt(1 / (rate * n_targets * n_steps * H / 1000) + 1 / nest_n)
    assert abs(mine - nest) < 5 * error and abs(nest - rate) < 5 * rate / math.sqrt(nest_n)
    assert abs(float(statistics["poisson/fano"]) - 1) < 0.05


def test_gamma_statistics(statistics, emitted):
    p = _protocol(statistics)["gamma"]
    n_targets, n_steps = 50, 10_000
    generators = [_build("gamma_sup_generator", config) for config in p["configs"]]
    outs = emitted(generators, n_steps, n_targets=n_targets)
    for k, (config, out) in enumerate(zip(p["configs"], outs, strict=True)):
        rate = config["rate"] * config["n_proc"]
        mine = out.sum() / (n_targets * n_steps * H / 1000)
        nest = float(statistics[f"gamma/config_{k}/rate_hz"])
        nest_spikes = float(statistics[f"gamma/config_{k}/n_spikes"])
        # counts have Fano factor ~ 1/k: Poisson errors overestimate the spread
        assert abs(mine - nest) < 5 * rate * math.sqrt(1 / out.sum() + 1 / nest_spikes)
        # NEST's Fano factor against the theory the device is tested with elsewhere
        # (test_stochastic_generators): (1 - p)/k + (1 - 1/k^2)/6 / (rate * window)
        shape, p_step = config["gamma_shape"], config["gamma_shape"] * config["rate"] * H / 1000
        theory = (1 - p_step) / shape + (1 - 1 / shape**2) / 6 / (
            config["rate"] * p["window"] / 1000
        )
        windows = p["n_targets"] * p["duration"] / p["window"]
        assert abs(float(statistics[f"gamma/config_{k}/fano"]) - theory) < 5 * theory * math.sqrt(
            2 / windows
        )


def test_sinusoidal_statistics(statistics):
    p = _protocol(statistics)["sinusoidal"]
    g = _build("sinusoidal_poisson_generator", p["params"])
    nd.init_all_states(g)
    times = statistics["sinusoidal/generator_rate_times"]  # NEST's recorded rate (Hz)
    steps = np.round(times / H).astype(int) - 1
    mine = np.asarray(g.rate_at(np.asarray(steps, np.int32)))
    np.testing.assert_allclose(mine, statistics["sinusoidal/generator_rate"], atol=1e-3)
    offset = float(statistics["sinusoidal/fit_offset_hz"])
    amplitude = float(statistics["sinusoidal/fit_amplitude_hz"])
    assert abs(offset - p["params"]["rate"]) < 1.0
    assert abs(amplitude - p["params"]["amplitude"]) < 1.5


def test_inhomogeneous_statistics(statistics, emitted):
    p = _protocol(statistics)["inhomogeneous"]
    edges = statistics["inhomogeneous/segment_edges"]
    expected = [0.0, *p["params"]["rate_values"]]
    n_targets = 500
    # the same changes with 1000 times the rates: spikes in every step with a rate
    fast = dict(p["params"], rate_values=[1e3 * r for r in p["params"]["rate_values"]])
    generators = [_build("inhomogeneous_poisson_generator", q) for q in (p["params"], fast)]
    out, out_fast = (
        o.sum(axis=1) for o in emitted(generators, round(edges[-1] / H), n_targets=n_targets)
    )
    stamps = np.arange(len(out)) + 1  # in steps
    segments = zip(
        statistics["inhomogeneous/segment_rate_hz"], expected, edges[:-1], edges[1:], strict=True
    )
    for nest_rate, rate, a, b in segments:
        # rate_values[j] holds for emission stamps in [rate_times[j], rate_times[j + 1])
        inside = (stamps >= round(a / H)) & (stamps < round(b / H))
        mine = out[inside].sum() / (n_targets * (b - a) / 1000)
        error = math.sqrt(max(rate, 1e-9) / ((b - a) / 1000)) * math.sqrt(
            1 / n_targets + 1 / p["n_targets"])  # fmt: skip
        assert abs(mine - nest_rate) < 5 * error, (a, b, mine, nest_rate)
    # the first spike after a rate change can carry the change time itself as its stamp
    first = [
        stamps[(stamps >= round(t / H)) & (out_fast > 0)][0] * H for t in p["params"]["rate_times"]
    ]
    np.testing.assert_allclose(first, statistics["inhomogeneous/first_stamp_from_edges"])


def test_noise_statistics(statistics, emitted):
    p = _protocol(statistics)["noise"]
    generators = [_build("noise_generator", config) for config in p["configs"]]
    n_steps = 20_000
    outs = emitted(generators, n_steps, n_targets=1)
    n_head = int(p["n_head"])
    for k, (config, out) in enumerate(zip(p["configs"], outs, strict=True)):
        out = out[:, 0]
        nest = statistics[f"noise/config_{k}/I_head"]
        # the same steps are inactive (zero) and the same steps change value
        np.testing.assert_array_equal(out[:n_head] == 0, nest == 0)
        mine_changes = np.round((np.nonzero(np.diff(out))[0] + 2) * H, 10)[:20]
        np.testing.assert_allclose(mine_changes, statistics[f"noise/config_{k}/first_change_times"])
        # mean and std of the active samples, within the error of both (independent draws)
        active = out[out != 0]
        draws = len(active) / round(config["dt"] / H)
        nest_draws = float(statistics[f"noise/config_{k}/n_samples"]) / round(config["dt"] / H)
        error = config["std"] * math.sqrt(1 / draws + 1 / nest_draws)
        assert abs(active.mean() - float(statistics[f"noise/config_{k}/mean"])) < 5 * error
        assert abs(active.std() - float(statistics[f"noise/config_{k}/std"])) < 5 * error


def test_pulsepacket_statistics(statistics, emitted):
    p = _protocol(statistics)["pulsepacket"]
    pulses = np.asarray(p["params"]["pulse_times"])
    n_steps = round((pulses[-1] + 20.0) / H)
    out = emitted(_build("pulsepacket_generator", p["params"]), n_steps, n_targets=p["n_targets"])
    assert bool(statistics["pulsepacket/same_train_all_targets"]) and out.ndim == 1
    stamps = (_steps(out) + 1) * H  # NEST's offsets are stamp minus nearest centre
    nearest = pulses[np.argmin(np.abs(stamps[:, None] - pulses[None, :]), axis=1)]
    offsets = stamps - nearest
    assert len(offsets) == int(statistics["pulsepacket/n_spikes"])
    sdev = p["params"]["sdev"]
    error = 5 * sdev * math.sqrt(2 / len(offsets))
    assert abs(offsets.mean() - float(statistics["pulsepacket/offset_mean"])) < error * 1.5
    assert abs(offsets.std() - float(statistics["pulsepacket/offset_std"])) < error
