"""The one door to Keras internals: every private Keras (and rich) name the course needs lives here.

Keras 3 keeps a model's layer graph, its deferred variable initialisation and its summary
console behind private names. A Keras upgrade may move them; keeping them in this module means
one place breaks, and ``tests/test_keras_door.py`` checks each function below on a small
Sequential and a small functional model with a branch, so it breaks there first.

Keras is imported lazily (``import_backend``), never at the top of this module: ``import
cnncourse`` and ``import cnncourse.models`` must stay free of TensorFlow/JAX (the CLI lists the
zoo in a tenth of a second).

* ``native_stderr_silenced()``, ``import_backend()``: the quiet import of Keras and its backend.
* ``set_random_seed(seed)``: Keras's seeding, without loading TensorFlow only to seed it.
* ``without_weights()``: build models whose weights are declared but never filled (counting
  only); ``pending_variables()`` lists what Keras still means to initialise;
  ``fill_declared(model, make_value)`` fills such weights from chosen values.
* ``layer_graph(model)``: ``[(layer, parent layers)]`` in execution order;
  ``output_layers(model)``; ``layer_calls(model)``: every layer call with its input and output
  shapes for one image (batch 1), nested models opened as ``outer/inner``.
* ``plain_console(width)``: make rich (behind ``model.summary``) print plain text of one width.
"""
from __future__ import annotations

import contextlib
import os
import sys

__all__ = [
    "native_stderr_silenced", "import_backend", "set_random_seed", "without_weights",
    "pending_variables", "fill_declared", "layer_graph", "output_layers", "layer_calls",
    "plain_console",
]


# ---------------------------------------------------------------- the quiet import

@contextlib.contextmanager
def native_stderr_silenced():
    """Point file descriptor 2 at /dev/null for the block, then restore it.

    TensorFlow's C++ runtime prints start-up lines ("oneDNN custom operations are on", "Could
    not find cuda drivers") before its log level is read. In Jupyter those land in the notebook
    as stderr and would break strict nbval, so the backend is imported inside this block.
    """
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


class _NotLoaded:
    """Stands in for Keras's lazy TensorFlow module while seeding: "not available"."""
    available = False


def set_random_seed(seed: int) -> None:
    """``keras.utils.set_random_seed(seed)`` (Python, NumPy, the backend, Keras's own generator),
    but TensorFlow is seeded only when it is the backend or already loaded.

    Keras seeds TensorFlow whenever it is installed, for ``tf.data`` pipelines, and so imports it
    under JAX and torch too: 5 s and half a gigabyte for nothing in a course whose pipelines are
    NumPy there. A notebook that builds its own ``tf.data`` pipeline on JAX or torch imports
    TensorFlow before seeding, and TensorFlow is seeded as well.
    """
    import keras

    if keras.backend.backend() == "tensorflow" or "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    try:
        from keras.src.utils import rng_utils

        lazy = rng_utils.tf          # the lazy module set_random_seed asks "available?"
    except (ImportError, AttributeError):  # a Keras that seeds differently: seed its way
        keras.utils.set_random_seed(seed)
        return
    rng_utils.tf = _NotLoaded()
    try:
        keras.utils.set_random_seed(seed)
    finally:
        rng_utils.tf = lazy


# ---------------------------------------------------------------- building without weights

_PENDING = "uninitialized_variables"  # Keras's global to-do list of deferred variables


@contextlib.contextmanager
def without_weights():
    """Build models whose weights are declared but never filled (no memory, no random init).

    Inside the block every Keras variable is created uninitialised (Keras's deferred
    initialisation), so ``model.count_params()``, ``layer.output.shape`` and ``model.summary()``
    work and VGG-16 builds in milliseconds instead of seconds and 550 MB. Such a model cannot be
    called or trained (unless ``fill_declared`` gives its weights values). On leaving, the
    deferred variables are dropped from Keras's global to-do list, so nothing allocates them
    later::

        with without_weights():
            model = models.build("resnet152")
        model.count_params()
    """
    keras = import_backend()  # first, so the backend's start-up chatter stays silenced
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # a Keras without this internal module: build normally (slower)
        yield
        return
    before = list(global_state.get_global_attribute(_PENDING, []) or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        global_state.set_global_attribute(_PENDING, before)


def pending_variables() -> list:
    """The variables Keras still means to initialise later (empty after ``without_weights``)."""
    import_backend()
    from keras.src.backend.common import global_state

    return list(global_state.get_global_attribute(_PENDING, []) or [])


def fill_declared(model, make_value) -> None:
    """Give every weight of a model built ``without_weights`` a value, skipping the initialisers.

    ``make_value(variable) -> array`` of ``variable.shape``. Filling is much faster than Keras's
    random initialisers on JAX, which compiles one per weight shape. The model can then be
    called.
    """
    for variable in model.weights:
        variable._initialize(make_value(variable))


# ---------------------------------------------------------------- the layer graph

def _graph(model):
    """The Functional graph behind ``model`` (a built Sequential keeps one)."""
    graph = getattr(model, "_functional", None) or model
    if not hasattr(graph, "_nodes_by_depth"):
        raise ValueError(
            f"model {model.name!r} has no layer graph to walk: it is a subclassed Model or a "
            "Sequential without an input shape. Start the Sequential with "
            "keras.Input(shape=...) or write the model with the functional API.")
    return graph


def _nodes(graph):
    """The graph's call nodes in execution order (inputs first)."""
    by_depth = graph._nodes_by_depth
    return [node for depth in sorted(by_depth, reverse=True) for node in by_depth[depth]]


def _parents(layer) -> list:
    """The layers that feed ``layer``'s first call (none for an input layer)."""
    nodes = getattr(layer, "_inbound_nodes", [])
    return [parent.operation for parent in nodes[0].parent_nodes] if nodes else []


def layer_graph(model) -> list[tuple]:
    """``[(layer, [parent layers])]`` for the layers of ``model`` in execution order.

    A functional model lists its ``InputLayer`` (no parents) first; in a Sequential each layer's
    parent is the layer before it (the first has none). Parents are those of a layer's first
    call; a nested model appears as one layer.
    """
    if not hasattr(model, "layers"):
        raise ValueError(f"expected a Keras model, got {type(model).__name__}. "
                         "Build one with cnncourse.models.build(name).")
    if type(model).__name__ == "Sequential":
        layers = list(model.layers)
        return [(layer, layers[i - 1:i]) for i, layer in enumerate(layers)]
    return [(layer, _parents(layer)) for layer in model.layers]


def output_layers(model) -> list:
    """The layers whose outputs are the model's outputs, in the order of ``model.outputs``."""
    if not hasattr(model, "outputs"):
        raise ValueError(f"expected a Keras model, got {type(model).__name__}. "
                         "Build one with cnncourse.models.build(name).")
    return [t._keras_history.operation for t in model.outputs]


def _batch_one(tensor):
    """A symbolic copy of a model input with batch size 1 (so every count is per image)."""
    import keras

    shape = tuple(tensor.shape[1:])
    if any(d is None for d in shape):
        raise ValueError(
            f"input {tensor.name!r} has an unknown size {(None, *shape)}: MACs and activations "
            "need every axis but the batch. Build the model with a fixed input_shape, "
            "e.g. input_shape=(224, 224, 3).")
    return keras.KerasTensor((1, *shape), dtype=tensor.dtype)


def _check_known(name, outputs):
    for x in outputs:
        if None in x.shape:
            raise ValueError(
                f"layer {name!r} reports an output shape with unknown axes {tuple(x.shape)} even "
                "for a fixed input; give it explicit sizes (e.g. EinsumDense(output_shape=...) "
                "without None) so its activations can be counted.")


def _walk(graph, inputs, prefix, record):
    """Propagate symbolic tensors through ``graph``; call ``record`` for each layer call.

    ``record(name, layer, input_shapes, output_shapes)`` gets shapes with the batch axis.
    Nested models are entered, so their layers are named ``outer/inner``.
    """
    import keras

    values = {id(ref): x for ref, x in zip(graph.inputs, inputs)}
    for node in _nodes(graph):
        if node.is_input or any(id(t) not in values for t in node.input_tensors):
            continue
        args, kwargs = node.arguments.fill_in(values)
        flat_in = [x for x in keras.tree.flatten((args, kwargs))
                   if isinstance(x, keras.KerasTensor)]
        operation = node.operation
        if isinstance(operation, keras.Model):
            outs = _walk(_graph(operation), flat_in, f"{prefix}{operation.name}/", record)
        else:
            outs = keras.tree.flatten(operation.compute_output_spec(*args, **kwargs))
            _check_known(prefix + operation.name, outs)
            record(prefix + operation.name, operation,
                   [tuple(x.shape) for x in flat_in], [tuple(x.shape) for x in outs])
        for ref, x in zip(node.outputs, outs):
            values[id(ref)] = x
    return [values[id(t)] for t in graph.outputs]


def layer_calls(model) -> list[list]:
    """Every layer of ``model`` with its calls, for ONE image, in execution order.

    Returns ``[[name, layer, [(input_shapes, output_shapes), ...]], ...]``: one entry per layer
    (input layers left out), one ``(input_shapes, output_shapes)`` pair per call, shapes with a
    batch axis of 1. A nested model is opened: its layers are named ``outer/inner``. Every input
    axis but the batch must be known.
    """
    graph = _graph(model)
    calls: dict[int, list] = {}

    def record(name, layer, in_shapes, out_shapes):
        calls.setdefault(id(layer), [name, layer, []])[2].append((in_shapes, out_shapes))

    _walk(graph, [_batch_one(t) for t in graph.inputs], "", record)
    return list(calls.values())


# ---------------------------------------------------------------- Keras's summary as plain text

@contextlib.contextmanager
def plain_console(width: int):
    """Make rich (behind ``model.summary``) render plain text ``width`` columns wide everywhere.

    Rich reads the terminal width from COLUMNS, and inside Jupyter it switches to a 115-column
    HTML display that also leaves an empty output behind; both are pinned for the block.
    """
    import rich.console

    names = ("COLUMNS", "JUPYTER_COLUMNS")
    saved_env = {name: os.environ.get(name) for name in names}
    saved_detector = rich.console._is_jupyter
    os.environ.update({name: str(width) for name in names})
    rich.console._is_jupyter = lambda: False
    try:
        yield
    finally:
        rich.console._is_jupyter = saved_detector
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
