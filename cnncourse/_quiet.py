"""The quiet import of Keras, kept under its old name for the modules that still import it here.

It lives in ``cnncourse._keras`` (the one module that touches Keras internals); import it from
there.
"""
from ._keras import import_backend, native_stderr_silenced

__all__ = ["import_backend", "native_stderr_silenced"]
