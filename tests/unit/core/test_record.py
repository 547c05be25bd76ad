"""core/record.Record: the dataclass behaviour `search`'s result types rely on, without a dataclass's cost."""

import pytest

from voicejournal.core.record import Factory, Record


class Point(Record):
    x: int
    y: int = 0
    seen: list[str] = Factory(list)

    @property
    def total(self) -> int:
        return self.x + self.y


def test_fields_in_order_by_position_or_keyword_with_defaults():
    assert Point._fields == ("x", "y", "seen")
    p = Point(1, y=2)
    assert (p.x, p.y, p.seen, p.total) == (1, 2, [], 3)
    assert Point(1).seen is not Point(1).seen  # a new list each time
    assert repr(Point(1, 2, ["a"])) == "Point(x=1, y=2, seen=['a'])"


def test_equality_by_fields_and_type():
    assert Point(1, 2) == Point(x=1, y=2)
    assert Point(1, 2) != Point(1, 3)
    assert Point(1) != (1, 0, [])
    with pytest.raises(TypeError):
        hash(Point(1))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [((), {}, "missing the field 'x'"), ((1, 2, [], 4), {}, "at most 3 fields"),
     ((1,), {"x": 2}, "unexpected or repeated field 'x'"), ((1,), {"z": 2}, "unexpected or repeated field 'z'")],
)  # fmt: skip
def test_wrong_construction_is_a_type_error(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)


def test_records_stay_mutable():
    p = Point(1)
    p.y = 5
    p.seen.append("a")
    assert p == Point(1, 5, ["a"])
