"""What NEST's plastic synapse models share: parameters as data, per-connection
variables, and the two events a rule reacts to.

A synapse model is a rule, not a container: the connections' variables (``weight``,
``Kplus``, ``u``, ...) live in the network's delivery as one array per variable, and
the rule maps their values at the connections an event touches to new values.

* :meth:`SynapseModel.on_pre`: a presynaptic spike with stamp ``t_spike`` reaches
  the synapse (NEST's ``send``): the rule updates the connection and returns the
  weight the spike carries to the target (it arrives ``delay`` later).
* :meth:`SynapseModel.on_post`: a postsynaptic spike is *seen* by the synapse at
  ``t_post + d`` (``d`` the connection's dendritic delay). NEST applies this
  potentiation lazily, at the next presynaptic spike, in the same order; applying it
  when the spike is seen gives the same operations in the same order, so the weight
  after every presynaptic spike (and every transmitted weight) is NEST's.

Times are plain numbers in ms, weights plain numbers in the target's weight unit
(NEST's units); parameters are declared :class:`~neurodyn.core._params.Param`\\ s and
checked on construction and assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp

from ... import units as u
from ...core._errors import ParameterError
from ...core._params import ParamHolder


@dataclass
class PostTrace:
    """The postsynaptic archive read at ``t_spike - d`` (spikes strictly before).

    ``K``: Kminus (each post spike adds 1, decays with ``tau_minus``); ``nearest``:
    ``exp(-(t - t_last_post) / tau_minus)`` (reset to 1 by each spike); ``K_triplet``:
    as ``K`` with ``tau_minus_triplet``; ``spiked``: whether any post spike is counted.
    """

    K: Any
    nearest: Any
    K_triplet: Any


@dataclass
class PostSpike:
    """A postsynaptic spike seen by the synapse at ``t_seen = t_post + d``:
    ``K_triplet`` is the postsynaptic triplet trace just after that spike."""

    t_seen: Any
    K_triplet: Any


class SynapseModel(ParamHolder):
    """Base of NEST's synapse models: name, parameters, per-connection variables.

    Class attributes a model sets:

    - ``VARIABLES``: per-connection variables besides ``weight`` and their NEST
      defaults (``{"Kplus": 0.0}``); they can be given per connection in ``syn_spec``.
    - ``WEIGHT``: NEST's default initial weight.
    - ``T_LAST``: NEST's initial ``t_lastspike_`` (0 ms, or -1 ms for the models that
      treat the first spike specially).
    - ``USES_POST``: the rule reads the postsynaptic spike archive (STDP models).
    - ``WEIGHT_PARAMS``: parameters in the weight's unit (``Wmax``, ``Wmin``).
    - ``USES_TRANSMITTER``: the rule is neuromodulated: it reads the spikes of a
      ``volume_transmitter`` (given to it as ``volume_transmitter``) and integrates
      its connections at the transmitter's triggers (:meth:`on_trigger`).
    """

    VARIABLES: dict[str, float] = {}
    #: per-connection bookkeeping of the implementation (not NEST status entries)
    HIDDEN: dict[str, float] = {}
    WEIGHT: float = 1.0
    T_LAST: float = 0.0
    USES_POST: bool = False
    WEIGHT_PARAMS: tuple[str, ...] = ()
    USES_TRANSMITTER: bool = False

    def __init__(self, **params: Any):
        defaults = dict(self.DEFAULTS)
        unknown = set(params) - set(defaults)
        if unknown:
            raise ParameterError(
                f"{self.name} has no parameter {sorted(unknown)[0]!r}; its parameters are "
                f"{sorted(defaults)} and the connection variables "
                f"{['weight', *self.VARIABLES]}"
            )
        defaults.update(params)
        self.set(**defaults)

    #: NEST's defaults of the parameters, in NEST's units (quantities where they have one).
    DEFAULTS: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return type(self).__name__

    def value(self, key: str) -> float:
        """Parameter ``key`` as a plain number in NEST's unit (ms for times)."""
        value = getattr(self, key)
        return float(u.to_float(value, u.ms)) if u.has_unit(value) else float(value)

    def check_weights(self, weight: Any) -> None:
        """Refuse initial weights the rule's bounds exclude (a model extends this)."""

    def check_variables(self, variables: dict[str, Any]) -> None:
        """Refuse initial values of the connection variables outside their range."""
        for key, value in variables.items():
            if not bool(jnp.all(jnp.isfinite(jnp.asarray(value)))):
                raise ParameterError(f"{self.name}.{key} must be finite, got {value!r}")

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        """New connection variables after a seen postsynaptic spike (default: none)."""
        return v

    def on_trigger(self, v: dict[str, Any], t_trig: Any) -> dict[str, Any]:
        """New connection variables (all connections) at a trigger of the volume
        transmitter at ``t_trig`` (``USES_TRANSMITTER`` models; default: none)."""
        return v

    def on_pre(
        self, v: dict[str, Any], t_last: Any, t_spike: Any, trace: PostTrace | None, rng: Any
    ) -> tuple[dict[str, Any], Any, Any]:
        """``(variables, transmitted weight, sent)`` for a presynaptic spike at
        ``t_spike`` (the previous one at ``t_last``); ``sent`` is ``False`` where the
        spike is not transmitted (a failed release)."""
        raise NotImplementedError


def bounded_weight(model: SynapseModel, weight: Any, low: float, high: float) -> None:
    """Refuse initial weights outside ``[low, high]`` (the rule's bounds)."""
    w = jnp.asarray(weight)
    if bool(jnp.any(w < low)) or bool(jnp.any(w > high)):
        raise ParameterError(
            f"{model.name}: the initial weight must lie within the rule's bounds "
            f"[{low:g}, {high:g}] (Wmax bounds |weight|), got weights in "
            f"[{float(jnp.min(w)):g}, {float(jnp.max(w)):g}]"
        )
