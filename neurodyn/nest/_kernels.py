"""Spike-triggered exponential kernels with list-valued parameters (NEST's ``q_sfa`` /
``tau_sfa``, ``q_stc`` / ``tau_stc``), shared by the GIF models and ``pp_psc_delta``.

A list parameter is fixed at construction (it sets the number of kernels, the length
of the states' last axis); its other axes broadcast to the population shape, as
``tau_syn`` of the multisynapse models does. Each kernel decays by
:math:`e^{-h/\\tau_k}` per step and jumps by :math:`q_k` at every spike. Models with
receptors ``1..n`` (one per entry of such a list) read their spikes with
:func:`receptor_weights`.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import parameter


class KernelList:
    """A list-valued parameter (one value per kernel, or per ``counts``, along the last
    axis), set once at construction; ``None`` or an empty sequence means none, unless
    ``required``. Plain numbers given through the network are in ``unit``."""

    def __init__(
        self, unit: u.Unit, positive: bool = False, counts: str = "kernels", required: bool = False
    ):
        self.unit = unit
        self.positive = positive
        self.counts = counts
        self.required = required

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return obj.__dict__[f"_{self.name}"]

    def __set__(self, obj: Any, value: Any) -> None:
        key = f"_{self.name}"
        if key in obj.__dict__:
            raise ParameterError(
                f"{self.name} is set at construction (it fixes the number of {self.counts}); "
                "create the neuron anew"
            )
        if value is None or (not u.is_quantity(value) and np.size(value) == 0):
            value = u.with_unit(np.zeros(0), self.unit)
        value = parameter(self.name, value, self.unit, shape=None, positive=self.positive)
        shape = np.shape(u.magnitude(value))
        if self.required and (len(shape) == 0 or shape[-1] == 0):
            raise ParameterError(
                f"{self.name} must list one value per {self.counts[:-1]}, got {u.describe(value)}"
            )
        try:
            fits = len(shape) > 0 and (
                np.broadcast_shapes(shape[:-1], obj.varshape) == tuple(obj.varshape)
            )
        except ValueError:
            fits = False
        if not fits:
            raise ParameterError(
                f"{self.name} has shape {shape}: its last axis lists the {self.counts} and the "
                f"others must broadcast to the population shape {tuple(obj.varshape)}"
            )
        obj.__dict__[key] = value


def check_pairs(obj: Any, *pairs: tuple[str, str]) -> None:
    """Raise unless each pair of kernel lists (``q`` and ``tau``) has one value per kernel."""
    for q_name, tau_name in pairs:
        n_q, n_tau = (np.shape(u.magnitude(getattr(obj, n)))[-1] for n in (q_name, tau_name))
        if n_q != n_tau:
            raise ParameterError(
                f"{q_name} and {tau_name} must have the same length, got {n_q} and {n_tau}"
            )


def zeros(obj: Any, name: str, batch_size: int | None) -> Any:
    """Initial (zero) kernel states for the list ``name``: the population shape (with
    the batch axis) plus one axis of kernels."""
    n = np.shape(u.magnitude(getattr(obj, name)))[-1]
    shape = (*((batch_size,) if batch_size is not None else ()), *obj.varshape, n)
    return u.with_unit(jnp.zeros(shape, environ.dftype()), getattr(type(obj), name).unit)


def decay(elements: Any, tau: Any) -> Any:
    """The kernels ``elements`` one step later: each times :math:`e^{-h/\\tau_k}`."""
    h = u.to_float(environ.get_dt(), u.ms)
    tau_ms = jnp.asarray(u.to_float(tau, u.ms), environ.dftype())
    return elements * jnp.exp(-h / tau_ms)


def jump(elements: Any, q: Any, count: Any) -> Any:
    """The kernels after ``count`` spikes (per neuron) add ``count * q_k`` to each."""
    return elements + jnp.asarray(count, environ.dftype())[..., None] * q


def receptor_weights(neuron: Any, unit: u.Unit) -> Any:
    """This step's spike weights (magnitudes in ``unit``) of a neuron with receptors
    ``1..n`` (its ``RECEPTOR_TYPES``), along a last axis of receptors. Unlabelled input
    is refused: such a neuron has no receptor 0."""
    if None in neuron.delta_input_labels():
        raise ParameterError(
            f"{neuron.name}: unlabelled spike input; {type(neuron).__name__} takes spikes on "
            f"receptors {sorted(neuron.RECEPTOR_TYPES)} only (NEST's receptor_type "
            f"1..{len(neuron.RECEPTOR_TYPES)}), label each input with one"
        )
    shape = jnp.shape(u.magnitude(neuron.V.value))
    weights = []
    for label in neuron.RECEPTOR_TYPES:
        w = neuron.spike_inputs(label)
        weights.append(jnp.broadcast_to(u.to_float(w, unit) if u.is_quantity(w) else w, shape))
    return jnp.stack(weights, axis=-1)
