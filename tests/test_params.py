"""nlptk.params: declarations checked once, and command-line options derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nlptk.cli._params import config_options
from nlptk.errors import ParameterError
from nlptk.params import Params, check_choice, check_float, check_int, documented, param


@documented
@dataclass(frozen=True)
class ToyConfig(Params):
    """Settings of a toy trainer.

    Examples
    --------
    >>> ToyConfig().dim
    8
    """

    dim: int = param(8, help="Dimensions.", min=1)
    rate: float = param(0.5, help="Learning rate.", min=0.0, min_exclusive=True)
    mode: str = param("fast", help="Mode.", choices=("fast", "careful"))
    limit: int | None = param(None, help="At most this many.", min=1)
    sg: bool = param(True, help="Skip-gram or CBOW.", flag="--sg/--cbow")
    layers: tuple[int, ...] = param((1, 2), help="Layer sizes.", min=1)
    path: Path | None = param(None, help="A file.")
    hidden: int = param(3, help="Library only.", cli=False)

    def check(self) -> None:
        if self.mode == "careful" and self.rate > 0.1:
            raise ParameterError(f"rate={self.rate} is too high for mode='careful' (at most 0.1)")


def test_defaults_and_round_trip() -> None:
    config = ToyConfig(dim=4, layers=[3, 4], path="x.txt")
    assert config.layers == (3, 4) and config.path == Path("x.txt")
    data = config.to_dict()
    assert data["layers"] == [3, 4] and data["path"] == "x.txt"
    assert ToyConfig.from_dict(data) == config
    assert config.replace(dim=9).dim == 9 and config.dim == 4
    assert config.diff(config.replace(dim=9, mode="fast")) == ["dim"]


@pytest.mark.parametrize(
    ("changes", "name", "text"),
    [
        ({"dim": 0}, "dim", "dim=0 must be an integer >= 1"),
        ({"dim": 2.5}, "dim", "must be an integer"),
        ({"dim": True}, "dim", "must be an integer"),
        ({"rate": 0.0}, "rate", "rate=0.0 must be a number > 0"),
        ({"rate": float("nan")}, "rate", "must be a finite number"),
        ({"mode": "slow"}, "mode", "is not one of fast, careful"),
        ({"limit": 0}, "limit", "must be an integer >= 1"),
        ({"layers": (2, 0)}, "layers", "must be an integer >= 1"),
        ({"layers": "12"}, "layers", "must be a sequence"),
        ({"sg": 1}, "sg", "must be true or false"),
    ],
)
def test_bad_values_name_the_field(changes: dict, name: str, text: str) -> None:
    with pytest.raises(ParameterError, match=text) as info:
        ToyConfig(**changes)
    assert info.value.param == name


def test_cross_field_check_and_unknown_names() -> None:
    with pytest.raises(ParameterError, match="too high for mode='careful'"):
        ToyConfig(mode="careful")
    with pytest.raises(ParameterError, match="unknown ToyConfig setting: dims; known: dim"):
        ToyConfig.from_dict({"dims": 3})
    with pytest.raises(ParameterError, match="unknown"):
        ToyConfig().replace(colour="red")


def test_ints_become_floats_and_configs_are_frozen() -> None:
    config = ToyConfig(rate=1)
    assert isinstance(config.rate, float)
    with pytest.raises(AttributeError):
        config.dim = 3  # type: ignore[misc]


def test_docstring_is_derived_from_the_declarations() -> None:
    doc = ToyConfig.__doc__ or ""
    assert "dim : int, default=8\n    Dimensions (>= 1)." in doc
    assert "mode : {'fast', 'careful'}, default='fast'" in doc
    assert doc.rstrip().endswith("8")  # the example is kept after the Parameters section


def test_shared_checkers() -> None:
    assert check_int("n", 3, min=1) == 3
    assert check_int("n", None, allow_none=True) is None
    assert check_float("x", 2, max=2.0) == 2.0
    assert check_choice("c", "a", ("a", "b")) == "a"
    with pytest.raises(ParameterError, match="n=0 must be an integer >= 1"):
        check_int("n", 0, min=1)
    with pytest.raises(ParameterError, match=r"x=3\.0 must be a number <= 2"):
        check_float("x", 3.0, max=2.0)


def _app(seen: list[ToyConfig]) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @config_options(ToyConfig)
    def train(name: str, force: bool = False, *, config: ToyConfig) -> None:
        seen.append(config)
        if force:
            typer.echo("forced")

    @app.command()
    def other() -> None:  # a second command keeps typer from collapsing the group
        pass

    return app


def test_cli_options_come_from_the_declaration() -> None:
    seen: list[ToyConfig] = []
    runner = CliRunner()
    result = runner.invoke(
        _app(seen),
        [
            "train",
            "x",
            "--dim",
            "5",
            "--cbow",
            "--mode",
            "careful",
            "--rate",
            "0.05",
            "--layers",
            "4,5",
            "--force",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "forced" in result.output
    assert seen[-1] == ToyConfig(dim=5, sg=False, mode="careful", rate=0.05, layers=(4, 5))
    result = runner.invoke(_app(seen), ["train", "x"])
    assert seen[-1] == ToyConfig()  # nothing given: the dataclass defaults apply
    help_text = runner.invoke(_app(seen), ["train", "--help"], env={"COLUMNS": "200"}).output
    assert "--dim" in help_text and "Dimensions. [default: 8]" in help_text
    assert "--sg" in help_text and "--cbow" in help_text
    assert "--hidden" not in help_text  # cli=False


def test_cli_bad_value_names_the_option() -> None:
    seen: list[ToyConfig] = []
    result = CliRunner().invoke(_app(seen), ["train", "x", "--dim", "0"])
    assert result.exit_code != 0 and not seen
    assert isinstance(result.exception, ParameterError)
    assert str(result.exception) == "--dim 0 must be an integer >= 1"
