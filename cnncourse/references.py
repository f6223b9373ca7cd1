"""Published numbers the course checks its own counts against, each with where it was published.

These are data, not computations: ``cnncourse.accounting`` computes parameter and MAC counts
from real Keras layers, and the tests compare those computations with the values here.

* ``TORCHVISION_PARAMS`` — ``num_params`` from torchvision's model documentation (trainable
  parameters; BatchNorm running statistics are buffers and are not counted).
* ``KERAS_APPLICATIONS_PARAMS`` — the "Parameters" column of the keras.io applications table
  (rounded to 0.1 M there; the exact count comes from building the model with ``weights=None``).
* ``PAPER_PARAMS`` / ``SLIDE_PARAMS`` — totals printed in papers and in the lecture slides.
* ``PAPER_MACS`` — paper "FLOPs", which in these papers are multiply-adds (MACs).
* ``MIXER_TABLE1`` — the MLP-Mixer configurations of Tolstikhin et al. (2021), Table 1.
* ``ILSVRC`` — top-5 classification error of ILSVRC winners and notable entries, 2010-2017.
* ``ILSVRC_ENTRIES`` — what each of those entries was (always an ensemble);
  ``SINGLE_MODEL_TOP5`` — single-network results quoted next to them.

Example::

    from cnncourse import references
    references.TORCHVISION_PARAMS["resnet50"].value      # 25557032
    references.ilsvrc_table()                            # a DataFrame for the timeline plot
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One published number: ``value`` as printed (``unit`` says its scale) and its ``source``."""

    value: float
    source: str
    unit: float = 1
    note: str = ""

    @property
    def absolute(self) -> float:
        """The value in plain units (``value × unit``), e.g. 138 M -> 138_000_000."""
        return self.value * self.unit


@dataclass(frozen=True)
class Lecture:
    """One of the five lecture documents the course is built from, as it names itself.

    ``key`` is the short citation key the course uses (``[GDSC, "Stride & Padding"]``);
    ``title`` is the document's own title, ``author``/``date``/``institution`` are given only
    where the document states them; ``covers`` says what the course takes from it.
    """

    key: str
    title: str
    covers: str
    author: str = ""
    date: str = ""
    institution: str = ""
    language: str = "ko"

    def citation(self, section: str | None = None) -> str:
        """``[KEY, "section"]``, or ``[KEY]`` without a section."""
        return f'[{self.key}, "{section}"]' if section else f"[{self.key}]"


# The five lecture documents, in the order the course first uses them. Their text is not
# shipped with the course; chapters quote their numbers and cite them by key.
LECTURES: dict[str, Lecture] = {
    "ML9": Lecture("ML9", 'Machine Learning, chapter 9 "CNN (Convolutional Neural Network)"',
                   "§9.1 history, §9.2 convolution in DSP, §9.3 CNN layers, §9.4 hyperparameters "
                   "and regularization, §9.5 convolution variants, §9.6 applications",
                   language="en"),
    "DL1": Lecture("DL1", "딥러닝 - Part1_v1",
                   "machine-learning basics (regression, gradient descent, optimizers), "
                   "perceptron and backpropagation, activations, batch normalization, CNN layers, "
                   "LeNet-5, AlexNet, ZFNet, VGGNet, GoogLeNet, metrics",
                   author="이동환", date="2020-12-08"),
    "GDSC": Lecture("GDSC", "GDSC AI Week",
                    "image data, locality and translation equivariance, convolution and the "
                    "Fourier transform, pooling, stride and padding, receptive field, parameter "
                    "counts, LeNet to ResNet",
                    author="전병우", institution="Korea University, College of Informatics "
                    "(고려대학교 정보대학)"),
    "NOTES": Lecture("NOTES", "CNN - Convolutional Neural Network (handwritten notes)",
                     "why convolution keeps spatial information, filters and channels, "
                     "output size, pooling"),
    "MODELS": Lecture("MODELS", "CNN model",
                      "AlexNet, ZFNet, GoogLeNet and Inception, VGG, ResNet: the ILSVRC "
                      "winners from 2012 to 2015"),
}


_TV = "torchvision model docs, {} weights IMAGENET1K_V1, num_params"
_KA = "keras.io/api/applications, table of available models, column 'Parameters'"
_HE = "He et al., Deep Residual Learning for Image Recognition (CVPR 2016), Table 1, row FLOPs"
_SE = "Hu et al., Squeeze-and-Excitation Networks (TPAMI 2019), Sec. 4, model complexity"
_VGG = "Simonyan & Zisserman, Very Deep Convolutional Networks (ICLR 2015), Table 2"
M = 1_000_000
G = 1_000_000_000

TORCHVISION_PARAMS: dict[str, Reference] = {
    name: Reference(value, _TV.format(name))
    for name, value in {
        "alexnet": 61_100_840,
        "googlenet": 6_624_904,
        "resnet18": 11_689_512,
        "resnet34": 21_797_672,
        "resnet50": 25_557_032,
        "resnet101": 44_549_160,
        "resnet152": 60_192_808,
        "vgg11": 132_863_336,
        "vgg13": 133_047_848,
        "vgg16": 138_357_544,
        "vgg19": 143_667_240,
        "vgg16_bn": 138_365_992,
    }.items()
}

# Our zoo name -> (keras.applications class name, published parameter count in millions).
KERAS_APPLICATIONS_PARAMS: dict[str, tuple[str, Reference]] = {
    "vgg16": ("VGG16", Reference(138.4, _KA, M)),
    "vgg19": ("VGG19", Reference(143.7, _KA, M)),
    "resnet50": ("ResNet50", Reference(25.6, _KA, M)),
    "resnet101": ("ResNet101", Reference(44.7, _KA, M)),
    "resnet152": ("ResNet152", Reference(60.4, _KA, M)),
    "preact_resnet50": ("ResNet50V2", Reference(25.6, _KA, M)),
    "preact_resnet101": ("ResNet101V2", Reference(44.7, _KA, M)),
    "preact_resnet152": ("ResNet152V2", Reference(60.4, _KA, M)),
}

PAPER_PARAMS: dict[str, Reference] = {
    "lenet5": Reference(60_000, "LeCun et al., Gradient-Based Learning Applied to Document "
                        "Recognition (Proc. IEEE 1998): LeNet-5 has 60,000 trainable parameters",
                        note="C3 is sparsely connected (Table I), S2/S4 have trainable "
                        "coefficients, the output RBF codes are fixed by hand"),
    "alexnet": Reference(60, "Krizhevsky et al., ImageNet Classification with Deep CNNs "
                         "(NIPS 2012), abstract: '60 million parameters'", M,
                         note="two-tower network: conv2, conv4, conv5 see only their own GPU's "
                         "half of the channels"),
    "vgg11": Reference(133, _VGG + ", configuration A", M),
    "vgg13": Reference(133, _VGG + ", configuration B", M),
    "vgg16": Reference(138, _VGG + ", configuration D", M),
    "vgg19": Reference(144, _VGG + ", configuration E", M),
    "googlenet": Reference(6_797_700, "Szegedy et al., Going Deeper with Convolutions (CVPR "
                           "2015), Table 1, column params summed (2.7K + 112K + ... + 1000K)",
                           note="without the two auxiliary classifiers"),
    "se_resnet50": Reference(25 + 2.5, _SE + ": '~2.5 million additional parameters beyond "
                             "the ~25 million parameters required by ResNet-50'", M,
                             note="both halves are rounded in the paper"),
}

# GoogLeNet, Table 1 of Szegedy et al. (CVPR 2015): row -> (params in thousands, ops in millions).
GOOGLENET_TABLE1_SOURCE = "Szegedy et al., Going Deeper with Convolutions (CVPR 2015), Table 1"
GOOGLENET_TABLE1: dict[str, tuple[float, float]] = {
    "conv1": (2.7, 34), "conv2": (112, 360),
    "3a": (159, 128), "3b": (380, 304),
    "4a": (364, 73), "4b": (437, 88), "4c": (463, 100), "4d": (580, 119), "4e": (840, 170),
    "5a": (1072, 54), "5b": (1388, 71),
    "linear": (1000, 1),
}

# Numbers printed in the lecture documents (keys of LECTURES), kept so the course can show verdicts.
SLIDE_PARAMS: dict[str, Reference] = {
    "lenet5": Reference(61_706, '[DL1, "LeNet-5"]: 156 + 2,416 + 48,120 + 10,164 + 850'),
    "alexnet": Reference(62_378_344, '[DL1, "AlexNet"]: 34,944 + 614,656 + 885,120 + '
                         '1,327,488 + 884,992 + 37,752,832 + 16,781,312 + 4,097,000'),
    "vgg16": Reference(138, '[DL1, "VGGNet"]: "TOTAL params: 138M parameters"', M),
    "mnist_gap": Reference(326_534, '[DL1, "Global Average Pooling"]: model.summary() '
                           '"Total params: 326,534"'),
    "googlenet": Reference(4, '[GDSC, "Pop Quiz"]: "GoogLeNet (22-layers) -> 4M"', M),
}

# The VGG-16 memory/weights slide of DL1, one row per listed layer:
# (label, activation values as printed, exact activation values, weights without biases).
VGG16_SLIDE_ROWS: tuple[tuple[str, str, int, int], ...] = (
    ("INPUT", "150K", 224 * 224 * 3, 0),
    ("CONV3-64", "3.2M", 224 * 224 * 64, 1_728),
    ("CONV3-64", "3.2M", 224 * 224 * 64, 36_864),
    ("POOL2", "800K", 112 * 112 * 64, 0),
    ("CONV3-128", "1.6M", 112 * 112 * 128, 73_728),
    ("CONV3-128", "1.6M", 112 * 112 * 128, 147_456),
    ("POOL2", "400K", 56 * 56 * 128, 0),
    ("CONV3-256", "800K", 56 * 56 * 256, 294_912),
    ("CONV3-256", "800K", 56 * 56 * 256, 589_824),
    ("CONV3-256", "800K", 56 * 56 * 256, 589_824),
    ("POOL2", "200K", 28 * 28 * 256, 0),
    ("CONV3-512", "400K", 28 * 28 * 512, 1_179_648),
    ("CONV3-512", "400K", 28 * 28 * 512, 2_359_296),
    ("CONV3-512", "400K", 28 * 28 * 512, 2_359_296),
    ("POOL2", "100K", 14 * 14 * 512, 0),
    ("CONV3-512", "100K", 14 * 14 * 512, 2_359_296),
    ("CONV3-512", "100K", 14 * 14 * 512, 2_359_296),
    ("CONV3-512", "100K", 14 * 14 * 512, 2_359_296),
    ("POOL2", "25K", 7 * 7 * 512, 0),
    ("FC", "4096", 4096, 102_760_448),
    ("FC", "4096", 4096, 16_777_216),
    ("FC", "1000", 1000, 4_096_000),
)
VGG16_SLIDE_TOTAL_MEMORY = Reference(
    24, '[DL1, "VGGNet"]: "TOTAL memory: 24M * 4 bytes ~ 93MB / image"', M,
    note="the listed rows add up to 15.2 M values (61 MB in float32), not 24 M")

PAPER_MACS: dict[str, Reference] = {
    "resnet18": Reference(1.8, _HE, G),
    "resnet34": Reference(3.6, _HE, G),
    "resnet50": Reference(3.8, _HE, G),
    "resnet101": Reference(7.6, _HE, G),
    "resnet152": Reference(11.3, _HE, G),
    "vgg19": Reference(19.6, "He et al. (CVPR 2016), Sec. 3.3: VGG-19 has '19.6 billion FLOPs'", G),
    "se_resnet50": Reference(3.87, _SE + ": SE-ResNet-50 '~3.87 GFLOPs' vs 3.86 for ResNet-50",
                             G),
}

# MLP-Mixer, Tolstikhin et al. (NeurIPS 2021), Table 1: patch size, hidden size C, MLP widths
# D_S (token mixing) and D_C (channel mixing), number of layers, parameters in millions,
# at 224 x 224 input (so S = (224 / patch)^2 tokens).
_MIXER = "Tolstikhin et al., MLP-Mixer (NeurIPS 2021), Table 1"
MIXER_TABLE1: dict[str, dict] = {
    "mixer_s32": dict(patch=32, hidden=512, tokens_mlp=256, channels_mlp=2048, layers=8,
                      params=Reference(19, _MIXER, M)),
    "mixer_s16": dict(patch=16, hidden=512, tokens_mlp=256, channels_mlp=2048, layers=8,
                      params=Reference(18, _MIXER, M)),
    "mixer_b32": dict(patch=32, hidden=768, tokens_mlp=384, channels_mlp=3072, layers=12,
                      params=Reference(60, _MIXER, M)),
    "mixer_b16": dict(patch=16, hidden=768, tokens_mlp=384, channels_mlp=3072, layers=12,
                      params=Reference(59, _MIXER, M)),
    "mixer_l32": dict(patch=32, hidden=1024, tokens_mlp=512, channels_mlp=4096, layers=24,
                      params=Reference(206, _MIXER, M)),
    "mixer_l16": dict(patch=16, hidden=1024, tokens_mlp=512, channels_mlp=4096, layers=24,
                      params=Reference(207, _MIXER, M)),
    "mixer_h14": dict(patch=14, hidden=1280, tokens_mlp=640, channels_mlp=5120, layers=32,
                      params=Reference(431, _MIXER, M)),
}

_ILSVRC = "ILSVRC {} results page (image-net.org/challenges/LSVRC/{}/results), classification task"
_RUSS = "Russakovsky et al., ImageNet Large Scale Visual Recognition Challenge (IJCV 2015), Table 7"
# (year, team, model, top-5 error in %, won the classification task, source)
ILSVRC: tuple[tuple[int, str, str, float, bool, str], ...] = (
    (2010, "NEC-UIUC", "SIFT/LBP + SVM", 28.2, True, _RUSS),
    (2011, "XRCE", "Fisher vectors + SVM", 25.8, True, _RUSS),
    (2012, "SuperVision", "AlexNet", 15.3, True, _RUSS),
    (2013, "Clarifai", "ZFNet", 11.7, True, _RUSS),
    (2014, "GoogLeNet", "GoogLeNet", 6.67, True, _RUSS),
    (2014, "VGG", "VGG", 7.3, False, _RUSS),
    (2015, "MSRA", "ResNet", 3.57, True, _ILSVRC.format(2015, 2015)),
    (2016, "Trimps-Soushen", "ensemble (Inception, ResNet, ...)", 2.99, True,
     _ILSVRC.format(2016, 2016)),
    (2017, "WMW", "SENet", 2.25, True, _ILSVRC.format(2017, 2017)),
)


def ilsvrc_table():
    """ILSVRC top-5 errors as a DataFrame: year, team, model, top5_error (%), winner, source."""
    import pandas as pd

    columns = ["year", "team", "model", "top5_error", "winner", "source"]
    return pd.DataFrame(list(ILSVRC), columns=columns)


# What each entry of ``ILSVRC`` with a CNN architecture really was. Every competition result is
# an ensemble, so a parameter count can only describe one network of the entry's architecture.
ILSVRC_ENTRIES: dict[str, str] = {
    "AlexNet": "7 CNNs averaged, 2 of them pre-trained on ImageNet Fall 2011 (Krizhevsky et al. "
               "2012, Sec. 6)",
    "ZFNet": "Clarifai's entry (Zeiler's company): several networks averaged, built on the ZFNet "
             "design (Zeiler & Fergus 2014)",
    "VGG": "an ensemble of 7 VGG nets (Simonyan & Zisserman 2015)",
    "GoogLeNet": "7 GoogLeNets, 144 crops per image (Szegedy et al. 2015, Table 3)",
    "ResNet": "6 ResNets of different depths, two of them 152 layers (He et al. 2016, Sec. 4.1)",
    "SENet": "an ensemble of SE networks around SENet-154, an SE-ResNeXt-152 (64x4d) with a "
             "3-convolution stem (Hu et al., Squeeze-and-Excitation Networks, TPAMI 2019, "
             "Appendix, Details of SENet-154)",
}

# Single-network results that the lectures quote next to the competition's ensemble results.
SINGLE_MODEL_TOP5: dict[str, Reference] = {
    "resnet152": Reference(4.49, "He et al. (CVPR 2016), Table 4: ResNet-152, single model, "
                           "ImageNet validation set, top-5 error in %"),
}
