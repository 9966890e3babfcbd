"""Replays a NEST reference protocol (tests/nest_reference) on a neurodyn NEST model.

NEST's timing, as observed in the reference data (tests/nest_reference/README.md):

- a spike sent at ``t_s`` over a connection of delay ``d`` is added to the synaptic
  variables after the integration of the step that *ends* at ``t_s + d``;
- a current generator's amplitude at ``t`` reaches the neuron through its connection
  delay and then NEST's one-step current buffer: the current that ``update(x)`` gets
  in the step starting at ``t_i`` is the generator's amplitude at
  ``t_i + dt - delay``, and acts in the next step;
- ``I_e`` acts at once; recorded samples are the states at the end of each step.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np

import neurodyn as nd
from neurodyn import units as u

sys.path.insert(0, str(Path(__file__).parents[1] / "nest_reference"))
import protocols as P  # noqa: E402, I001

DT = P.DT


def reference(model: str, protocol: str) -> dict:
    """The NEST recording of ``protocol`` for ``model``."""
    return P.load(model)["protocols"][protocol]


def nest_defaults(model: str) -> dict:
    return P.load(model)["defaults"]


def build(cls, model: str, protocol: dict, **fixed):
    """A population of ``cls``, one neuron per protocol neuron, NEST's overrides applied."""
    neurons = protocol["neurons"]
    signature = inspect.signature(cls).parameters
    defaults = nest_defaults(model)
    params = dict(fixed)
    for key in sorted({k for n in neurons for k in n}):
        unit = u.get_unit(signature[key].default)
        values = np.array([n.get(key, defaults[key]) for n in neurons], np.float64)
        params[key] = u.with_unit(jnp.asarray(values), unit)
    return cls(len(neurons), **params)


def input_arrays(protocol: dict, n_neurons: int) -> tuple[np.ndarray, dict]:
    """Per-step stimulation currents (pA, shape (steps, n)) and spike weights per
    receptor type (``{receptor: (steps, n)}``), from the protocol's devices."""
    steps = P.n_steps(protocol)
    starts = np.arange(steps) * DT
    current = np.zeros((steps, n_neurons))
    spikes: dict[int, np.ndarray] = {}
    for stim in protocol["stimuli"]:
        device, params, targets = stim["device"], stim["params"], stim["targets"]
        delay = stim["syn"].get("delay", DT)
        if device == "spike_generator":
            weights = spikes.setdefault(stim["syn"].get("receptor_type", 0), np.zeros_like(current))
            for t_s in params["spike_times"]:
                step = int(round((t_s + delay) / DT)) - 1
                if step < steps:
                    weights[step, targets] += stim["syn"]["weight"]
        elif device == "dc_generator":
            # a generator's output starts strictly after its start time (here 0)
            on = starts + DT - delay > 1e-9
            current[np.ix_(on, targets)] += params["amplitude"]
        elif device == "step_current_generator":
            amplitude = np.zeros(steps)
            t_seen = starts + DT - delay
            for t_a, a in zip(params["amplitude_times"], params["amplitude_values"], strict=True):
                amplitude[t_seen >= t_a - 1e-9] = a
            current[:, targets] += amplitude[:, None]
        else:
            raise ValueError(f"unknown device {device}")
    return current, spikes


class _Stimulated(nd.Module):
    """The neuron, with its spike inputs fed from per-step arrays."""

    def __init__(self, neuron, receptor_labels: dict[int, str | None], weight_unit, before=None):
        super().__init__()
        self.neuron = neuron
        self.before = before  # a module updated before the neuron (e.g. a GapJunction)
        self.weight_unit = weight_unit
        self.inputs = {}
        for receptor, label in receptor_labels.items():
            key = f"stimulus-{receptor}"
            state = nd.ShortTermState(u.with_unit(jnp.zeros(neuron.varshape), weight_unit))
            self.inputs[receptor] = state
            neuron.add_delta_input(key, (lambda s=state: s.value), label=label)

    def update(self, current, weights):
        for receptor, state in self.inputs.items():
            state.value = u.with_unit(weights[receptor], self.weight_unit)
        if self.before is not None:
            self.before()
        spike = self.neuron(u.with_unit(current, u.pA))
        record = {name: self.neuron.record(name) for name in self.neuron.recordables}
        return record, spike


def simulate(
    neuron,
    protocol: dict,
    weight_unit,
    receptor_labels: dict[int, str | None] | None = None,
    before=None,
):
    """Run ``neuron`` through ``protocol`` (float64); returns (recordings as arrays in
    NEST's units, spike times per neuron). ``before``: a module called (no arguments)
    in every step before the neuron, e.g. a ``GapJunction``."""
    n = neuron.num
    current, spikes = input_arrays(protocol, n)
    labels = receptor_labels if receptor_labels is not None else {0: None}
    for receptor in spikes:
        if receptor not in labels:
            raise ValueError(f"protocol uses receptor {receptor}; give it a label")
    weights = {r: jnp.asarray(spikes.get(r, np.zeros_like(current))) for r in labels}
    driven = _Stimulated(neuron, labels, weight_unit, before=before)
    nd.init_all_states(driven)
    steps = current.shape[0]

    def step(i, current, weights):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(current, weights)

    records, spike = nd.for_loop(step, jnp.arange(steps), jnp.asarray(current), weights)
    out = {}
    for name, value in records.items():
        unit = _NEST_UNITS.get(name, u.UNITLESS)
        out[name] = np.asarray(u.to_float(value, unit) if u.is_quantity(value) else value)
    spike = np.asarray(spike)
    times = (np.arange(steps) + 1) * DT
    spike_times = [times[spike[:, k] > 0] for k in range(n)]
    return out, spike_times


def gap_junctions(protocol: dict) -> tuple[np.ndarray, np.ndarray]:
    """The protocol's gap junctions (each symmetric, as NEST's ``make_symmetric``) as
    ``(pairs, weights)``: an (k, 2) int array of (source, target) and k weights in nS."""
    junctions = protocol.get("gap_junctions", [])
    pairs = np.array([(g["source"], g["target"]) for g in junctions], np.int64).reshape(-1, 2)
    return pairs, np.array([g["weight"] for g in junctions], np.float64)


def nest_spike_times(ref: dict, n_neurons: int) -> list[np.ndarray]:
    times, senders = ref["spike_times"], ref["spike_senders"]
    return [np.sort(times[senders == k]) for k in range(n_neurons)]


_NEST_UNITS = {
    "V_m": u.mV,
    "I_syn_ex": u.pA,
    "I_syn_in": u.pA,
    "g_ex": u.nS,
    "g_in": u.nS,
    "w": u.pA,
    "s_AMPA": u.nS,
    "s_GABA": u.nS,
    "s_NMDA": u.nS,
    "I_AMPA": u.pA,
    "I_GABA": u.pA,
    "I_NMDA": u.pA,
    "U_m": u.mV / u.ms,
    "t_ref_remaining": u.ms,
}


def compare(model: str, name: str, ours: dict, our_spikes, ref: dict, tol_before, tol_after):
    """Spike times equal NEST's (within one step), ``V_m`` within ``tol_before`` (mV) up
    to the first spike and ``tol_after`` afterwards; returns the largest V_m errors."""
    n = ref["V_m"].shape[1]
    theirs = nest_spike_times(ref, n)
    for k in range(n):
        assert len(our_spikes[k]) == len(theirs[k]), (model, name, k, our_spikes[k], theirs[k])
        np.testing.assert_allclose(our_spikes[k], theirs[k], atol=DT + 1e-9)
    errors = np.abs(ours["V_m"] - ref["V_m"])
    first = min((s[0] for s in theirs if len(s)), default=np.inf)
    before = ref["times"] < first - 1e-9
    worst_before = errors[before].max() if before.any() else 0.0
    worst_after = errors[~before].max() if (~before).any() else 0.0
    assert worst_before <= tol_before, (model, name, worst_before)
    assert worst_after <= tol_after, (model, name, worst_after)
    return worst_before, worst_after


# -- inputs by receptor label and connections between the protocol's neurons ------------
# (iaf_bw_2001*: NMDA ports of iaf_bw_2001_exact; neuron 0 -> neuron 1 in iaf_bw_2001)


def nmda_port_inputs(protocol: dict, n_neurons: int) -> tuple[np.ndarray, np.ndarray]:
    """``iaf_bw_2001_exact``'s NMDA input. Every ``spike_generator`` on receptor 3 is its
    own port (NEST gives each NMDA connection its own rport), in the protocol's order.
    Returns the spike multiplicities per step and port, shape (steps, n, ports), and the
    ports' weights (nS)."""
    steps = P.n_steps(protocol)
    generators = [
        stim
        for stim in protocol["stimuli"]
        if stim["device"] == "spike_generator" and stim["syn"].get("receptor_type") == 3
    ]
    counts = np.zeros((steps, n_neurons, len(generators)))
    for port, stim in enumerate(generators):
        delay = stim["syn"].get("delay", DT)
        for t_s in stim["params"]["spike_times"]:
            step = int(round((t_s + delay) / DT)) - 1
            if step < steps:
                counts[step, stim["targets"], port] += 1
    return counts, np.array([stim["syn"]["weight"] for stim in generators])


class _Wired(nd.Module):
    """The neuron, fed per-step delta inputs by label, and the protocol's connections
    between its own neurons, each through a delay line of ``delay / dt`` steps: what
    a neuron sends in step ``i`` is added to its target's input in step ``i + delay/dt``."""

    def __init__(self, neuron, units: dict, shapes: dict, connections: list, payload, extra):
        super().__init__()
        self.neuron, self.units, self.payload, self.extra = neuron, units, payload, extra
        self.inputs = {}
        for label, unit in units.items():
            state = nd.ShortTermState(u.with_unit(jnp.zeros(shapes[label]), unit))
            self.inputs[label] = state
            neuron.add_delta_input(f"stimulus-{label}", (lambda s=state: s.value), label=label)
        labels = {number: name for name, number in neuron.RECEPTOR_TYPES.items()}
        self.lines = []
        for conn in connections:
            syn = conn["syn"]
            receptor = syn.get("receptor_type", 0)
            steps = int(round(syn.get("delay", DT) / DT))
            line = nd.ShortTermState(jnp.zeros((steps, neuron.num)))
            self.lines.append((conn["source"], conn["target"], syn["weight"], receptor,
                               labels[receptor], line))  # fmt: skip

    def update(self, i, current, inputs):
        arriving = {label: jnp.asarray(inputs[label]) for label in self.units}
        for _, target, _, _, label, line in self.lines:
            delivered = line.value[i % line.value.shape[0]]
            arriving[label] = arriving[label].at[target].add(delivered[target])
        for label, state in self.inputs.items():
            state.value = u.with_unit(arriving[label], self.units[label])
        spike = self.neuron(u.with_unit(current, u.pA))
        record = {name: self.neuron.record(name) for name in self.neuron.recordables}
        record.update({name: getattr(self.neuron, name).value for name in self.extra})
        for source, target, weight, receptor, _, line in self.lines:
            sent = weight * self.payload(self.neuron, receptor)[source]
            sent = jnp.zeros(self.neuron.num).at[target].set(sent)
            line.value = line.value.at[i % line.value.shape[0]].set(sent)
        return record, spike


def simulate_wired(neuron, protocol: dict, units: dict, inputs: dict, payload=None, extra=()):
    """Run ``neuron`` through ``protocol`` (float64) with delta inputs by label.

    ``units``: ``{label: unit}`` of every delta input to create; ``inputs``: ``{label:
    per-step magnitudes (steps, ...)}`` (a label missing here gets zeros of the
    population's shape). The currents come from the protocol's devices
    (:func:`input_arrays`); its ``connections`` (neuron to neuron) are added, sending
    ``weight * payload(neuron, receptor_type)[source]`` (default: the spike, 1) to the
    input labelled with the receptor's name. ``extra``: names of further states to record.
    Returns (recordings, spike times per neuron).
    """
    n = neuron.num
    current, _ = input_arrays(protocol, n)
    steps = current.shape[0]
    payload = payload if payload is not None else (lambda nrn, receptor: nrn.spike.value)
    per_step = {
        label: jnp.asarray(inputs[label] if label in inputs else np.zeros((steps, n)))
        for label in units
    }
    shapes = {label: value.shape[1:] for label, value in per_step.items()}
    driven = _Wired(neuron, units, shapes, protocol.get("connections", []), payload, extra)
    nd.init_all_states(driven)

    def step(i, current, inputs):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(i, current, inputs)

    records, spike = nd.for_loop(step, jnp.arange(steps), jnp.asarray(current), per_step)
    out = {}
    for name, value in records.items():
        unit = _NEST_UNITS.get(name, u.UNITLESS)
        out[name] = np.asarray(u.to_float(value, unit) if u.is_quantity(value) else value)
    spike = np.asarray(spike)
    times = (np.arange(steps) + 1) * DT
    return out, [times[spike[:, k] > 0] for k in range(n)]


# -- several protocols in one run --------------------------------------------------------


def merge_protocols(protocols: dict[str, dict]) -> tuple[dict, dict[str, slice]]:
    """The protocols' neurons side by side in one population, so that one compiled run
    replays them all (NEST neurons without connections are independent, and so are
    neurodyn's, each with its own RKF45 step size). Stimuli are retargeted and the
    duration is the longest one. Returns the merged protocol and each protocol's neurons
    as a slice of the population."""
    merged: dict = {"duration": 0.0, "neurons": [], "stimuli": []}
    parts = {}
    for name, protocol in protocols.items():
        if protocol.get("connections") or protocol.get("gap_junctions"):
            raise ValueError(f"protocol {name} connects neurons; it cannot be merged")
        offset = len(merged["neurons"])
        merged["neurons"] += protocol["neurons"]
        for stim in protocol["stimuli"]:
            merged["stimuli"].append(dict(stim, targets=[t + offset for t in stim["targets"]]))
        merged["duration"] = max(merged["duration"], protocol["duration"])
        parts[name] = slice(offset, len(merged["neurons"]))
    return merged, parts


def simulate_protocols(cls, model: str, names, weight_unit, **fixed) -> dict:
    """Replay the protocols ``names`` of ``model`` in one run of a ``cls`` population
    (:func:`merge_protocols`, :func:`build`, :func:`simulate`). Returns, per protocol,
    ``(recordings, spike times per neuron, NEST reference)`` cut to that protocol's
    neurons and duration, ready for :func:`compare`."""
    refs = {name: reference(model, name) for name in names}
    merged, parts = merge_protocols({name: ref["protocol"] for name, ref in refs.items()})
    ours, spikes = simulate(build(cls, model, merged, **fixed), merged, weight_unit)
    out = {}
    for name, ref in refs.items():
        steps, part = len(ref["times"]), parts[name]
        recorded = {key: value[:steps, part] for key, value in ours.items()}
        end = ref["times"][-1] + 1e-9
        out[name] = (recorded, [s[s <= end] for s in spikes[part]], ref)
    return out
