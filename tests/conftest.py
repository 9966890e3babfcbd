"""Shared test set-up: default simulation context before every test."""

import pytest

import neurodyn as nd
from neurodyn import units as u


@pytest.fixture(autouse=True)
def default_context():
    nd.environ.set(dt=0.1 * u.ms, precision=32)
    nd.random.seed(0)
    yield
    nd.environ.set(dt=0.1 * u.ms, precision=32)
