"""A lane's regorus engine, built the first time the lane is evaluated.

Why: a scan builds every lane at load (about 16 engines for the bundled
checks), but evaluates only the lanes whose kinds occur in the input; for a
small scan most are never used, and parsing their checks was a visible part
of start-up (issue 16: one Pod reaches 6 of 16 lanes).  Every module was
vetted at load already (syntax, builtins, inventory reads: shipped facts or a
live parse), so deferring the build changes no error a scan reports.

The stand-in records ``clear_data`` and ``add_data_json`` until the engine
exists and replays them, in order, when it is built; any other call builds
it first.  A forked worker builds the lanes it uses itself.
"""

from __future__ import annotations

from typing import Any, Callable

_RECORDED = ("clear_data", "add_data_json")


class LazyEngine:
    """Stands in for a ``regorus.Engine`` made by ``build`` on first real use."""

    __slots__ = ("_build", "_engine", "_data")

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._engine: Any = None
        self._data: list[tuple[str, tuple[Any, ...]]] = []

    @property
    def built(self) -> bool:
        return self._engine is not None

    def engine(self) -> Any:
        """The real engine, built (and given the recorded data) if it was not yet."""
        if self._engine is None:
            engine = self._build()
            for name, args in self._data:
                getattr(engine, name)(*args)
            self._data = []
            self._engine = engine
        return self._engine

    def clear_data(self) -> None:
        if self._engine is None:
            self._data = [("clear_data", ())]  # what came before is cleared anyway
        else:
            self._engine.clear_data()

    def add_data_json(self, text: str) -> None:
        if self._engine is None:
            self._data.append(("add_data_json", (text,)))
        else:
            self._engine.add_data_json(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine(), name)
