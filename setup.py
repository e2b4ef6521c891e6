"""Package discovery that pyproject.toml cannot express: the top-level ``corpora/`` folder
(the corpus registry) is installed as the subpackage ``nlptk.corpora``."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["nlptk", "nlptk.*"]), "nlptk.corpora"],
    package_dir={"nlptk.corpora": "corpora"},
)
