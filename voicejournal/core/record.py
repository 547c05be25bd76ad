"""`Record`: what @dataclass gives a plain result type (positional or keyword construction, defaults, ==,
repr), for the few types `search` loads at start-up. Defining a dataclass costs ~0.6 ms (it compiles its
methods); defining a Record costs microseconds, and `search` in a fresh process is measured against grep.

Fields are the class's own annotations, in order; a default is a class attribute, or `Factory(list)` for a
new list per record."""

from __future__ import annotations


class Factory:
    """A default made anew for each record (dataclasses' `field(default_factory=…)`)."""

    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


class Record:
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls) -> None:
        cls._fields = tuple(cls.__dict__.get("__annotations__", {}))

    def __init__(self, *args, **kwargs) -> None:
        if len(args) > len(self._fields):
            raise TypeError(f"{type(self).__name__} takes at most {len(self._fields)} fields")
        values = dict(zip(self._fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in self._fields or name in values:
                raise TypeError(f"{type(self).__name__} got an unexpected or repeated field {name!r}")
            values[name] = value
        for name in self._fields:
            if name in values:
                value = values[name]
            elif name in type(self).__dict__:
                value = type(self).__dict__[name]
                if isinstance(value, Factory):
                    value = value.make()
            else:
                raise TypeError(f"{type(self).__name__} is missing the field {name!r}")
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({shown})"
