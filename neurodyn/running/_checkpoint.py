"""Checkpoints: a model's whole simulation state in one file, and back.

A checkpoint is a NumPy ``.npz`` archive that loads without executing code (no
pickle): one array per leaf of every state of ``model.states()`` (the clock's
``step`` included, so the time goes on where it stopped), the key of the default
random stream, and a metadata record (JSON text) with each leaf's unit, dtype and
shape, the precision, ``dt`` and the format version.

=====================  =============================================================
archive entry          content
=====================  =============================================================
``<path>``             the value of state ``<path>`` (e.g. ``N.V``), in its unit
``<path>/<k>``         leaf ``k`` of a state whose value is a pytree of several leaves
``@random_key``        ``nd.random.DEFAULT.key``
``@meta``              JSON: ``format``, ``version``, ``precision``, ``dt_ms``, and for
                       each state path its ``treedef`` and leaves (``key``, ``unit``
                       (``null`` for a plain array), ``dtype``, ``shape``)
=====================  =============================================================

Loading restores into a freshly built model of the same construction whose states
exist (``nd.init_all_states(model)``): every state path, leaf shape, dtype and unit
and the settings must match, or nothing changes.

>>> import tempfile, os
>>> import neurodyn as nd
>>> from neurodyn import units as u
>>> lif = nd.init_all_states(nd.LIF(3))
>>> _ = nd.run(lif, 1. * u.ms)
>>> path = os.path.join(tempfile.mkdtemp(), "lif.npz")
>>> _ = nd.save_checkpoint(lif, path)
>>> fresh = nd.init_all_states(nd.LIF(3))
>>> nd.load_checkpoint(fresh, path)
>>> int(fresh.clock.step.value)
10
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._clock import Clock
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._state import State, write_values

__all__ = ["save_checkpoint", "load_checkpoint"]

FORMAT = "neurodyn-checkpoint"
VERSION = 1
_META = "@meta"  # reserved archive keys start with "@", which no attribute path does
_RANDOM_KEY = "@random_key"


def save_checkpoint(model: Module, path: str | os.PathLike) -> Path:
    """Write the simulation state of ``model`` to the file ``path``.

    Saves every state of ``model.states()`` (the clock's ``step``, hence ``t``,
    included), the default random stream's key, and the metadata
    :func:`load_checkpoint` checks (units, dtypes, shapes, precision, ``dt``). The file
    is a NumPy ``.npz`` archive without pickled objects, written under exactly the
    name ``path`` (no extension is added); an existing file is replaced only once the
    new one is complete.

    Parameters
    ----------
    model : Module
        A model whose states exist (``nd.init_all_states(model)``).
    path : str or path-like
        The file to write.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        If the model has no states yet, or ``dt`` or the precision changed since
        they were created.
    """
    clock = model.__dict__.get("clock")
    if not isinstance(clock, Clock):
        raise ParameterError(
            f"model {model.name} has no states to save yet; call nd.init_all_states(model) first"
        )
    clock.check_settings(model.name)
    arrays: dict[str, np.ndarray] = {}
    states_meta: dict[str, Any] = {}
    for state_path, state in model.states().items():
        leaves, treedef = _flatten(state)
        entries = []
        for k, leaf in enumerate(leaves):
            key = state_path if len(leaves) == 1 else f"{state_path}/{k}"
            array = _magnitude_array(leaf)
            arrays[key] = array
            entries.append(
                {
                    "key": key,
                    "unit": _unit_text(leaf),
                    "dtype": array.dtype.name,
                    "shape": list(array.shape),
                }
            )
        states_meta[state_path] = {"treedef": str(treedef), "leaves": entries}
    random_key = np.asarray(nd_random.DEFAULT.key._value)
    arrays[_RANDOM_KEY] = random_key
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "precision": environ.get_precision(),
        "dt_ms": float(u.to_float(environ.get_dt(), u.ms)),
        "random_key": {"dtype": random_key.dtype.name, "shape": list(random_key.shape)},
        "states": states_meta,
    }
    arrays[_META] = np.array(json.dumps(meta))
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as file:
            np.savez(file, allow_pickle=False, **arrays)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return path


def load_checkpoint(model: Module, path: str | os.PathLike) -> None:
    """Restore the simulation state saved by :func:`save_checkpoint` into ``model``.

    ``model`` must be built the same way as the saved one, with its states created
    (``nd.init_all_states(model)``), under the ``dt`` and precision of the checkpoint.
    Every check is made before anything is written: on an error the model and the
    random stream are unchanged. Then every state takes its saved value (in the
    saved unit) and the default random stream its saved key, so the next
    :func:`~neurodyn.run` continues the saved simulation bit for bit.

    Parameters
    ----------
    model : Module
        The model to restore into.
    path : str or path-like
        A checkpoint file.

    Raises
    ------
    ParameterError
        If ``path`` is not a neurodyn checkpoint (or one of another format version),
        ``dt`` or the precision differ from the checkpoint's, the model's state paths
        differ from the saved ones, or a state's structure, shape, dtype or unit
        differs; the message names the setting or state path and both values.
    OSError
        If the file cannot be read.
    """
    arrays, meta = _read(Path(path))
    dt_now = float(u.to_float(environ.get_dt(), u.ms))
    if meta["dt_ms"] != dt_now:
        raise ParameterError(
            f"checkpoint {path} was saved with dt = {meta['dt_ms']:g} ms, but dt is now "
            f"{dt_now:g} ms; set nd.environ.set(dt={meta['dt_ms']!r} * u.ms) before building "
            f"the model"
        )
    if meta["precision"] != environ.get_precision():
        raise ParameterError(
            f"checkpoint {path} was saved with precision = {meta['precision']} bits, but "
            f"precision is now {environ.get_precision()} bits; set "
            f"nd.environ.set(precision={meta['precision']}) before building the model"
        )
    if not isinstance(model.__dict__.get("clock"), Clock):
        raise ParameterError(
            f"model {model.name} has no states to restore into; call "
            f"nd.init_all_states(model) before load_checkpoint"
        )
    states = model.states()
    saved_meta: dict[str, Any] = meta["states"]
    missing, extra = sorted(set(saved_meta) - set(states)), sorted(set(states) - set(saved_meta))
    if missing or extra:
        raise ParameterError(
            f"checkpoint {path} does not fit model {model.name}: states in the checkpoint "
            f"only: {missing or 'none'}; states in the model only: {extra or 'none'}"
        )
    targets: list[State] = []
    values: list[Any] = []
    for state_path, state in states.items():
        targets.append(state)
        values.append(_restored(state_path, state, saved_meta[state_path], arrays))
    random_key = np.asarray(nd_random.DEFAULT.key._value)
    saved_key = arrays[_RANDOM_KEY]
    if saved_key.shape != random_key.shape or saved_key.dtype != random_key.dtype:
        raise ParameterError(
            f"random key: the checkpoint's has shape {saved_key.shape} and dtype "
            f"{saved_key.dtype}, the default stream's {random_key.shape} and {random_key.dtype}"
        )
    targets.append(nd_random.DEFAULT.key)
    values.append(jnp.asarray(saved_key))
    write_values(targets, values)


def _flatten(state: State) -> tuple[list[Any], Any]:
    return jax.tree_util.tree_flatten(state._value, is_leaf=u.is_quantity)


def _magnitude_array(leaf: Any) -> np.ndarray:
    """The leaf's numbers in its own unit, as a NumPy array of the dtype JAX computes
    with (a Python float is float32 at 32-bit precision, as inside a run)."""
    return np.asarray(u.magnitude(leaf), dtype=_dtype(leaf))


def _dtype(leaf: Any) -> np.dtype:
    return np.dtype(jnp.result_type(u.magnitude(leaf)))


def _unit_text(leaf: Any) -> str | None:
    """The unit of a quantity as text; ``None`` for a plain array."""
    return str(u.get_unit(leaf)) if u.is_quantity(leaf) else None


def _read(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and metadata of checkpoint ``path`` (read without pickle)."""
    not_checkpoint = f"{path} is not a neurodyn checkpoint (written by nd.save_checkpoint)"
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ParameterError(f"{not_checkpoint}: it is not a NumPy .npz archive") from error
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise ParameterError(f"{not_checkpoint}: it holds a single array, not an archive")
    with loaded as archive:
        try:
            arrays = {key: archive[key] for key in archive.files}
        except ValueError as error:  # e.g. an object array, which would need pickle
            raise ParameterError(f"{not_checkpoint}: {error}") from error
    try:
        meta = json.loads(str(arrays.pop(_META)))
    except (KeyError, ValueError) as error:
        raise ParameterError(f"{not_checkpoint}: it has no readable {_META} record") from error
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ParameterError(f"{not_checkpoint}: its {_META} record is not a checkpoint's")
    if meta.get("version") != VERSION:
        raise ParameterError(
            f"checkpoint {path} has format version {meta.get('version')!r}; this neurodyn "
            f"reads version {VERSION}"
        )
    expected = {entry["key"] for s in meta["states"].values() for entry in s["leaves"]}
    absent = sorted((expected | {_RANDOM_KEY}) - set(arrays))
    if absent:
        raise ParameterError(f"checkpoint {path} is incomplete: arrays {absent} are missing")
    return arrays, meta


def _restored(state_path: str, state: State, saved: dict[str, Any], arrays: dict) -> Any:
    """The saved value of ``state`` in the form of its current value, after checking
    structure, shapes, dtypes and units; raises ParameterError naming ``state_path``."""
    leaves, treedef = _flatten(state)
    if str(treedef) != saved["treedef"]:
        raise ParameterError(
            f"state {state_path}: the checkpoint's value has structure {saved['treedef']}, "
            f"the model's {treedef}"
        )
    new_leaves = []
    for k, (leaf, entry) in enumerate(zip(leaves, saved["leaves"], strict=True)):
        label = state_path if len(leaves) == 1 else f"{state_path} (leaf {k})"
        array = arrays[entry["key"]]
        checks = (
            ("shape", tuple(array.shape), tuple(jnp.shape(u.magnitude(leaf)))),
            ("dtype", array.dtype.name, _dtype(leaf).name),
            ("unit", entry["unit"], _unit_text(leaf)),
        )
        for what, in_file, in_model in checks:
            if in_file != in_model:
                raise ParameterError(
                    f"state {label}: {what} {_show(in_file)} in the checkpoint, "
                    f"{_show(in_model)} in the model"
                )
        new_leaves.append(_like(leaf, array))
    return jax.tree_util.tree_unflatten(treedef, new_leaves)


def _like(leaf: Any, array: np.ndarray) -> Any:
    """``array`` in the form of ``leaf``: a quantity in its unit holding a JAX array
    (or a Python number where the leaf's magnitude is one, to keep its weak type)."""
    if isinstance(u.magnitude(leaf), (bool, int, float, complex)):
        value: Any = array.item()
    else:
        value = jnp.asarray(array)
    return u.Quantity(value, unit=u.get_unit(leaf)) if u.is_quantity(leaf) else value


def _show(value: Any) -> str:
    return "none (a plain array)" if value is None else str(value)
