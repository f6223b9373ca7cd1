"""Plots for the course, one submodule per topic (signals, training, features, ...).

Every public name of every submodule is re-exported here, so notebooks write
``cnncourse.viz.plot_conv_steps(...)`` without knowing which file holds it. Functions draw on a
Matplotlib ``Axes`` (created when not given) and return it.
"""
import importlib
import pkgutil

__all__: list[str] = []
for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", []):
        if _name in globals():
            raise ImportError(f"cnncourse.viz.{_info.name} exports {_name!r}, which another viz "
                              "module already exports: rename one of them")
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
