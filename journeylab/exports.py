"""How a subpackage offers its public names without importing all of its modules.

Each subpackage's ``__init__`` lists its public names by module and hands the list to
:func:`lazy_exports`: a name is imported from its module when first used, so importing one
module of a subpackage never imports the others, and the subpackages add no import cycle
between them. A module of the package is an attribute too, imported when first used
(``jl.studies.notebook_parameters``).
"""
from __future__ import annotations

import sys
from importlib import import_module
from importlib.util import find_spec
from typing import Callable

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: dict[str, tuple[str, ...]]
                 ) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` for ``package``, whose public names are
    ``exports`` (module name -> names defined there).

    Examples
    --------
    >>> names, getattr_, dir_ = lazy_exports("journeylab.core", {"log": ("EventLog",)})
    >>> names, getattr_("EventLog").__name__, getattr_("schema").__name__
    (['EventLog'], 'EventLog', 'journeylab.core.schema')
    """
    home = {name: module for module, names in exports.items() for name in names}
    names = [name for module_names in exports.values() for name in module_names]

    def __getattr__(name: str):
        if name not in home:
            # a module of the package (``jl.studies``) is there when asked, as if imported
            if not name.startswith("_") and find_spec(f"{package}.{name}") is not None:
                return import_module(f".{name}", package)
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{home[name]}", package), name)
        setattr(sys.modules[package], name, value)  # found directly from now on
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return names, __getattr__, __dir__
