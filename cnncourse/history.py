"""The modern-architecture chapters (10–13) as small computations: ResNet, SENet, MLP-Mixer, ILSVRC.

The chapters tell the story from AlexNet to SENet; this module holds what they compute beyond
the zoo and ``accounting`` themselves:

* **counting the zoo** — ``zoo_counts(names)``: parameters, classifier head, multiply-adds and
  depth of zoo models, built without weights (milliseconds instead of gigabytes);
* **residual learning** (NumPy, deterministic) — ``branch_weights`` and ``stack_jacobian`` give
  the exact Jacobian of a stack of ReLU branches with or without skips, so a notebook can show
  ``∂x_L/∂x_0 = I + Σ ∂F_l + …``; ``scalar_network`` and ``neighbour_correlation`` reproduce the
  "shattered gradients" picture (Balduzzi et al. 2017) of seed 002;
* **squeeze-and-excitation** — ``se_block_params`` (the paper's 2C²/r + C/r + C),
  ``se_steps`` (the squeeze, gates and output of a block for real inputs), ``se_overhead``
  (SE-ResNet against ResNet for several r), ``se_extra_ops`` (what SE adds to one forward
  pass), ``se_cnn`` (a small MNIST CNN with or without SE), and ``fire_module`` /
  ``single_block_model`` (SqueezeNet's fire module next to an SE block, which seed 001 mixes up);
* **MLP-Mixer as convolutions** — ``mixing_as_convolutions`` runs a Mixer layer's two MLPs also
  as a 1×1 convolution and as a full-size depthwise convolution with shared weights;
* **ILSVRC** — ``params_vs_error()``: the winning entries of ``references.ILSVRC`` next to the
  parameter counts of their zoo models, with a note on what each entry really was.

Example::

    from cnncourse import history
    history.zoo_counts(["resnet18", "resnet50"])        # params, head, macs, depth per model
    history.se_block_params(256, reduction=16)          # 8,464
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import did_you_mean, non_negative_int, pair, positive_int

__all__ = [
    "ILSVRC_ZOO", "SINGLE_MODEL_TOP5", "zoo_counts",
    "branch_weights", "stack_jacobian", "scalar_network", "neighbour_correlation",
    "se_block_params", "se_steps", "se_overhead", "se_extra_ops", "se_cnn", "fire_module",
    "single_block_model", "mixing_as_convolutions", "params_vs_error",
]


def _keras():
    from ._quiet import import_backend

    return import_backend()


# ---------------------------------------------------------------- counting the zoo

def _names(names) -> list[str]:
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise ValueError(f"names must be a non-empty list of zoo model names such as "
                         f"['resnet18', 'resnet50'], got {names!r}.")
    from . import models

    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"every zoo name must be a string, got {name!r}.")
        models.builder(name)  # an unknown name raises here, with a suggestion
    return list(names)


def _head(model):
    """The classifier: the last layer of ``model`` that has weights."""
    return [layer for layer in model.layers if layer.weights][-1]


def _trainable(model) -> int:
    return sum(math.prod(v.shape) for v in model.trainable_weights)


def _counting_model(name: str, **options):
    """Zoo model ``name`` built with shapes but no weight values (see accounting.shapes_only)."""
    from . import accounting, models

    with accounting.shapes_only():
        return models.build(name, **options)


def zoo_counts(names, **options):
    """Trainable parameters, classifier head, multiply-adds and depth of zoo models, one row each.

    names: zoo names (``cnncourse.models.available()``); options: passed to every build, e.g.
    ``input_shape=(32, 32, 3)``. Models are built with ``accounting.shapes_only`` (no weight
    values), so even Mixer-H/14 takes about a second. Returns a DataFrame indexed by ``model``
    with columns ``params`` (trainable, the papers' convention), ``head`` (trainable parameters
    of the last layer with weights: the classifier), ``macs`` (multiply-accumulates of the
    weighted layers for one image, what the ResNet paper calls FLOPs) and ``depth`` (weighted
    layers on the longest input-to-output path, ``slides.layer_depth``: VGG-16 -> 16,
    GoogLeNet -> 22; an SE block's two FC layers count too).
    """
    import pandas as pd

    from . import accounting
    from .slides import layer_depth

    rows = []
    for name in _names(names):
        model = _counting_model(name, **options)
        rows.append(dict(model=name, params=_trainable(model),
                         head=sum(math.prod(v.shape) for v in _head(model).trainable_weights),
                         macs=accounting.count_macs(model), depth=layer_depth(model)))
    return pd.DataFrame(rows).set_index("model")


# ---------------------------------------------------------------- residual learning (NumPy)

def branch_weights(depth: int, width: int = 32, scale: float = 1.0, seed: int = 0) -> list:
    """``depth`` random matrices ``W_l: (width, width)`` for the branches ``F_l(h) = W_l relu(h)``.

    Entries are drawn from N(0, scale² · 2 / width): He initialisation (which keeps the size of
    a ReLU signal layer after layer) times ``scale``; ``scale=0`` gives all-zero branches.
    """
    depth, width = positive_int(depth, "depth"), positive_int(width, "width")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or scale < 0:
        raise ValueError(f"scale must be a number >= 0 (1 is He initialisation), got {scale!r}.")
    rng = np.random.default_rng(non_negative_int(seed, "seed"))
    std = scale * math.sqrt(2.0 / width)
    return [rng.normal(0.0, 1.0, (width, width)) * std for _ in range(depth)]


def _check_stack(x, weights) -> tuple[np.ndarray, list[np.ndarray]]:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one input vector of shape (width,), got shape {x.shape}.")
    if not isinstance(weights, (list, tuple)) or not weights:
        raise ValueError("weights must be a non-empty list of (width, width) matrices, "
                         "e.g. history.branch_weights(depth=10, width=len(x)).")
    mats = [np.asarray(w, dtype=float) for w in weights]
    for i, w in enumerate(mats):
        if w.shape != (len(x), len(x)):
            raise ValueError(f"weights[{i}] has shape {w.shape}, but x has {len(x)} values: "
                             f"every branch must be ({len(x)}, {len(x)}) so the skip can add.")
    return x, mats


def stack_jacobian(x, weights, residual: bool = True):
    """The exact Jacobian ``∂h_L/∂x`` of a stack of ReLU branches ``F_l(h) = W_l relu(h)``.

    x: (width,) the input h_0; weights: list of (width, width) matrices ``W_1 … W_L``.
    residual=True: ``h_{l+1} = h_l + F_l(h_l)`` (ResNet); False: ``h_{l+1} = F_l(h_l)`` (plain).
    Returns ``(J, branches)``: ``J`` (width, width) and the branch Jacobians
    ``A_l = ∂F_l/∂h = W_l · diag(h_l > 0)`` (width, width) at the points the stack visits.
    By the chain rule ``J = Π (I + A_l)`` with skips, ``J = Π A_l`` without (later layers on
    the left), so only the residual stack contains the identity term ``I``.
    """
    if not isinstance(residual, bool):
        raise ValueError(f"residual must be True or False, got {residual!r}.")
    h, mats = _check_stack(x, weights)
    eye = np.eye(len(h))
    jacobian, branches = eye.copy(), []
    for w in mats:
        a = w * (h > 0)[None, :]
        branches.append(a)
        step = eye + a if residual else a
        jacobian = step @ jacobian
        h = h + w @ np.maximum(h, 0.0) if residual else w @ np.maximum(h, 0.0)
    return jacobian, branches


def scalar_network(x, depth: int, residual: bool, width: int = 200, seed: int = 0):
    """A deep ReLU network with one input and one output, evaluated on a grid with its derivative.

    The set-up of Balduzzi et al. (2017), "The shattered gradients problem": x: (n,) inputs
    (n >= 3, e.g. 256 points in [-2, 2]); h_0 = u·x + c; each of ``depth`` layers computes
    ``B(h) = BN(W relu(h))`` with He-initialised W, where BN normalises every unit by its mean
    and standard deviation over the n inputs (statistics then held fixed, as at inference);
    plain: ``h ← B(h)``, residual: ``h ← h + B(h)``; y = v·h_L / √width. u, c, v, W are drawn
    from ``seed``. Returns ``(y, dy_dx)``, both (n,); the derivative is exact (forward-mode
    differentiation, no finite differences). Deep plain networks give derivatives that look
    like white noise; residual ones keep neighbouring inputs' derivatives alike.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or len(x) < 3:
        raise ValueError(f"x must be a 1-D grid of at least 3 inputs (batch statistics are "
                         f"taken over it), got shape {x.shape}. Try np.linspace(-2, 2, 256).")
    if not isinstance(residual, bool):
        raise ValueError(f"residual must be True or False, got {residual!r}.")
    weights = branch_weights(depth, width, 1.0, seed)
    rng = np.random.default_rng(seed + 10_000)
    u, c, v = (rng.normal(0.0, 1.0, width) for _ in range(3))
    h = np.outer(x, u) + c               # (n, width) activations
    dh = np.tile(u, (len(x), 1))         # (n, width) their derivatives along x
    for w in weights:
        pre, dpre = np.maximum(h, 0.0) @ w.T, (dh * (h > 0)) @ w.T
        std = pre.std(axis=0) + 1e-5
        out, dout = (pre - pre.mean(axis=0)) / std, dpre / std
        h, dh = (h + out, dh + dout) if residual else (out, dout)
    return h @ v / math.sqrt(width), dh @ v / math.sqrt(width)


def neighbour_correlation(g) -> float:
    """Pearson correlation of ``g[i]`` with ``g[i + 1]``: near 1 for a smooth curve, near 0 for noise.

    g: (n,) values along an ordered grid, n >= 3, not all equal.
    """
    g = np.asarray(g, dtype=float)
    if g.ndim != 1 or len(g) < 3:
        raise ValueError(f"g must be a 1-D array of at least 3 values, got shape {g.shape}.")
    if np.ptp(g[:-1]) == 0 or np.ptp(g[1:]) == 0:
        raise ValueError("g is constant, so its correlation is undefined; pass a varying curve.")
    return float(np.corrcoef(g[:-1], g[1:])[0, 1])


# ---------------------------------------------------------------- squeeze-and-excitation

def se_block_params(channels: int, reduction: int = 16) -> int:
    """Trainable parameters of one SE block on ``channels`` channels with reduction ratio r.

    FC C → ⌊C/r⌋ with biases, FC ⌊C/r⌋ → C with biases: ``C·u + u + u·C + C`` with u = ⌊C/r⌋,
    which is the paper's 2C²/r + C/r + C when r divides C.
    """
    c = positive_int(channels, "channels")
    r = positive_int(reduction, "reduction")
    units = c // r
    if units < 1:
        raise ValueError(f"reduction={r} leaves no hidden units for {c} channels; use a "
                         f"reduction of at most {c}.")
    return 2 * c * units + units + c


def _resnet_spec(depth: int):
    from .models.resnet import EXPANSION, RESNET_TABLE, STAGE_WIDTHS

    if isinstance(depth, bool) or not isinstance(depth, int) or depth not in RESNET_TABLE:
        raise ValueError(f"depth must be one of {sorted(RESNET_TABLE)} (He et al., Table 1), "
                         f"got {depth!r}.")
    block, blocks = RESNET_TABLE[depth]
    return [(n, width * EXPANSION[block]) for n, width in zip(blocks, STAGE_WIDTHS)]


def se_overhead(reductions=(2, 4, 8, 16, 32, 64), depth: int = 50):
    """SE-ResNet-``depth`` against ResNet-``depth`` for several reduction ratios r.

    Each SE model is built from the zoo (without weights) and counted; ``formula`` adds up
    ``se_block_params(C, r)`` over the blocks of He et al.'s Table 1, as a cross-check.
    Returns a DataFrame with columns ``reduction, params, extra`` (params minus the plain
    ResNet's), ``formula`` and ``extra_percent``; ``attrs["resnet"]`` is the plain count.
    """
    import pandas as pd

    if not isinstance(reductions, (list, tuple)) or not reductions:
        raise ValueError(f"reductions must be a non-empty list of ratios such as [4, 16], "
                         f"got {reductions!r}.")
    stages = _resnet_spec(depth)
    narrowest = min(c for _, c in stages)
    ratios = [positive_int(r, "reduction") for r in reductions]
    too_big = [r for r in ratios if r > narrowest]
    if too_big:
        raise ValueError(f"reduction {too_big[0]} would leave the {narrowest}-channel blocks of "
                         f"ResNet-{depth} without hidden units; use ratios of at most {narrowest}.")
    plain = _trainable(_counting_model(f"resnet{depth}"))
    rows = []
    for r in ratios:
        params = _trainable(_counting_model(f"se_resnet{depth}", reduction=r))
        formula = sum(n * se_block_params(c, r) for n, c in stages)
        rows.append(dict(reduction=r, params=params, extra=params - plain, formula=formula,
                         extra_percent=100 * (params - plain) / plain))
    frame = pd.DataFrame(rows)
    frame.attrs["resnet"] = plain
    return frame


def se_steps(model, x, name: str = "se") -> dict:
    """The intermediate results of the SE block ``name`` of ``model`` for the inputs ``x``.

    model: a Keras model (with weights) holding an ``senet.se_block`` called ``name``, e.g.
    ``single_block_model("se", (7, 7, 64))``; x: a batch the model accepts. Returns NumPy
    arrays: ``input`` (N, H, W, C) the block's input, ``squeeze`` (N, C) the channel means,
    ``gates`` (N, C) the sigmoid outputs s_c and ``output`` (N, H, W, C) the re-weighted map.
    """
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}.")
    layer_names = {layer.name for layer in model.layers}
    parts = [f"{name}_squeeze", f"{name}_expand", f"{name}_scale"]
    if not set(parts) <= layer_names:
        raise ValueError(f"model {model.name!r} has no SE block named {name!r} (layers "
                         f"{parts}); {did_you_mean(f'{name}_scale', layer_names)}")
    x = np.asarray(x, dtype="float32")
    expected = tuple(model.inputs[0].shape[1:])
    if x.ndim != len(expected) + 1 or x.shape[1:] != expected:
        raise ValueError(f"x must have shape (N, {', '.join(map(str, expected))}) for model "
                         f"{model.name!r}, got {x.shape}.")
    scale = model.get_layer(parts[2])
    block_input = scale.input[0] if isinstance(scale.input, list) else scale.input
    probe = keras.Model(model.input, [block_input, *(model.get_layer(p).output for p in parts)])
    block_in, squeeze, gates, output = (keras.ops.convert_to_numpy(t) for t in probe(x))
    n = len(x)
    return {"input": block_in, "squeeze": squeeze.reshape(n, -1),
            "gates": gates.reshape(n, -1), "output": output}


def se_extra_ops(model):
    """What the SE blocks of ``model`` add to one forward pass of one image.

    model: a Keras SE network whose blocks are named ``*_se_reduce``, ``*_se_expand``,
    ``*_se_scale`` (as ``senet.se_block`` names them), or a zoo name such as 'se_resnet50'.
    Returns a Series: ``excitation FC (multiply-adds)`` (the two small FC layers),
    ``scale (multiplications)`` (one per value of each re-weighted feature map) and
    ``squeeze (additions)`` (global average pooling sums every value of the same maps).
    """
    import pandas as pd

    from . import accounting

    table = accounting.param_table(model)
    names = table["name"]
    if not names.str.endswith("_se_scale").any():
        raise ValueError(f"model {table.attrs['model']!r} has no SE blocks (no layer named "
                         "'*_se_scale'); build one with se=True or models.build('se_resnet50').")
    fc = table.loc[names.str.endswith(("_se_reduce", "_se_expand")), "macs"].sum()
    scaled = table.loc[names.str.endswith("_se_scale"), "activations"].sum()
    return pd.Series({"excitation FC (multiply-adds)": int(fc),
                      "scale (multiplications)": int(scaled),
                      "squeeze (additions)": int(scaled)}, name="ops")


def se_cnn(se: bool = True, reduction: int = 4, input_shape=(28, 28, 1), num_classes: int = 10):
    """A small MNIST CNN with an SE block after each convolution (``se=False``: without).

    ``(N, 28, 28, 1)`` -> conv1 16@3×3 same, ReLU -> [SE] -> max pool 2 -> conv2 32@3×3 same,
    ReLU -> [SE] -> max pool 2 -> flatten -> dropout 0.25 -> dense softmax ``(N, num_classes)``.
    Without SE it is ``models.build("mnist_cnn")`` layer for layer (20,490 parameters); the
    SE blocks add ``se_block_params(16, r) + se_block_params(32, r)``.
    """
    from .models import build
    from .models._common import check_input_shape, check_num_classes
    from .models.senet import se_block

    if not isinstance(se, bool):
        raise ValueError(f"se must be True or False, got {se!r}.")
    reduction = positive_int(reduction, "reduction")
    if se and reduction > 16:
        raise ValueError(f"reduction={reduction} leaves no hidden units for conv1's 16 channels; "
                         "use a reduction of at most 16.")
    shape = check_input_shape(input_shape, 4, "se_cnn")
    num_classes = check_num_classes(num_classes, "se_cnn")
    if not se:
        return build("mnist_cnn", input_shape=shape, num_classes=num_classes)
    keras = _keras()
    layers = keras.layers
    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = se_block(x, reduction=reduction, name="conv1_se")
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(x)
    x = se_block(x, reduction=reduction, name="conv2_se")
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.25, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn_se")


def fire_module(x, squeeze: int, expand, name: str = "fire"):
    """SqueezeNet's fire module (Iandola et al. 2016) — not an SE block, whatever seed 001 says.

    x: (N, H, W, C) Keras tensor -> (N, H, W, e1 + e3). A 1×1 "squeeze" convolution with
    ``squeeze`` filters (ReLU) feeds two "expand" convolutions, 1×1 with e1 and 3×3 ('same')
    with e3 filters (ReLU), whose outputs are concatenated; ``expand`` is e1 = e3 or (e1, e3).
    Layers: ``{name}_squeeze1x1``, ``{name}_expand1x1``, ``{name}_expand3x3``, ``{name}_concat``.
    """
    s = positive_int(squeeze, "squeeze")
    e1, e3 = pair(expand, "expand")
    if len(x.shape) != 4:
        raise ValueError(f"fire_module needs a 4-D feature map (N, H, W, C), got shape "
                         f"{tuple(x.shape)}.")
    layers = _keras().layers
    x = layers.Conv2D(s, 1, activation="relu", name=f"{name}_squeeze1x1")(x)
    left = layers.Conv2D(e1, 1, activation="relu", name=f"{name}_expand1x1")(x)
    right = layers.Conv2D(e3, 3, padding="same", activation="relu", name=f"{name}_expand3x3")(x)
    return layers.Concatenate(name=f"{name}_concat")([left, right])


_BLOCKS = ("se", "fire")


def single_block_model(block: str, input_shape, **options):
    """A functional model holding one block, to count or run it on its own.

    block: ``"se"`` (options: ``reduction``, default 16) or ``"fire"`` (options: ``squeeze``,
    ``expand``); input_shape: (H, W, C). The model is named ``{block}_block``.
    """
    from .models._common import check_input_shape
    from .models.senet import se_block

    if block not in _BLOCKS:
        raise ValueError(f"Unknown block {block!r}: {did_you_mean(str(block), _BLOCKS)}")
    allowed = {"se": {"reduction"}, "fire": {"squeeze", "expand"}}[block]
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(f"block {block!r} takes options {sorted(allowed)}, got {unknown}.")
    if block == "fire" and not {"squeeze", "expand"} <= set(options):
        raise ValueError("a fire block needs squeeze= and expand=, e.g. squeeze=16, expand=64 "
                         "(SqueezeNet's fire2).")
    shape = check_input_shape(input_shape, 1, f"{block} block")
    keras = _keras()
    inputs = keras.Input(shape=shape, name="input")
    if block == "se":
        outputs = se_block(inputs, reduction=options.get("reduction", 16), name="se")
    else:
        outputs = fire_module(inputs, options["squeeze"], options["expand"], name="fire")
    return keras.Model(inputs, outputs, name=f"{block}_block")


# ---------------------------------------------------------------- MLP-Mixer as convolutions

def _mixer_parts(model, block: int):
    names = {layer.name for layer in model.layers}
    prefix = f"mixer_block_{block}"
    needed = [f"{prefix}_token_norm", f"{prefix}_channel_norm", f"{prefix}_token_mixing_dense_1",
              f"{prefix}_channel_mixing_dense_1", "stem"]
    missing = [n for n in needed if n not in names]
    if missing:
        raise ValueError(f"model {model.name!r} has no layer {missing[0]!r}: pass a Mixer built "
                         "by cnncourse.models (mixer_* or models.mixer.mixer) and a block index "
                         "below its number of blocks.")
    return [model.get_layer(n) for n in needed]


def _gaps(reference, other) -> dict:
    """Largest absolute difference, and the same relative to the largest |reference| value."""
    reference, other = (np.asarray(a, dtype=np.float64) for a in (reference, other))
    gap = float(np.max(np.abs(reference - other)))
    return dict(max_abs_difference=gap,
                relative_difference=gap / max(float(np.max(np.abs(reference))), 1e-30))


def mixing_as_convolutions(model, images, block: int = 0):
    """Run the first Dense (+GELU) of a Mixer layer's two MLPs also as convolutions; compare.

    model: a Mixer from ``cnncourse.models`` with weights; images: (N, H, W, 3) it accepts;
    block: which Mixer layer. The S tokens form the (h, w) = (H/P, W/P) grid of patches.

    * channel mixing — Dense over the C channels of every token = ``Conv2D(D_C, 1×1)`` on the
      (N, h, w, C) grid, kernel (1, 1, C, D_C) = the Dense kernel;
    * token mixing — Dense over the S tokens of every channel = ``DepthwiseConv2D`` with a
      full-size (h, w) kernel and depth multiplier D_S, every channel given the same kernel
      (h, w, C, D_S) (shared weights: S·D_S numbers instead of C·S·D_S).

    Returns a DataFrame, one row per MLP: ``mlp, dense_kernel, conv_layer, conv_kernel,
    max_abs_difference, relative_difference`` (the former over the largest |Dense output|:
    ~1e-7 in float32, ~1e-3 under mixed precision on a GPU). ``attrs["inputs"]`` holds the
    normalised tables entering the two MLPs, (N, S, C) each; ``attrs["outputs"]`` maps
    ``"token"`` / ``"channel"`` to the pair (Dense output, convolution output) as NumPy arrays,
    (N, C, D_S) and (N, S, D_C).
    """
    import pandas as pd

    keras = _keras()
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a Keras Mixer model, got {type(model).__name__}. Build "
                         "one with cnncourse.models.build('mixer_s16') or models.mixer.mixer.")
    block = non_negative_int(block, "block")
    token_norm, channel_norm, token_dense, channel_dense, stem = _mixer_parts(model, block)
    images = np.asarray(images, dtype="float32")
    expected = tuple(model.inputs[0].shape[1:])
    if images.ndim != 4 or images.shape[1:] != expected:
        raise ValueError(f"images must have shape (N, {', '.join(map(str, expected))}) for "
                         f"model {model.name!r}, got {images.shape}.")
    h, w, c = (int(d) for d in stem.output.shape[1:])
    probe = keras.Model(model.input, [token_norm.output, channel_norm.output])
    token_in, channel_in = (keras.ops.convert_to_numpy(t) for t in probe(images))
    n, s = len(images), h * w
    layers = keras.layers

    # token mixing: Dense on (N, C, S) <-> depthwise conv on (N, h, w, C), same kernel per channel
    kernel, bias = (keras.ops.convert_to_numpy(v) for v in token_dense.weights)
    d_s = kernel.shape[1]
    dense_tokens = keras.ops.convert_to_numpy(token_dense(token_in.transpose(0, 2, 1)))
    # weights are copied in below, so skip the random initialisation (slow to compile on JAX)
    depthwise = layers.DepthwiseConv2D((h, w), depth_multiplier=d_s,
                                       activation=token_dense.activation,
                                       depthwise_initializer="zeros", name="token_mixing_conv")
    depthwise.build((None, h, w, c))
    depthwise.set_weights([np.repeat(kernel.reshape(h, w, 1, d_s), c, axis=2),
                           np.tile(bias, c)])
    conv_tokens = keras.ops.convert_to_numpy(depthwise(token_in.reshape(n, h, w, c)))
    conv_tokens = conv_tokens.reshape(n, c, d_s)

    # channel mixing: Dense on (N, S, C) <-> 1x1 conv on (N, h, w, C)
    kernel, bias = (keras.ops.convert_to_numpy(v) for v in channel_dense.weights)
    d_c = kernel.shape[1]
    dense_channels = keras.ops.convert_to_numpy(channel_dense(channel_in))
    pointwise = layers.Conv2D(d_c, 1, activation=channel_dense.activation,
                              kernel_initializer="zeros", name="channel_mixing_conv")
    pointwise.build((None, h, w, c))
    pointwise.set_weights([kernel.reshape(1, 1, c, d_c), bias])
    conv_channels = keras.ops.convert_to_numpy(pointwise(channel_in.reshape(n, h, w, c)))
    conv_channels = conv_channels.reshape(n, s, d_c)

    frame = pd.DataFrame([
        dict(mlp="token mixing", dense_kernel=(s, d_s),
             conv_layer=f"DepthwiseConv2D {h}×{w}, multiplier {d_s}, shared",
             conv_kernel=(h, w, c, d_s), **_gaps(dense_tokens, conv_tokens)),
        dict(mlp="channel mixing", dense_kernel=(c, d_c), conv_layer=f"Conv2D 1×1, {d_c} filters",
             conv_kernel=(1, 1, c, d_c), **_gaps(dense_channels, conv_channels)),
    ])
    frame.attrs["inputs"] = {"token": token_in, "channel": channel_in}
    frame.attrs["outputs"] = {"token": (dense_tokens, conv_tokens),
                              "channel": (dense_channels, conv_channels)}
    return frame


# ---------------------------------------------------------------- ILSVRC

# ILSVRC classification winners (and VGG, 2014's runner-up) -> the zoo models of their
# architecture, with what the entry really was: every competition result is an ensemble,
# every zoo count is one network.
ILSVRC_ZOO: dict[str, tuple[tuple[str, ...], str]] = {
    "AlexNet": (("alexnet_grouped",),
                "7 CNNs averaged, 2 of them pre-trained on ImageNet Fall 2011 (Krizhevsky et al. "
                "2012, Sec. 6); the zoo net is the paper's two-GPU design"),
    "ZFNet": (("zfnet",), "Clarifai's entry (Zeiler's company): several networks averaged, "
              "built on the ZFNet design (Zeiler & Fergus 2014)"),
    "VGG": (("vgg16", "vgg19"), "ensemble of 7 VGG nets (Simonyan & Zisserman 2015)"),
    "GoogLeNet": (("googlenet",), "7 GoogLeNets, 144 crops per image (Szegedy et al. 2015, "
                  "Table 3)"),
    "ResNet": (("resnet152",), "6 ResNets of different depths, two of them 152 layers "
               "(He et al. 2016, Sec. 4.1)"),
    "SENet": (("se_resnet50",), "ensemble built on SENet-154, a far larger SE network than "
              "the zoo's SE-ResNet-50 (Hu et al.)"),
}

# Single-network results quoted by the slides next to the competition's ensemble results.
SINGLE_MODEL_TOP5: dict[str, tuple[float, str]] = {
    "resnet152": (4.49, "He et al. (CVPR 2016), Table 4: ResNet-152, single model, ImageNet "
                  "validation set, top-5 error in %"),
}


def params_vs_error():
    """ILSVRC entries next to the parameter count of their architecture, one row per zoo model.

    From ``references.ILSVRC`` (top-5 error of the entry, %) and ``zoo_counts`` (trainable
    parameters, MACs and depth of ONE network at the paper's input size). Columns: ``year, model,
    zoo, params, macs, depth, top5_error, winner, entry`` (what the entry was — always an
    ensemble, so the error belongs to several networks and the count to one). Entries without a
    zoo model (the
    2010/2011 winners and 2016's ensemble) are left out.
    """
    import pandas as pd

    from .references import ilsvrc_table

    results = ilsvrc_table()
    chosen = results[results["model"].isin(ILSVRC_ZOO)]
    names = [zoo for model in chosen["model"] for zoo in ILSVRC_ZOO[model][0]]
    counts = zoo_counts(names)
    rows = []
    for entry in chosen.itertuples():
        zoo_names, note = ILSVRC_ZOO[entry.model]
        for zoo in zoo_names:
            rows.append(dict(year=entry.year, model=entry.model, zoo=zoo,
                             params=int(counts.loc[zoo, "params"]),
                             macs=int(counts.loc[zoo, "macs"]),
                             depth=int(counts.loc[zoo, "depth"]), top5_error=entry.top5_error,
                             winner=entry.winner, entry=note))
    return pd.DataFrame(rows)
