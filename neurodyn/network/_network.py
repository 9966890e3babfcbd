"""A network in NEST's shape: create nodes, connect them, simulate; one scheduler.

:class:`Network` owns time (its clock), the order of the work in a step, and the
compiled program of a simulation. Each step ``i`` (covering ``(t_i, t_i + dt]``):

1. every generator computes what it emits in this step, and every rate connection
   hands its targets their input of this step (:mod:`neurodyn.network._rate_delivery`);
2. every neuron population updates (the spikes and currents that arrive in step
   ``i``, taken out of the ring buffers at the end of step ``i - 1``, are its delta
   and current inputs); astrocytes then send their slow inward currents
   (:mod:`neurodyn.network._sic_delivery`);
3. the spikes of step ``i`` and the generators' output go into the ring buffers of
   their targets, to arrive ``delay >= 1`` steps later, and each buffer's slot of
   step ``i + 1`` is taken out (a ``volume_transmitter`` takes in its arrivals of step
   ``i`` before, and its neurons' spikes and its trigger after; see
   :mod:`neurodyn.network._volume_transmitter`; spikes between precise-timing neurons
   keep their offsets, :mod:`neurodyn.network._precise_delivery`; a binary neuron sends
   its signed state changes);
4. the recorders record.

A spike emitted in step ``i`` with a delay of ``d`` steps is thus seen by its target
in step ``i + d``, as in NEST. ``simulate`` compiles the whole loop into one program
(kept for the next call of the same length) and continues the network's time.
"""

from __future__ import annotations

import inspect
import time
from typing import Any

import jax
import numpy as np

from .. import units as u
from ..connectivity import Connections, connect
from ..core import environ
from ..core._clock import clock_of
from ..core._compiler import compile_program
from ..core._errors import ParameterError, SimulationError
from ..core._loop import for_loop
from ..core._module import Dynamics, Module
from ..core._params import parameters_version
from ..core._state import (
    HiddenState,
    discover_states,
    read_values,
    states_created,
    write_values,
)
from ..nest._base import ArchivingNode
from ..nest._binary import binary_signal
from ..nest.synapses import SYNAPSE_MODELS, SynapseModel
from ..running._runner import _n_steps
from ._delivery import DelayedDelivery
from ._nodes import STATE_NAMES, NodeCollection, nest_units
from ._plastic import PlasticDelivery
from ._precise_delivery import PreciseDelivery, is_precise_connection
from ._rate_delivery import connect_rate, is_rate_connection
from ._recorders import EventRecorder, Recorder, multimeter, spike_recorder, weight_recorder
from ._sic_delivery import connect_sic, is_sic_connection
from ._volume_transmitter import volume_transmitter

#: NEST's default delay of a connection.
DEFAULT_DELAY = 1.0 * u.ms


class Network(Module):
    """Nodes, their connections and one clock; ``simulate`` runs them as NEST does.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> net = nd.Network()
    >>> neurons = net.create("iaf_psc_alpha", 3, {"I_e": 400.0})  # NEST's units: pA
    >>> recorder = net.create("spike_recorder")
    >>> net.connect(neurons, recorder)
    >>> net.simulate(50.0 * u.ms)
    >>> int(recorder.get("n_events")) > 0, net.time
    (True, Quantity(50., "ms"))
    """

    def __init__(self, name: str | None = None):
        super().__init__(name)
        self.populations: list[Dynamics] = []
        self.generators: list[Module] = []
        self.recorders: list[Recorder] = []
        self.transmitters: list[volume_transmitter] = []
        self.deliveries: list[DelayedDelivery | PlasticDelivery] = []
        self.rate_connections: list[Module] = []  # between rate nodes: see _rate_delivery
        self.sic_connections: list[Module] = []  # astrocytes to neurons: see _sic_delivery
        # per delivery: global ids of its source and target nodes, and its synapse model
        self._endpoints: list[tuple[np.ndarray, np.ndarray, str]] = []
        # synapse models by name (NEST's, and copies): (rule class, default parameters)
        self.synapse_models: dict[str, tuple[type[SynapseModel] | None, dict[str, Any]]] = {
            "static_synapse": (None, {}),
            **{name: (cls, {}) for name, cls in SYNAPSE_MODELS.items()},
        }
        # per delivery: the module whose output it routes and, for a device, which part
        # per delivery: the module whose output it routes, for a device which part, and
        # whether a neuron sends its spike offsets (see _spike_output)
        self._sources: list[tuple[Module, tuple[int, int] | None, bool]] = []
        self._device_outputs: dict[int, int] = {}  # outputs of each device so far
        self._next_id = 1
        self._programs: dict[int, Any] = {}
        self._fresh: list[Module] = []  # modules whose states are still to be created
        self.last_timing: dict[str, float] = {}
        clock_of(self)

    # -- building -------------------------------------------------------------------

    def create(
        self, model: Any, n: int = 1, params: dict[str, Any] | None = None
    ) -> NodeCollection:
        """``n`` nodes of ``model`` (a name such as ``'iaf_psc_delta'``,
        ``'poisson_generator'``, ``'spike_recorder'``, or a class), with ``params``
        (plain numbers are in NEST's units). Returns their :class:`NodeCollection`."""
        cls = resolve_model(model)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ParameterError(f"n must be a positive whole number of nodes, got {n!r}")
        if not (self.populations or self.generators or self.recorders or self.transmitters):
            clock_of(self).init_state()  # the first node: the network's time starts now
        params = dict(params or {})
        kwargs, states = _constructor_arguments(cls, params)
        population = issubclass(cls, Dynamics) and "in_size" in inspect.signature(cls).parameters
        if population:
            node = cls(int(n), **kwargs)
            self.populations.append(node)
            nodes = [node]
        else:
            nodes = [cls(**kwargs) for _ in range(n)]
            for device in nodes:
                if isinstance(device, volume_transmitter):
                    self.transmitters.append(device)
                elif isinstance(device, Recorder):
                    self.recorders.append(device)
                else:
                    self.generators.append(device)
        for node in nodes:
            setattr(self, f"node_{self._next_id}", node)
        collection = NodeCollection(self, nodes[0], np.arange(n if population else 1),
                                    self._next_id)  # fmt: skip
        if not population and n > 1:
            collection = _DeviceGroup(self, nodes, self._next_id)
        self._next_id += n
        for node in nodes:
            _create_states(node)
        if states:
            collection.set(states)
        return collection

    def connect(
        self,
        pre: NodeCollection,
        post: NodeCollection,
        conn_spec: Any = "all_to_all",
        syn_spec: dict[str, Any] | None = None,
    ) -> None:
        """Connect ``pre`` to ``post`` (NEST's ``Connect``): neurons to neurons,
        generators to neurons, neurons to a ``spike_recorder``, a ``multimeter`` or
        ``voltmeter`` to neurons. ``conn_spec``: a rule (see
        :func:`neurodyn.connectivity.connect`); ``syn_spec``: ``weight``, ``delay``
        (default 1 ms, NEST's) and ``receptor_type`` (NEST's number or name)."""
        for side, nodes in (("pre", pre), ("post", post)):
            if not isinstance(nodes, NodeCollection) or nodes.network is not self:
                raise ParameterError(f"{side} must be nodes created by this network")
        if isinstance(pre, _DeviceGroup) or isinstance(post, _DeviceGroup):
            pre_parts = pre.parts() if isinstance(pre, _DeviceGroup) else [pre]
            post_parts = post.parts() if isinstance(post, _DeviceGroup) else [post]
            for a in pre_parts:
                for b in post_parts:
                    self.connect(a, b, conn_spec, syn_spec)
            return
        source, target = pre.node, post.node
        if isinstance(target, volume_transmitter) or isinstance(source, volume_transmitter):
            self._connect_transmitter(pre, post, conn_spec, syn_spec)
            return
        if isinstance(target, Recorder) or isinstance(source, Recorder):
            self._connect_recorder(pre, post, conn_spec, syn_spec)
            return
        if is_rate_connection(source, target, syn_spec):
            self.rate_connections.append(connect_rate(self, pre, post, conn_spec, syn_spec))
            return
        if is_sic_connection(syn_spec):
            self.sic_connections.append(connect_sic(self, pre, post, conn_spec, syn_spec))
            return
        if not isinstance(target, Dynamics) or target not in self.populations:
            raise ParameterError(
                f"{type(source).__name__} cannot drive {type(target).__name__}: connections "
                f"end on neuron populations (or on a spike_recorder)"
            )
        if source in self.populations:
            kind, unit = "spike", _weight_unit(target)
        elif source in self.generators:
            kind = getattr(source, "kind", None)
            if kind not in ("spike", "current"):
                raise ParameterError(f"{type(source).__name__} is not a stimulation device")
            unit = _weight_unit(target) if kind == "spike" else u.pA
        else:
            raise ParameterError(f"{type(source).__name__} cannot send to neurons")
        binary = binary_signal(source, target)  # a binary neuron sends its state changes
        syn_spec = dict(syn_spec or {})
        model_name = syn_spec.pop("synapse_model", "static_synapse")
        rule_class, model_defaults = self._synapse_model(model_name)
        syn_spec = {**model_defaults, **syn_spec}
        receptor = _receptor(target, syn_spec.pop("receptor_type", 0))
        recorder = syn_spec.pop("weight_recorder", None)
        synapse_rule, variables = None, {}
        if rule_class is not None:
            synapse_rule, variables = self._plastic_rule(rule_class, source, target, unit, syn_spec)
        default_weight = rule_class.WEIGHT if rule_class is not None else 1.0
        weight = syn_spec.pop("weight", default_weight)
        delay = nest_units(u.ms, syn_spec.pop("delay", DEFAULT_DELAY))
        if syn_spec:
            accepted = "weight, delay, receptor_type, synapse_model"
            if rule_class is not None:
                accepted += ", weight_recorder, " + ", ".join([*rule_class.DEFAULTS, *variables])
            raise ParameterError(
                f"syn_spec has unknown keys {sorted(syn_spec)} for {model_name}; it takes "
                f"{accepted}"
            )
        if recorder is not None and synapse_rule is None:
            raise ParameterError(
                "a weight_recorder records plastic connections; static_synapse has none"
            )
        if kind == "spike":
            weight = _weight(weight, unit, target)
        elif u.has_unit(weight):
            raise ParameterError(
                f"weight of a connection from {type(source).__name__} is a dimensionless "
                f"factor of its current, got {u.describe(weight)}"
            )
        same = source is target and np.array_equal(pre.indices, post.indices)
        rule = connect(len(pre), len(post), conn_spec, {"weight": weight, "delay": delay},
                       same_population=same)  # fmt: skip
        part = None
        if getattr(source, "has_spike_weights", False):
            raise ParameterError(
                "spike_generator.spike_weights are not supported through Connect yet (NEST "
                "sends spikes of each sign to their own receptor); give each sign its own "
                "spike_generator and the weight to the connection"
            )
        if source in self.generators:
            # every connection of a device carries its own realisation (NEST's rule): the
            # device emits one output per connection of all its Connect calls
            offset = self._device_outputs.get(id(source), 0)
            part = (offset, rule.n_connections)
            self._device_outputs[id(source)] = offset + rule.n_connections
            source.bind(offset + rule.n_connections)
            _create_states(source)
            local = Connections(
                np.arange(rule.n_connections), post.indices[rule.post], rule.n_connections,
                target.num, weight=rule.weight, delay=rule.delay,
            )  # fmt: skip
        elif pre.covers_all() and post.covers_all():
            local = rule
        else:
            local = Connections.from_arrays(
                pre.indices[rule.pre], post.indices[rule.post], source.num, target.num,
                weight=rule.weight, delay=rule.delay,
            )  # fmt: skip
        if kind == "spike" and getattr(target, "POSITIVE_WEIGHTS", False):
            _check_non_negative(local.weight, unit, target)
        if synapse_rule is not None:
            synapse_rule.check_weights(u.to_float(local.weight, unit) if u.has_unit(local.weight)
                               else local.weight)  # fmt: skip
            delivery = PlasticDelivery(
                local, target, synapse_rule, variables, receptor, unit,
                recorder=self._weight_recorder(recorder),
                source_ids=self._ids_of(source), target_ids=self._ids_of(target),
            )  # fmt: skip
        elif is_precise_connection(source, target):  # spikes keep their offsets
            delivery = PreciseDelivery(local, source, target, unit)
        else:
            delivery = DelayedDelivery(local, target, kind, receptor, unit)
        _create_states(delivery)
        setattr(self, f"delivery_{len(self.deliveries)}", delivery)
        self.deliveries.append(delivery)
        offsets = getattr(target, "OFFSET_RECEPTORS", {}).get(receptor) == type(source).__name__
        self._sources.append((source, part, offsets or binary))
        source_ids = self._ids_of(source)
        if part is not None:  # a device: one output per connection, all from its one id
            source_ids = np.full(local.n_pre, source_ids[0])
        self._endpoints.append((source_ids, self._ids_of(target), model_name))

    # -- synapse models ---------------------------------------------------------------

    def _synapse_model(self, name: Any) -> tuple[type[SynapseModel] | None, dict[str, Any]]:
        if name not in self.synapse_models:
            raise ParameterError(
                f"unknown synapse_model {name!r}; the models are {sorted(self.synapse_models)}"
            )
        return self.synapse_models[name]

    def set_defaults(self, model: str, params: dict[str, Any]) -> None:
        """Change the defaults of a synapse model (NEST's ``SetDefaults``): parameters,
        initial connection variables, ``weight``, ``delay``, ``receptor_type``,
        ``weight_recorder``. Checked when a connection uses them."""
        cls, defaults = self._synapse_model(model)
        merged = {**defaults, **dict(params)}
        if cls is not None:  # check the parameters now, as NEST does
            known = {*cls.DEFAULTS, *cls.VARIABLES, "weight", "delay", "receptor_type",
                     "weight_recorder"}  # fmt: skip
            if cls.USES_TRANSMITTER:
                known.add("volume_transmitter")
            unknown = sorted(set(merged) - known)
            if unknown:
                raise ParameterError(
                    f"{model} has no parameter {unknown[0]!r}; it takes {sorted(known)}"
                )
            cls(**_rule_params(cls, merged, None))
            if "volume_transmitter" in merged:
                self._transmitter(merged["volume_transmitter"])
        self.synapse_models[model] = (cls, merged)

    def get_defaults(self, model: str) -> dict[str, Any]:
        """A synapse model's defaults (NEST's ``GetDefaults``), in NEST's units."""
        cls, defaults = self._synapse_model(model)
        if cls is None:
            return {"weight": 1.0, "delay": 1.0, **defaults}
        params = {key: _plain(value) for key, value in cls.DEFAULTS.items()}
        return {"weight": cls.WEIGHT, "delay": 1.0, **params, **cls.VARIABLES, **defaults,
                "synapse_model": model}  # fmt: skip

    def copy_model(self, old: str, new: str, params: dict[str, Any] | None = None) -> None:
        """A synapse model ``new`` with the rule and defaults of ``old``, changed by
        ``params`` (NEST's ``CopyModel``)."""
        if new in self.synapse_models:
            raise ParameterError(f"a synapse model named {new!r} exists already")
        cls, defaults = self._synapse_model(old)
        self.synapse_models[new] = (cls, dict(defaults))
        try:
            self.set_defaults(new, dict(params or {}))
        except ParameterError:
            del self.synapse_models[new]
            raise

    def _plastic_rule(
        self,
        cls: type[SynapseModel],
        source: Module,
        target: Module,
        unit: u.Unit,
        syn_spec: dict[str, Any],
    ) -> tuple[SynapseModel, dict]:
        """The rule of a plastic connection, from (and taking out of) ``syn_spec`` its
        parameters and initial connection variables; checks that it can be used here."""
        name = cls.__name__
        if source not in self.populations:
            raise ParameterError(
                f"{name} connects neurons: its rule runs at the spikes of a neuron, and "
                f"{type(source).__name__} is a device (devices use static_synapse; put a "
                "parrot_neuron between)"
            )
        if cls.USES_POST and not isinstance(target, ArchivingNode):
            raise ParameterError(
                f"{name} reads the postsynaptic spike trace, which {type(target).__name__} "
                "does not keep (the target must be a NEST neuron or a parrot_neuron)"
            )
        params = {key: syn_spec.pop(key) for key in list(syn_spec) if key in cls.DEFAULTS}
        variables = {key: syn_spec.pop(key) for key in list(syn_spec) if key in cls.VARIABLES}
        rule = cls(**_rule_params(cls, params, (unit, target)))
        if cls.USES_TRANSMITTER:
            if syn_spec.get("volume_transmitter") is None:
                raise ParameterError(
                    f"no volume transmitter has been assigned to {name}: create a "
                    "volume_transmitter and give it with set_defaults/SetDefaults(model, "
                    "{'volume_transmitter': vt}) (or in syn_spec)"
                )
            rule.volume_transmitter = self._transmitter(syn_spec.pop("volume_transmitter"))
        for key, value in variables.items():
            if u.has_unit(value):
                raise ParameterError(
                    f"{name}.{key} is a plain number (a trace or fraction), got {u.describe(value)}"
                )
        rule.check_variables(variables)
        return rule, variables

    def _transmitter(self, nodes: Any) -> volume_transmitter:
        """The volume_transmitter module of ``nodes`` (one node of this network)."""
        node = nodes.node if isinstance(nodes, NodeCollection) else nodes
        if (
            isinstance(nodes, NodeCollection)
            and (len(nodes) != 1 or isinstance(nodes, _DeviceGroup))
            or not isinstance(node, volume_transmitter)
            or node not in self.transmitters
        ):
            raise ParameterError(
                "volume_transmitter must be a single volume_transmitter created by this "
                f"network, got {nodes!r}"
            )
        return node

    def _connect_transmitter(self, pre: NodeCollection, post: NodeCollection, conn_spec: Any,
                             syn_spec: Any) -> None:  # fmt: skip
        """Neurons -> a volume_transmitter (static_synapse; only the delay matters)."""
        if isinstance(pre.node, volume_transmitter) or pre.node not in self.populations:
            raise ParameterError(
                f"cannot connect {pre.model} to {post.model}: a volume_transmitter receives "
                "the spikes of neurons and sends to no node (synapses use it through "
                "their 'volume_transmitter')"
            )
        syn_spec = dict(syn_spec or {})
        model = syn_spec.pop("synapse_model", "static_synapse")
        if model != "static_synapse":
            raise ParameterError(
                f"neurons are connected to a volume_transmitter with static_synapse, got {model!r}"
            )
        syn_spec.pop("weight", None)  # NEST's volume transmitter counts spikes only
        if syn_spec.pop("receptor_type", 0) not in (0, None):
            raise ParameterError("a volume_transmitter has only receptor_type 0")
        delay = nest_units(u.ms, syn_spec.pop("delay", DEFAULT_DELAY))
        if syn_spec:
            raise ParameterError(
                f"syn_spec has unknown keys {sorted(syn_spec)} for a connection to a "
                "volume_transmitter; it takes delay (and weight, ignored)"
            )
        rule = connect(len(pre), len(post), conn_spec, {"weight": 1.0, "delay": delay})
        delays = np.broadcast_to(
            np.asarray(rule.delay_steps(environ.get_dt()), np.int64), (rule.n_connections,)
        )
        step = int(clock_of(self).step.value)
        post.node.add_source(pre.node, pre.indices[rule.pre], delays, step)

    @property
    def min_delay(self) -> Any:
        """NEST's ``min_delay``: the smallest delay of all connections (``dt`` when
        there are none)."""
        dt = float(u.to_float(environ.get_dt(), u.ms))
        return u.with_unit(self._min_delay_steps() * dt, u.ms)

    def _min_delay_steps(self) -> int:
        found = [int(np.min(np.asarray(d.delay.value))) for d in self.deliveries
                 if np.size(d.delay.value)]  # fmt: skip
        found += [d for vt in self.transmitters if (d := vt.min_delay_steps()) is not None]
        return min(found) if found else 1

    def _weight_recorder(self, recorder: Any) -> weight_recorder | None:
        if recorder is None:
            return None
        node = recorder.node if isinstance(recorder, NodeCollection) else recorder
        if not isinstance(node, weight_recorder) or node not in self.recorders:
            raise ParameterError(
                f"weight_recorder must be a weight_recorder created by this network, got "
                f"{recorder!r}"
            )
        return node

    def _ids_of(self, node: Module) -> np.ndarray:
        for name, child in vars(self).items():
            if child is node and name.startswith("node_"):
                first = int(name.removeprefix("node_"))
                return first + np.arange(getattr(node, "num", 1))
        raise ParameterError(f"{type(node).__name__} is not a node of this network")

    def get_connections(self, source: NodeCollection | None = None,
                        target: NodeCollection | None = None,
                        synapse_model: str | None = None) -> SynapseCollection:  # fmt: skip
        """The connections from ``source`` to ``target`` (all if ``None``) of
        ``synapse_model`` (NEST's ``GetConnections``), in the order they were made."""
        parts = []
        for delivery, (src_ids, tgt_ids, model) in zip(self.deliveries, self._endpoints,
                                                        strict=True):  # fmt: skip
            if synapse_model is not None and model != synapse_model:
                continue
            pre, post = _pairs(delivery)
            chosen = np.ones(len(pre), bool)
            if source is not None:
                chosen &= np.isin(src_ids[pre], source.ids)
            if target is not None:
                chosen &= np.isin(tgt_ids[post], target.ids)
            if chosen.any():
                parts.append((delivery, np.flatnonzero(chosen), src_ids, tgt_ids, model))
        return SynapseCollection(parts)

    def _connect_recorder(self, pre: NodeCollection, post: NodeCollection, conn_spec: Any,
                          syn_spec: Any) -> None:  # fmt: skip
        if conn_spec not in ("all_to_all", None) or syn_spec:
            raise ParameterError("a recorder is connected with the default all_to_all rule only")
        if isinstance(pre.node, weight_recorder) or isinstance(post.node, weight_recorder):
            raise ParameterError(
                "a weight_recorder is not connected: give it to the plastic connections as "
                "syn_spec={'weight_recorder': wr} (or in the synapse model's defaults)"
            )
        if isinstance(post.node, spike_recorder) and pre.node in self.populations:
            post.node.connect_source(pre.node, pre.indices, pre.ids)
        elif isinstance(pre.node, multimeter) and post.node in self.populations:
            pre.node.connect_source(post.node, post.indices, post.ids)
            pre.node.check_sources()
        else:
            raise ParameterError(
                f"cannot connect {pre.model} to {post.model}: neurons go to a spike_recorder, "
                "a multimeter or voltmeter goes to neurons"
            )

    # -- running --------------------------------------------------------------------

    @property
    def time(self) -> Any:
        """The network's current time."""
        clock = clock_of(self)
        return u.with_unit(float(int(clock.step.value)) * float(u.to_float(clock.dt, u.ms)), u.ms)

    def update(self) -> None:
        """One step, in the order of the module docstring."""
        emitted = {id(g): g.update() for g in self.generators}
        for connection in self.rate_connections:  # what rate nodes send in this step
            connection.update()
        for population in self.populations:
            population.update()
        for transmitter in self.transmitters:
            transmitter.arrive()
        for connection in self.sic_connections:  # the astrocytes' SIC of this step
            connection.send_sic()
        for delivery, (source, part, offsets) in zip(self.deliveries, self._sources, strict=True):
            if isinstance(delivery, PreciseDelivery):
                delivery.send_from(source)
                continue
            if part is None:
                delivery.send(source.spike_offset.value if offsets else source.spike.value)
                continue
            output = emitted[id(source)]
            if np.ndim(u.magnitude(output)):  # one output per connection
                output = output[part[0] : part[0] + part[1]]
            delivery.send(output)
        for transmitter in self.transmitters:
            transmitter.receive()
            transmitter.finish()
        for recorder in self.recorders:
            recorder.record()

    def simulate(self, duration: Any) -> None:
        """Advance the network by ``duration`` (a time, or a number of ms as in NEST),
        continuing its time; the recorders keep what they recorded. The timings of the
        call are in ``last_timing`` (``compile_s``, ``simulate_s``)."""
        n_steps = _n_steps(nest_units(u.ms, duration))
        clock = clock_of(self)
        clock.check_settings(self.name)
        first = int(clock.step.value)
        dt_s = float(u.to_float(environ.get_dt(), u.second))
        for recorder in self.recorders:
            if isinstance(recorder, multimeter):
                recorder.prepare(first, n_steps)
            elif isinstance(recorder, EventRecorder) and hasattr(recorder, "n_sources"):
                # room for 100 Hz, more on demand
                recorder.reserve(int(recorder.n_sources * n_steps * dt_s * 100.0) + 1024)
        if self.transmitters:  # their trigger period is counted in min_delay
            min_delay = self._min_delay_steps()
            for transmitter in self.transmitters:
                transmitter.prepare(min_delay)
        compile_s = 0.0
        while True:
            states, program, compile_time = self._program(n_steps)
            compile_s += compile_time
            before = read_values(states)
            start = time.perf_counter()
            try:
                after = jax.block_until_ready(program(before))
            except BaseException:
                write_values(states, before)
                raise
            write_values(states, after)
            simulate_s = time.perf_counter() - start
            needed = {r: int(r.count.value) for r in self.recorders
                      if isinstance(r, EventRecorder) and r.overflowed()}  # fmt: skip
            if not needed:
                break
            write_values(states, before)  # run the call again with room for every event
            for recorder, count in needed.items():
                recorder.reserve(2 * count)
        self.last_timing = {"compile_s": compile_s, "simulate_s": simulate_s}
        self._check_finite(states, before)
        for recorder in self.recorders:
            recorder.collect()

    def _program(self, n_steps: int) -> tuple[list, Any, float]:
        """The states a simulation of ``n_steps`` carries and its compiled program
        (values before → values after), built once per length and kept while no state
        is added and no parameter changes; and the seconds spent compiling now."""
        version = (states_created(), parameters_version())
        cached = self._programs.get(n_steps)
        if cached is not None and cached[0] == version:
            return cached[1], cached[2], 0.0

        def body() -> None:
            for_loop(self.update, length=n_steps, clock=self)

        states, _ = discover_states(body)

        def pure(values: list) -> list:
            write_values(states, values)
            body()
            return read_values(states)

        values = read_values(states)
        start = time.perf_counter()
        try:
            program = compile_program(pure, values)
        finally:
            write_values(states, values)  # tracing left tracers in the states
        self._programs[n_steps] = (version, states, program)
        return states, program, time.perf_counter() - start

    def _check_finite(self, states: list, before: list) -> None:
        for _, module in self.modules():
            try:
                module.check_health()
            except SimulationError:
                write_values(states, before)
                raise
        for path, state in self.states(HiddenState).items():
            for leaf in jax.tree_util.tree_leaves(state.value):
                if np.issubdtype(leaf.dtype, np.inexact) and not bool(np.isfinite(leaf).all()):
                    write_values(states, before)
                    raise SimulationError(
                        f"state {path} became non-finite (NaN or inf) during simulate: the "
                        "network blew up; it is left as it was before the call. Check "
                        "parameters and weights, or use a smaller dt."
                    )


class _DeviceGroup(NodeCollection):
    """Several devices created together: each its own module."""

    def __init__(self, network: Network, devices: list[Module], first_id: int):
        super().__init__(network, devices[0], np.arange(len(devices)), first_id)
        self.devices = devices

    def parts(self) -> list[NodeCollection]:
        return [NodeCollection(self.network, d, np.arange(1), self.first_id + k)
                for k, d in enumerate(self.devices)]  # fmt: skip

    def __getitem__(self, key: Any) -> NodeCollection:
        chosen = np.arange(len(self.devices))[key]
        chosen = np.atleast_1d(chosen)
        if len(chosen) == 1:
            k = int(chosen[0])
            return NodeCollection(self.network, self.devices[k], np.arange(1), self.first_id + k)
        return _DeviceGroup(self.network, [self.devices[k] for k in chosen], self.first_id)

    def get(self, *keys: str) -> Any:
        return [part.get(*keys) for part in self.parts()]

    def set(self, params: dict[str, Any] | None = None, **values: Any) -> None:
        for part in self.parts():
            part.set(params, **values)


def resolve_model(model: Any) -> type:
    """The class of a model given by NEST's name (neurons in :mod:`neurodyn.nest`,
    generators in :mod:`neurodyn.devices`, recorders here) or as a class."""
    if inspect.isclass(model) and issubclass(model, Module):
        return model
    if not isinstance(model, str):
        raise ParameterError(f"model must be a model's name or class, got {model!r}")
    from .. import devices, nest
    from . import _recorders, _volume_transmitter

    for namespace in (nest, devices, _recorders, _volume_transmitter):
        cls = getattr(namespace, model, None)
        if inspect.isclass(cls) and issubclass(cls, Module) and not model.startswith("_"):
            return cls
    known = sorted(
        name
        for namespace in (nest, devices)
        for name in getattr(namespace, "__all__", ())
        if name[0].islower()
    ) + ["multimeter", "spike_recorder", "voltmeter", "volume_transmitter", "weight_recorder"]
    raise ParameterError(f"unknown model {model!r}; the models are {', '.join(known)}")


def _constructor_arguments(cls: type, params: dict[str, Any]) -> tuple[dict, dict]:
    """Split a NEST status dict into constructor arguments (plain numbers in the
    declared units) and initial states set after creation."""
    accepted = inspect.signature(cls).parameters
    declared = cls.declared_params()
    kwargs, states = {}, {}
    for key, value in params.items():
        if key in accepted and key not in ("in_size", "name"):
            # declared parameters, and list parameters (e.g. tau_syn), know their unit
            unit = (
                declared[key].unit
                if key in declared
                else getattr(inspect.getattr_static(cls, key, None), "unit", None)
            )
            kwargs[key] = nest_units(unit, value) if unit is not None else value
        elif key in STATE_NAMES or key in declared:
            states[key] = value
        else:
            raise ParameterError(
                f"{cls.__name__} has no parameter {key!r}; it takes "
                f"{', '.join(k for k in accepted if k not in ('in_size', 'name'))}"
            )
    return kwargs, states


def _create_states(module: Module) -> None:
    """Create the states of ``module`` and its submodules now (NEST nodes have their
    state from creation on)."""
    for _, child in reversed(list(module.modules())):
        child.init_state()


def _weight_unit(target: Module) -> u.Unit:
    unit = getattr(target, "WEIGHT_UNIT", None)
    if unit is None:
        raise ParameterError(
            f"{type(target).__name__} does not say in which unit it takes spike weights "
            "(connect NEST models, or use the module API for other models)"
        )
    return unit


def _check_non_negative(weight: Any, unit: Any, target: Any) -> None:
    """NEST's rule for its conductance-based multi-receptor models: no negative weight
    (NEST raises when such a spike arrives; here the connection is refused)."""
    values = np.asarray(u.to_float(weight, unit) if u.has_unit(weight) else weight)
    if (values < 0).any():
        raise ParameterError(
            f"{type(target).__name__} takes non-negative weights only (NEST's rule: its "
            f"receptors are conductances, inhibition is a receptor with a low E_rev), got "
            f"{values.min():g} {unit}"
        )


def _weight(weight: Any, unit: u.Unit, target: Module) -> Any:
    if hasattr(weight, "sample"):  # a distribution: it carries its own unit
        return weight
    weight = nest_units(unit, weight)
    if not u.same_dimension(u.with_unit(1.0, u.get_unit(weight)), unit):
        raise ParameterError(
            f"weight must be in units of {unit} for {type(target).__name__} (its spikes "
            f"change {'V_m' if u.same_dimension(1.0 * unit, u.mV) else 'a synaptic variable'} "
            f"in {unit}), got {u.describe(weight)}"
        )
    return weight


def _receptor(target: Module, receptor_type: Any) -> str | None:
    receptors = getattr(target, "RECEPTOR_TYPES", {})
    if receptor_type in (0, None):
        return None
    if isinstance(receptor_type, str) and receptor_type in receptors:
        return receptor_type
    by_number = {number: name for name, number in receptors.items() if number}
    if receptor_type in by_number:
        return by_number[receptor_type]
    raise ParameterError(
        f"{type(target).__name__} has no receptor_type {receptor_type!r}; its receptors are "
        f"{by_number or {0: 'default'}}"
    )


class SynapseCollection:
    """Connections chosen by :meth:`Network.get_connections` (NEST's
    ``SynapseCollection``): ``get`` reads ``source``, ``target``, ``weight``,
    ``delay`` (ms), ``synapse_model`` and a plastic model's connection variables
    (``Kplus``, ``u``, ``x``, ...) as arrays, in NEST's units."""

    def __init__(self, parts: list[tuple]):
        self.parts = parts

    def __len__(self) -> int:
        return int(sum(len(chosen) for _, chosen, *_ in self.parts))

    def get(self, *keys: str) -> Any:
        """One key: its array; several: a dict of arrays."""
        if not keys:
            keys = ("source", "target", "weight", "delay", "synapse_model")
        values = {key: self._get(key) for key in keys}
        return values[keys[0]] if len(keys) == 1 else values

    def _get(self, key: str) -> np.ndarray:
        columns = []
        for delivery, chosen, src_ids, tgt_ids, model in self.parts:
            pre, post = _pairs(delivery)
            if key == "source":
                columns.append(src_ids[pre[chosen]])
            elif key == "target":
                columns.append(tgt_ids[post[chosen]])
            elif key == "synapse_model":
                columns.append(np.array([model] * len(chosen)))
            elif key == "delay":
                dt = float(u.to_float(environ.get_dt(), u.ms))
                delay = np.broadcast_to(np.asarray(delivery.delay.value), (len(pre),))
                columns.append(delay[chosen] * dt)
            elif isinstance(delivery, PlasticDelivery) and key in delivery.model.VARIABLES:
                columns.append(np.asarray(getattr(delivery, f"var_{key}").value)[chosen])
            elif key == "weight":
                state = delivery.var_weight if isinstance(delivery, PlasticDelivery) else (
                    delivery.weight)  # fmt: skip
                columns.append(np.broadcast_to(np.asarray(state.value), (len(pre),))[chosen])
            else:
                raise ParameterError(
                    f"connections of {model} have no entry {key!r}; they have source, target, "
                    "weight, delay, synapse_model"
                    + (
                        ", " + ", ".join(delivery.model.VARIABLES)
                        if isinstance(delivery, PlasticDelivery)
                        else ""
                    )  # fmt: skip
                )
        return np.concatenate(columns) if columns else np.zeros(0)


def _pairs(delivery: Module) -> tuple[np.ndarray, np.ndarray]:
    """Each connection's (source index, target index), local to the two nodes."""
    indptr = np.asarray(delivery.indptr.value)
    pre = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    post = np.asarray(delivery.post.value if isinstance(delivery, PlasticDelivery)
                      else delivery.indices.value)  # fmt: skip
    return pre, post


def _plain(value: Any) -> Any:
    return float(u.to_float(value, u.ms)) if u.has_unit(value) else value


def _rule_params(cls: type[SynapseModel], params: dict[str, Any],
                 weight_context: tuple[u.Unit, Module] | None) -> dict[str, Any]:  # fmt: skip
    """Parameters of ``cls`` from a status dict: plain numbers in NEST's units (ms for
    times; the weight's unit for ``Wmax``-like ones, as numbers in that unit)."""
    declared = cls.declared_params()
    out = {}
    for key, value in params.items():
        if key not in cls.DEFAULTS:
            continue
        if key in cls.WEIGHT_PARAMS:
            if weight_context is not None and u.has_unit(value):
                unit, target = weight_context
                value = u.to_float(_weight(value, unit, target), unit)
            elif u.has_unit(value):
                value = u.magnitude(value)
        else:
            value = nest_units(declared[key].unit, value)
        out[key] = value
    return out
