"""Errors raised by neurodyn, each naming the parameter, the value and the rule."""


class ParameterError(ValueError):
    """A model or simulation parameter breaks a rule (units, sign, ordering, shape)."""


class SimulationError(RuntimeError):
    """A simulation produced an invalid result, e.g. a state that became NaN."""
