"""Record NEST 3.10's precise-spike-timing neurons into ``data/ps.npz``.

Models: ``iaf_psc_delta_ps``, ``iaf_psc_exp_ps``, ``iaf_psc_exp_ps_lossless`` and
``iaf_psc_alpha_ps``. Each is one population of neurons (``NEURONS``: NEST's defaults,
a neuron that fires on ``I_e``, non-default parameters, a short refractory period and
one that starts above threshold), all driven by a ``step_current_generator`` and by
``spike_generator``\\ s with ``precise_times=True``: off-grid spike times, several
events in one step, coincident events and both signs (``TRAINS``).

Stored per model (time step ``DT``; NEST's step ``T`` covers ``(T h, (T+1) h]``):

- ``<model>/events``: (step, offset, weight) of each spike that reaches the neurons,
  as NEST delivers it: the generator's recorded stamp and offset, moved by the delay;
- ``<model>/current``: the stimulation current (pA) arriving in each step;
- ``<model>/spike_steps``, ``spike_offsets``, ``spike_senders``: the neurons' spikes
  (stamp and offset, precise time ``stamp * DT - offset``);
- ``<model>/V_m``: the membrane potential at the end of every step, (steps, neurons),
  up to the last step the multimeter recorded;
- ``<model>/params``: the parameters of each neuron (JSON).

and a small network (``network/...``, see ``NETWORK``): ``iaf_psc_exp_ps`` neurons,
random recurrent connections of both signs with delays of 0.1 to 2 ms, driven by
Poisson-like ``spike_generator``\\ s with ``precise_times=True``: the connections
(``pre``, ``post``, ``weight``, ``delay``; neurons numbered 0.., generators too) and
the neurons' spikes (``spike_steps``, ``spike_offsets``, ``spike_senders``).

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_ps.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "ps.npz"
DT = 0.1  # ms
DURATION = 100.0  # ms
DELAY = 1.0  # ms, every input connection
MODELS = ["iaf_psc_delta_ps", "iaf_psc_exp_ps", "iaf_psc_exp_ps_lossless", "iaf_psc_alpha_ps"]

#: parameters of the neurons (every model takes them; the delta model ignores tau_syn)
NEURONS = [
    {},
    {"I_e": 420.0},
    {"I_e": 300.0, "tau_m": 7.0, "C_m": 180.0, "t_ref": 1.3, "V_th": -52.0,
     "V_reset": -66.0, "E_L": -68.0, "tau_syn": 1.5},
    {"I_e": 390.0, "t_ref": 0.1, "tau_syn": 0.7},
    {"V_m": -50.0, "t_ref": 3.0},
]  # fmt: skip
#: weight per model of a train, scale of the (mV for delta, pA otherwise) weights
SCALE = {"iaf_psc_delta_ps": 1.0, "iaf_psc_exp_ps": 160.0, "iaf_psc_exp_ps_lossless": 160.0,
         "iaf_psc_alpha_ps": 110.0}  # fmt: skip


def trains() -> list[tuple[float, list[float]]]:
    """(weight factor, spike times in ms) of each spike_generator: Poisson-like off-grid
    trains of both signs, plus hand-made steps with several and coincident events."""
    rng = np.random.default_rng(7)
    out = []
    for factor, rate in ((4.0, 200.0), (3.0, 250.0), (-3.0, 200.0), (-2.0, 150.0)):
        times = np.cumsum(rng.exponential(1000.0 / rate, 200))
        out.append((factor, [float(t) for t in times[times < DURATION - 5.0]]))
    # several events in one step (20.0, 20.1], coincident offsets of both signs
    out.append((6.0, [20.013, 20.047, 20.047, 45.0, 45.05, 70.0123456789]))
    out.append((-2.5, [20.047, 20.081, 45.05, 70.0123456789, 90.099999]))
    return out


def neuron_params(model: str, neuron: dict) -> dict:
    params = dict(neuron)
    tau_syn = params.pop("tau_syn", None)
    if model == "iaf_psc_delta_ps":
        return params
    if tau_syn is not None:
        if model == "iaf_psc_alpha_ps":
            params.update(tau_syn_ex=tau_syn, tau_syn_in=tau_syn + 0.5)
        elif model == "iaf_psc_exp_ps":
            params.update(tau_syn_ex=tau_syn, tau_syn_in=tau_syn + 0.5)
        else:  # the lossless model needs equal time constants
            params.update(tau_syn_ex=tau_syn, tau_syn_in=tau_syn)
    return params


STEP_CURRENT = {"amplitude_times": [15.0, 30.0, 50.0, 65.0, 85.0],
                "amplitude_values": [250.0, -100.0, 380.0, 0.0, 150.0]}  # fmt: skip


def record(nest, model: str) -> dict:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1)
    params = [neuron_params(model, n) for n in NEURONS]
    neurons = nest.Create(model, len(params))
    for node, p in zip(neurons, params, strict=True):
        node.set(p)
    current = nest.Create("step_current_generator", params=STEP_CURRENT)
    nest.Connect(current, neurons, syn_spec={"delay": DELAY})
    generators = []
    for factor, times in trains():
        gen = nest.Create("spike_generator", params={"spike_times": times, "precise_times": True})
        nest.Connect(gen, neurons, syn_spec={"weight": factor * SCALE[model], "delay": DELAY})
        generators.append((gen, factor * SCALE[model]))
    gen_rec = nest.Create("spike_recorder", params={"time_in_steps": True})
    for gen, _ in generators:
        nest.Connect(gen, gen_rec)
    rec = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, rec)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": DT})
    nest.Connect(mm, neurons)
    nest.Simulate(DURATION)

    steps = int(round(DURATION / DT))
    gen_events = gen_rec.get("events")
    weight_of = {gen.global_id: w for gen, w in generators}
    delay_steps = int(round(DELAY / DT))
    # a spike of stamp S and delay d is processed in NEST's step S + d - 1
    events = np.array(
        [(s + delay_steps - 1, o, weight_of[g]) for s, o, g in
         zip(gen_events["times"], gen_events["offsets"], gen_events["senders"], strict=True)],
        np.float64,
    )  # fmt: skip
    amplitude = np.zeros(steps)
    t_seen = np.arange(steps) * DT + DT - DELAY  # see protocol_driver.input_arrays
    for t_a, a in zip(
        STEP_CURRENT["amplitude_times"], STEP_CURRENT["amplitude_values"], strict=True
    ):
        amplitude[t_seen >= t_a - 1e-9] = a
    ev = rec.get("events")
    first = min(neurons.global_id) if len(neurons) > 1 else neurons.global_id
    mev = mm.get("events")
    V = np.zeros((steps, len(params)))
    rows = np.round(np.asarray(mev["times"]) / DT).astype(int) - 1
    V[rows, np.asarray(mev["senders"]) - first] = mev["V_m"]
    V = V[: rows.max() + 1]  # the multimeter misses the last steps of a run
    return {
        "events": events,
        "current": amplitude,
        "spike_steps": np.asarray(ev["times"], np.int64),
        "spike_offsets": np.asarray(ev["offsets"], np.float64),
        "spike_senders": np.asarray(ev["senders"], np.int64) - first,
        "V_m": V,
        "params": np.array(json.dumps(params)),
    }


#: the network: populations (model, size, parameters), generator rate (Hz), duration
NETWORK = {
    "populations": [("iaf_psc_exp_ps", 10, {"I_e": 320.0})],
    "generators": 3, "rate": 400.0, "p": 0.4, "duration": 100.0,
    # weights by target model: (excitatory, inhibitory), and of the generators' input
    "weights": {"iaf_psc_exp_ps": (350.0, -600.0, 300.0), "iaf_psc_delta_ps": (1.5, -2.5, 1.2)},
}  # fmt: skip


def network_connections() -> dict:
    """The network's connections and generator spike trains, drawn from a fixed seed."""
    rng = np.random.default_rng(11)
    models = [m for m, n, _ in NETWORK["populations"] for _ in range(n)]
    n = len(models)
    pre, post = np.nonzero(rng.random((n, n)) < NETWORK["p"])
    keep = pre != post
    pre, post = pre[keep], post[keep]
    inhibitory = rng.random(n) < 0.3
    weight = np.array([NETWORK["weights"][models[t]][1 if inhibitory[s] else 0]
                       for s, t in zip(pre, post, strict=True)])  # fmt: skip
    delay = rng.integers(1, 21, len(pre)) * DT
    trains = []
    for _ in range(NETWORK["generators"]):
        times = np.cumsum(rng.exponential(1000.0 / NETWORK["rate"], 100))
        trains.append(times[times < NETWORK["duration"] - 1.0])
    gen_pre = np.repeat(np.arange(NETWORK["generators"]), n)
    gen_post = np.tile(np.arange(n), NETWORK["generators"])
    gen_weight = np.array([NETWORK["weights"][models[t]][2] for t in gen_post])
    gen_delay = rng.integers(1, 21, len(gen_pre)) * DT
    return {"pre": pre, "post": post, "weight": weight, "delay": delay, "gen_pre": gen_pre,
            "gen_post": gen_post, "gen_weight": gen_weight, "gen_delay": gen_delay,
            "trains": trains}  # fmt: skip


def record_network(nest) -> dict:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1)
    neurons = None
    for model, n, params in NETWORK["populations"]:
        pop = nest.Create(model, n, params=params)
        neurons = pop if neurons is None else neurons + pop
    c = network_connections()
    ids = np.asarray(neurons.global_id)
    nest.Connect(ids[c["pre"]], ids[c["post"]], "one_to_one",
                 syn_spec={"weight": c["weight"], "delay": c["delay"]})  # fmt: skip
    gens = [nest.Create("spike_generator", params={"spike_times": t, "precise_times": True})
            for t in c["trains"]]  # fmt: skip
    gen_ids = np.array([g.global_id for g in gens])
    nest.Connect(gen_ids[c["gen_pre"]], ids[c["gen_post"]], "one_to_one",
                 syn_spec={"weight": c["gen_weight"], "delay": c["gen_delay"]})  # fmt: skip
    rec = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, rec)
    nest.Simulate(NETWORK["duration"])
    ev = rec.get("events")
    return {
        "spike_steps": np.asarray(ev["times"], np.int64),
        "spike_offsets": np.asarray(ev["offsets"], np.float64),
        "spike_senders": np.asarray(ev["senders"], np.int64) - ids[0],
    }


def load() -> dict:
    """The recordings, ``{model: {key: array}}`` (``params`` as a list of dicts)."""
    with np.load(DATA) as data:
        out: dict = {}
        for key in data.files:
            model, name = key.split("/")
            value = data[key]
            out.setdefault(model, {})[name] = json.loads(str(value)) if name == "params" else value
    return out


def main() -> None:
    import nest

    nest.set_verbosity("M_WARNING")
    arrays = {}
    for model in MODELS:
        for key, value in record(nest, model).items():
            arrays[f"{model}/{key}"] = value
        n = len(arrays[f"{model}/spike_steps"])
        print(model, "spikes:", n)
    for key, value in record_network(nest).items():
        arrays[f"network/{key}"] = value
    print("network spikes:", len(arrays["network/spike_steps"]))
    DATA.parent.mkdir(exist_ok=True)
    np.savez_compressed(DATA, **arrays)
    print(DATA, DATA.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
