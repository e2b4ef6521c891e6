"""The corpus registry's data, installed as the package ``nlptk.corpora``.

``registry.json`` lists the named corpora nlptk knows: those a dependency ships (gensim's
``lee_background.cor`` and friends) and well-known public corpora with their download
address and checksum. Read it through :mod:`nlptk.text.registry`, not directly.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["load_manifest"]


def load_manifest() -> dict[str, Any]:
    """Return the parsed ``registry.json`` shipped with nlptk."""
    text = resources.files(__name__).joinpath("registry.json").read_text(encoding="utf-8")
    return json.loads(text)
