"""What the tests that start outside programs (JupyterLab, JupyterHub, Chromium) share."""
from __future__ import annotations

import os
import socket

import pytest


def missing(what: str):
    """Fail in CI (the test must run there), skip elsewhere."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} (CI=true: .ci/run must install it)")
    pytest.skip(what)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
