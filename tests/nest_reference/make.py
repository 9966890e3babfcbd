"""Regenerate the NEST reference data in ``data/<model>.npz``.

Needs NEST (``bash benchmarks/setup_peers.sh nest``); run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest_reference/make.py [model ...]

Every protocol of ``protocols.PROTOCOLS[model]`` is one fresh NEST kernel: the neurons,
their stimulus devices, a multimeter recording every recordable at ``DT`` and a spike
recorder. NEST is imported inside ``main`` only, so that this file can be imported (e.g.
by pytest's doctest collection) where NEST is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location(
    "nest_reference_protocols", Path(__file__).with_name("protocols.py")
)
protocols = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(protocols)

# Status entries that are bookkeeping of the NEST kernel, not model parameters or state.
_IGNORED_STATUS = {
    "element_type",
    "elementsize",
    "global_id",
    "local",
    "model_id",
    "thread",
    "thread_local_id",
    "vp",
}
_KERNEL_KEYS = [
    "resolution",
    "min_delay",
    "max_delay",
    "local_num_threads",
    "use_wfr",
    "wfr_comm_interval",
    "wfr_tol",
    "wfr_max_iterations",
    "wfr_interpolation_order",
]


def _jsonable(status: dict) -> dict:
    """The scalar (and dict-of-scalar, e.g. receptor_types) entries of a NEST status."""
    out = {}
    for key, value in sorted(status.items()):
        if key in _IGNORED_STATUS:
            continue
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, bool | int | float | str):
            out[key] = value
        elif isinstance(value, dict) and all(
            isinstance(v, bool | int | float | str) for v in value.values()
        ):
            out[key] = dict(value)
    return out


def _text(obj) -> np.ndarray:
    return np.array(json.dumps(obj, sort_keys=True))


def run_protocol(nest, model: str, protocol: dict) -> dict[str, np.ndarray]:
    """Simulate one protocol in a fresh kernel; returns the arrays to store (no prefix)."""
    dt = protocols.DT
    nest.ResetKernel()
    nest.set(resolution=dt, local_num_threads=1, **protocol["kernel"])

    neurons = nest.Create(model, len(protocol["neurons"]))
    for i, overrides in enumerate(protocol["neurons"]):
        if overrides:
            neurons[i].set(overrides)
    for stim in protocol["stimuli"]:
        device = nest.Create(stim["device"], params=stim["params"])
        for target in stim["targets"]:
            nest.Connect(device, neurons[target], syn_spec=dict(stim["syn"]))
    for conn in protocol["connections"]:
        nest.Connect(neurons[conn["source"]], neurons[conn["target"]], syn_spec=dict(conn["syn"]))
    for gap in protocol["gap_junctions"]:
        nest.Connect(
            neurons[gap["source"]],
            neurons[gap["target"]],
            {"rule": "one_to_one", "make_symmetric": True},
            {"synapse_model": "gap_junction", "weight": gap["weight"]},
        )

    recordables = [str(r) for r in nest.GetDefaults(model)["recordables"]]
    multimeter = nest.Create("multimeter", params={"interval": dt, "record_from": recordables})
    nest.Connect(multimeter, neurons)
    spike_recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, spike_recorder)

    neuron_status = [_jsonable(neurons[i].get()) for i in range(len(neurons))]

    # The multimeter delivers its data one min_delay late: simulate past the end and cut.
    n = protocols.n_steps(protocol)
    nest.Simulate(protocol["duration"] + nest.min_delay)
    kernel_values = nest.GetKernelStatus(_KERNEL_KEYS)
    kernel_status = _jsonable(dict(zip(_KERNEL_KEYS, kernel_values, strict=True)))

    first_id = neurons[0].global_id
    events = multimeter.events
    senders = np.asarray(events["senders"]) - first_id
    times = np.asarray(events["times"], dtype=np.float64)
    out: dict[str, np.ndarray] = {}
    for rec in recordables:
        columns = []
        for i in range(len(neurons)):
            mask = senders == i
            order = np.argsort(times[mask], kind="stable")
            t_i = times[mask][order][:n]
            if len(t_i) != n or not np.allclose(t_i, dt * np.arange(1, n + 1), atol=1e-9):
                raise RuntimeError(f"{model}: unexpected multimeter times for neuron {i}")
            columns.append(np.asarray(events[rec], dtype=np.float64)[mask][order][:n])
            out["times"] = t_i
        out[rec] = np.stack(columns, axis=1)

    spikes = spike_recorder.events
    steps = np.asarray(spikes["times"], dtype=np.int64)
    index = np.asarray(spikes["senders"], dtype=np.int64) - first_id
    offsets = np.asarray(spikes["offsets"], dtype=np.float64)
    keep = steps <= n
    order = np.lexsort((index[keep], steps[keep]))
    out["spike_steps"] = steps[keep][order]
    out["spike_times"] = out["spike_steps"] * dt
    out["spike_senders"] = index[keep][order]
    out["spike_offsets"] = offsets[keep][order]
    out["protocol_json"] = _text(protocol)
    out["neuron_status_json"] = _text(neuron_status)
    out["kernel_status_json"] = _text(kernel_status)
    return out


def make(nest, model: str) -> Path:
    nest.ResetKernel()
    defaults = nest.GetDefaults(model)
    recordables = [str(r) for r in defaults["recordables"]]
    if recordables != protocols.RECORDABLES[model]:
        raise RuntimeError(f"{model}: NEST recordables {recordables} differ from protocols.py")
    arrays: dict[str, np.ndarray] = {
        "model": np.array(model),
        "nest_version": np.array(nest.__version__),
        "dt": np.array(protocols.DT),
        "recordables": np.array(recordables),
        "defaults_json": _text(_jsonable(defaults)),
        "protocol_names_json": _text(list(protocols.PROTOCOLS[model])),
    }
    summary = []
    for name, protocol in protocols.PROTOCOLS[model].items():
        result = run_protocol(nest, model, protocol)
        arrays.update({f"{name}/{key}": value for key, value in result.items()})
        counts = np.bincount(result["spike_senders"], minlength=len(protocol["neurons"]))
        summary.append(f"{name}: spikes per neuron {counts.tolist()}")
    path = protocols.data_path(model)
    path.parent.mkdir(exist_ok=True)
    np.savez_compressed(path, **arrays)
    print(f"{model}: {path.stat().st_size / 1024:.0f} kB; " + "; ".join(summary))
    return path


def main(argv: list[str]) -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    if nest.__version__ != protocols.NEST_VERSION:
        print(f"warning: NEST {nest.__version__}, the data were made with {protocols.NEST_VERSION}")
    models = argv or protocols.MODELS
    unknown = [m for m in models if m not in protocols.PROTOCOLS]
    if unknown:
        raise SystemExit(f"unknown models {unknown}; known: {protocols.MODELS}")
    for model in models:
        make(nest, model)


if __name__ == "__main__":
    main(sys.argv[1:])
