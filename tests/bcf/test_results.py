"""The one-step ``__init__`` of :func:`bcf.frozen.frozen_dataclass` makes the objects the dataclass's own
``__init__`` makes: same attributes, same values, same equality and hash, still frozen."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcf import plan, results, tranches
from bcf.assessment import Assessment, Subject
from bcf.frozen import frozen_dataclass

CLASSES = [
    getattr(module, name)
    for module in (results, plan)
    for name in dir(module)
    if isinstance(getattr(module, name), type) and dataclasses.is_dataclass(getattr(module, name))
] + [tranches.LineInput, Assessment, Subject]


def plain_twin(cls: type) -> type:
    """The same fields (names, order, defaults) as an ordinary ``@dataclass(frozen=True)``."""
    specs = [
        (f.name, f.type, dataclasses.field(default=f.default))
        if f.default is not dataclasses.MISSING
        else (f.name, f.type)
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True)


def test_every_class_of_plans_and_results_is_made_in_one_step() -> None:
    assert len(CLASSES) >= 29  # 26 in bcf.results and bcf.plan, and three more
    for cls in CLASSES:
        assert cls.__init__.__code__.co_filename == "<string>"
        assert "__dict__" in cls.__init__.__code__.co_consts


def test_the_parameters_are_the_dataclass_ones() -> None:
    for cls in CLASSES:
        twin = plain_twin(cls)
        ours = list(inspect.signature(cls).parameters.values())
        theirs = list(inspect.signature(twin).parameters.values())
        assert [(p.name, p.default, p.kind) for p in ours] == [(p.name, p.default, p.kind) for p in theirs]


anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                     st.decimals(allow_nan=False), st.tuples(st.integers()))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CLASSES), st.data())
def test_the_same_object_as_the_dataclass_makes(cls: type, data: st.DataObject) -> None:
    twin = plain_twin(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    values = [data.draw(anything) for _ in names]
    given_count = data.draw(st.integers(len([f for f in dataclasses.fields(cls)
                                               if f.default is dataclasses.MISSING]), len(names)))
    by_keyword = data.draw(st.booleans())
    args, kwargs = ((), dict(zip(names[:given_count], values, strict=False))) if by_keyword else (
        values[:given_count], {})
    ours, theirs = cls(*args, **kwargs), twin(*args, **kwargs)
    assert ours.__dict__ == theirs.__dict__
    assert [type(v) for v in ours.__dict__.values()] == [type(v) for v in theirs.__dict__.values()]
    assert list(ours.__dict__) == list(theirs.__dict__)  # the same order: the same repr, the same dump
    assert repr(ours) == repr(theirs).replace(twin.__qualname__, cls.__qualname__, 1)
    assert ours == cls(*args, **kwargs)
    try:
        assert hash(ours) == hash(cls(*args, **kwargs))
    except TypeError:  # unhashable values (a list inside): the dataclass's hash refuses them too
        with pytest.raises(TypeError):
            hash(theirs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ours, names[0], 1)
    assert dataclasses.replace(ours).__dict__ == ours.__dict__


def test_missing_or_unknown_arguments_are_refused_as_before() -> None:
    with pytest.raises(TypeError):
        results.PlanWarning("code", None, None)
    with pytest.raises(TypeError):
        results.PlanWarning("code", None, None, "message", extra=1)
    with pytest.raises(TypeError):
        frozen_dataclass(type("Listed", (), {"__annotations__": {"x": "list"},
                                                     "x": dataclasses.field(default_factory=list)}))
    with pytest.raises(TypeError, match="__post_init__"):
        frozen_dataclass(type("Checked", (), {"__annotations__": {"x": "int"},
                                              "__post_init__": lambda self: None}))
