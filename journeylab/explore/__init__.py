"""Interactive explorers for notebooks and the dashboard: each widget calls one public
analysis function and draws its result with :mod:`journeylab.plot` (:mod:`.widgets`).
"""
from __future__ import annotations

from importlib import import_module

# Each public name is imported from its module when first used, so importing one module of
# this subpackage never imports the others (and adds no import cycle between subpackages).
_EXPORTS = {
    "widgets": ("ProcessMapExplorer", "VariantExplorer", "FunnelBuilder", "PersonaExplorer",
                "DriverExplorer"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [name for names in _EXPORTS.values() for name in names]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
