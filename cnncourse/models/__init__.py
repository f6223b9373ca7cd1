"""The architecture zoo: ``build(name, **kw)`` returns a functional Keras model.

Architectures are written as data next to the paper's table (named records such as
``alexnet.ALEXNET_CONV``, ``vgg.VGG_CONFIGS``, ``resnet.RESNET_TABLE``), layers carry the paper's
stage names, and only ``keras.layers`` / ``keras.ops`` are used, so every model runs unchanged on
the TensorFlow, JAX and PyTorch backends. One file per family registers its names; the blocks
the families share (conv-BN-activation, local response normalisation, residual units, SE,
inception, Mixer) live in ``blocks``; each architecture has one route (an SE-ResNet is
``build("se_resnet50")``, nothing else).

The classifier (the last layer, which outputs the ``num_classes`` softmax probabilities) is
named after the reference the family's layer names follow, so a model's summary reads like
that reference:

========================  ====================  ==========================================
family                    classifier            named after
========================  ====================  ==========================================
AlexNet, ZFNet, VGG       ``fc8``               the authors' Caffe models (fc6, fc7, fc8)
GoogLeNet                 ``loss3_classifier``  the reference Caffe model (aux heads:
                                                ``loss1_classifier``, ``loss2_classifier``)
ResNet, pre-act, SE       ``predictions``       ``keras.applications``
MLP-Mixer                 ``head``              the authors' Flax code
NiN                       ``softmax``           the paper has no classifier layer: global
                                                average pooling of one map per class, then
                                                a softmax activation
LeNet-5, MNIST models     ``output``            no reference names it: the default
========================  ====================  ==========================================

``mnist_gap`` keeps Keras's own default names throughout (``activation_4``), because the
slide it rebuilds prints them.
"""
from ._registry import available, build, builder, register

# Importing a family module registers its names.
from . import (  # noqa: E402,F401  (imported for their registrations)
    alexnet,
    blocks,
    googlenet,
    lenet,
    mixer,
    nin,
    resnet,
    senet,
    small,
    vgg,
    zfnet,
)

__all__ = ["available", "build", "builder", "register"]
