"""Interactive explorers for notebooks and the dashboard: each widget calls one public
analysis function and draws its result with :mod:`journeylab.plot` (:mod:`.widgets`).
In a rendered report each explorer is a page that keeps working with no kernel and no
network (:mod:`.page`; what each page offers: :mod:`.static`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "widgets": ("ProcessMapExplorer", "VariantExplorer", "FunnelBuilder", "PersonaExplorer",
                "DriverExplorer"),
    "page": ("read_pages",),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
