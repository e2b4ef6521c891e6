"""Deprecated path of :mod:`nlptk.lm.training`.

Renamed so that no module shares its name with a public function (``nlptk.embed.train`` was one).
"""

from nlptk._deprecated import moved_module

__getattr__ = moved_module(__name__, "nlptk.lm.training")
