"""Tiny NEST experiments that establish the timing conventions stated in README.md.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest_reference/conventions.py

Each experiment prints what NEST does; README.md quotes the output. All runs use
resolution h = 0.1 ms. NEST is imported inside ``main`` only.
"""

from __future__ import annotations

import os

import numpy as np

H = 0.1


def _setup(nest, **kernel):
    nest.ResetKernel()
    nest.set(resolution=H, local_num_threads=1, **kernel)


def _record(nest, neuron, record_from):
    multimeter = nest.Create("multimeter", params={"interval": H, "record_from": record_from})
    nest.Connect(multimeter, neuron)
    return multimeter


def _first_change(multimeter, key):
    times = np.asarray(multimeter.events["times"])
    values = np.asarray(multimeter.events[key])
    changed = np.nonzero(values != values[0])[0]
    return (round(times[changed[0]], 4), values[changed[0]]) if len(changed) else None


def spike_arrival(nest):
    print("(1) spike_generator spike at t_s = 10.0 ms, weight 5, delay d:")
    cases = [
        ("iaf_psc_delta", "V_m"),
        ("iaf_psc_exp", "I_syn_ex"),
        ("iaf_psc_exp", "V_m"),
        ("iaf_cond_exp", "g_ex"),
        ("iaf_cond_alpha", "g_ex"),
        ("hh_psc_alpha", "I_syn_ex"),
    ]
    for delay in (0.1, 1.0):
        for model, key in cases:
            _setup(nest)
            neuron = nest.Create(model)
            multimeter = _record(nest, neuron, [key])
            generator = nest.Create("spike_generator", params={"spike_times": [10.0]})
            nest.Connect(generator, neuron, syn_spec={"weight": 5.0, "delay": delay})
            nest.Simulate(20.0)
            when, value = _first_change(multimeter, key)
            print(f"    d={delay}: {model:14s} {key:8s} first differs at t={when} ({value:.6g})")


def _step_currents(nest, generator_model, params, delay, duration=3.0):
    """Current integrated in each step (t_k, t_k + h], recovered from iaf_psc_delta's
    exact recursion V_{k+1} = E_L + P33 (V_k - E_L) + P30 I_k (tau_m=10, C_m=250)."""
    _setup(nest)
    neuron = nest.Create("iaf_psc_delta", params={"V_th": 1e9})
    multimeter = _record(nest, neuron, ["V_m"])
    generator = nest.Create(generator_model, params=params)
    nest.Connect(generator, neuron, syn_spec={"delay": delay})
    nest.Simulate(duration + 1.0)
    v = np.concatenate([[-70.0], np.asarray(multimeter.events["V_m"])])
    p33 = np.exp(-H / 10.0)
    p30 = 10.0 / 250.0 * (1.0 - p33)
    current = (v[1:] - (-70.0) - p33 * (v[:-1] + 70.0)) / p30
    starts = H * np.arange(len(current))  # step k is (starts[k], starts[k] + h]
    on = np.round(current) != 0
    return [round(t, 4) for t in starts[on][: int(duration / H)]]


def current_onset(nest):
    print("(2) current generators -> iaf_psc_delta; start times of the steps (t_k, t_k+h]")
    print("    that integrate a nonzero current (recovered from the exact V recursion):")
    on_off = [100.0, 0.0]
    cases = [
        ("step_current_generator", {"amplitude_times": [1.0, 2.0], "amplitude_values": on_off}),
        ("step_current_generator", {"amplitude_times": [0.1, 0.5], "amplitude_values": on_off}),
        ("dc_generator", {"amplitude": 100.0, "start": 1.0, "stop": 2.0}),
        ("dc_generator", {"amplitude": 100.0, "start": 0.0, "stop": 0.5}),
        ("dc_generator", {"amplitude": 100.0, "start": 0.1, "stop": 0.5}),
    ]
    for delay in (0.1, 1.0):
        for model, params in cases:
            steps = _step_currents(nest, model, params, delay)
            span = f"{steps[0]} .. {steps[-1]} ({len(steps)} steps)" if steps else "none"
            print(f"    d={delay}: {model} {params}: {span}")


def i_e(nest):
    print("(3) I_e = 100 pA on iaf_psc_delta (exact V after one step: ", end="")
    p33 = np.exp(-H / 10.0)
    print(f"{-70.0 + 100.0 * 10.0 / 250.0 * (1.0 - p33):.12f})")
    _setup(nest)
    neuron = nest.Create("iaf_psc_delta", params={"I_e": 100.0})
    multimeter = _record(nest, neuron, ["V_m"])
    nest.Simulate(3.0)
    times, values = multimeter.events["times"], multimeter.events["V_m"]
    print(f"    set before Simulate: V({times[0]:.1f}) = {values[0]:.12f}")
    _setup(nest)
    neuron = nest.Create("iaf_psc_delta")
    multimeter = _record(nest, neuron, ["V_m"])
    nest.Simulate(5.0)
    neuron.I_e = 100.0
    nest.Simulate(5.0)
    when, value = _first_change(multimeter, "V_m")
    print(f"    set at t=5.0 between Simulate calls: V first differs at t={when}: {value:.12f}")


def multimeter_times(nest):
    print("(4) multimeter, interval h, connected with the default delay:")
    for duration in (1.0, 2.0, 20.0):
        _setup(nest)
        neuron = nest.Create("iaf_psc_delta", params={"I_e": 100.0})
        multimeter = _record(nest, neuron, ["V_m"])
        nest.Simulate(duration)
        times = np.asarray(multimeter.events["times"])
        span = f"{times[0]:.1f} .. {times[-1]:.1f}" if len(times) else "-"
        print(
            f"    Simulate({duration}): {len(times)} samples, t = {span}; "
            f"min_delay = {nest.min_delay}"
        )


def spike_times(nest):
    print("(5) spike time, reset and refractoriness (I_e drive):")
    cases = [
        ("iaf_psc_delta", {"I_e": 400.0}),
        ("iaf_cond_exp", {"I_e": 400.0}),
        ("aeif_cond_exp", {"I_e": 800.0, "t_ref": 2.0}),
        ("aeif_cond_exp", {"I_e": 800.0}),
        ("izhikevich", {"I_e": 10.0}),
        ("hh_psc_alpha", {"I_e": 800.0}),
    ]
    tau, c_m = 10.0, 250.0
    crossing = -tau * np.log(1.0 - 15.0 / (400.0 * tau / c_m))
    print(f"    iaf_psc_delta analytic threshold crossing: {crossing:.6f} ms")
    for model, params in cases:
        _setup(nest)
        neuron = nest.Create(model, params=params)
        multimeter = _record(nest, neuron, ["V_m"])
        recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
        nest.Connect(neuron, recorder)
        nest.Simulate(60.0)
        v = np.asarray(multimeter.events["V_m"])
        step = int(recorder.events["times"][0])  # spike at t = step * h
        k = step - 1  # sample index of time step * h
        same = 1
        while v[k + same] == v[k]:
            same += 1
        print(
            f"    {model} {params}: spike step {step} (t={step * H:.1f}); "
            f"V(t-h)={v[k - 1]:.4f}, V(t)={v[k]:.4f}, equal for {same} samples, "
            f"next differs at t={(step + same) * H:.1f}"
        )


def bw_offsets(nest):
    print("(6) iaf_bw_2001 spike events carry an offset (its NMDA increment):")
    _setup(nest)
    neuron = nest.Create("iaf_bw_2001")
    generator = nest.Create("dc_generator", params={"amplitude": 600.0})
    nest.Connect(generator, neuron, syn_spec={"delay": H})
    recorders = [
        nest.Create("spike_recorder", params={"time_in_steps": in_steps})
        for in_steps in (False, True)
    ]
    for recorder in recorders:
        nest.Connect(neuron, recorder)
    nest.Simulate(40.0)
    print(f"    spike_recorder times (ms):   {np.round(recorders[0].events['times'], 6)}")
    steps = recorders[1].events["times"]
    offsets = recorders[1].events["offsets"]
    print(f"    time_in_steps: steps {steps}, offsets {np.round(offsets, 6)}")


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    print(f"NEST {nest.__version__}, h = {H} ms")
    for experiment in (
        spike_arrival,
        current_onset,
        i_e,
        multimeter_times,
        spike_times,
        bw_offsets,
    ):
        experiment(nest)


if __name__ == "__main__":
    main()
