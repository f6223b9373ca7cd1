"""Silence what native code writes straight to the process's stderr (file descriptor 2).

TensorFlow's C++ runtime prints start-up lines ("oneDNN custom operations are on", "Could not
find cuda drivers") before its log level is read. In Jupyter those land in the notebook as stderr
and would break strict nbval, so the backend is imported once inside ``native_stderr_silenced``.
"""
import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_silenced():
    """Point fd 2 at /dev/null for the duration of the block, then restore it."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_backend():
    """Import Keras and its backend with the native start-up chatter silenced; return keras."""
    with native_stderr_silenced():
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.list_physical_devices()
    return keras
