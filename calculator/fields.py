"""marshmallow fields shared by the request and response schemas.

Finance returns arrive from people's own tools and spreadsheets, so each field refuses loudly what it
cannot take exactly: NaN, Infinity and absurd magnitudes such as 1e308 (a number that large is a typing
or export error, never a count or a pool of money), booleans posing as numbers, and count blocks that
mix the keys of two kinds of block. Lists and maps are bounded before their items are read, so a
10 MB body of junk costs one check, not a million.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, fields

from bcf.money import PENNY, round_money, to_money

# 10^12: far beyond any count, population or pool in the scheme (the national pool is 10^9 pounds)
MAX_MAGNITUDE = 10**12


def _describe(low: float | None, high: float | None, low_exclusive: bool) -> str:
    if low is None:
        return f"at most {high:,}"
    relation = "greater than" if low_exclusive else "at least"
    return f"{relation} {low:g} and at most {high:,}"


class Number(fields.Float):
    """A finite JSON number (or numeric string) within ``[minimum, maximum]``.

    Booleans are refused (``true`` is not a count), as are NaN, Infinity and magnitudes beyond
    :data:`MAX_MAGNITUDE`, each with a message saying what was expected.
    """

    default_error_messages = {
        "invalid": "Not a valid number.",
        "special": "Must be a finite number: NaN and Infinity are not allowed.",
        "too_large": "Number too large: must be at most 1,000,000,000,000 in size.",
    }

    def __init__(self, *, minimum: float | None = -MAX_MAGNITUDE, maximum: float = MAX_MAGNITUDE,
                 exclusive_minimum: bool = False, **kwargs: Any):
        super().__init__(allow_nan=False, **kwargs)
        self.minimum, self.maximum, self.exclusive_minimum = minimum, maximum, exclusive_minimum
        if minimum is not None:
            self.metadata.setdefault("minimum", minimum)
            if exclusive_minimum:
                self.metadata.setdefault("exclusiveMinimum", True)
        self.metadata.setdefault("maximum", maximum)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        number = super()._deserialize(value, attr, data, **kwargs)
        low, high = self.minimum, self.maximum
        if (low is not None and (number < low or (self.exclusive_minimum and number == low))) \
                or number > high:
            if abs(number) > MAX_MAGNITUDE:
                raise self.make_error("too_large")
            raise ValidationError(f"Must be {_describe(low, high, self.exclusive_minimum)}.")
        return number


_AMOUNT_TEXT = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")  # a sign, digits, a decimal point


class MoneyField(fields.Field):
    """Pounds: a JSON number or a numeric string in, a :class:`~decimal.Decimal` for :mod:`bcf`.

    Converted with ``Decimal(str(x))`` (py-moneyed's rule, style §5), so 0.1 stays 0.1 and no float
    arithmetic touches money. On the way out the amount is a JSON number to the penny: the Decimal
    already rounded by the domain (rules §8) is rounded half up to two places once more only to
    render it, which changes nothing, and dumped as that Decimal, which the app's JSON provider writes
    with its two decimals (``1000000.00``), never through a float. ``None`` dumps as null.
    """

    default_error_messages = {
        "invalid": "Not a valid amount of money: send a number of pounds such as 1000000.00.",
        "special": "Must be a finite amount: NaN and Infinity are not allowed.",
        "range": "Must be between 0 and 1,000,000,000,000 pounds.",
        "pennies": "Must be pounds to the penny: at most two decimal places.",
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"minimum": 0, "maximum": MAX_MAGNITUDE, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self.make_error("invalid")
        try:
            amount = to_money(str(value).strip())
        except (InvalidOperation, ValueError, TypeError) as error:
            raise self.make_error("invalid") from error
        if not amount.is_finite():
            raise self.make_error("special")
        if isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(value.strip()):
            raise self.make_error("invalid")  # no "1_000" or "1e6": digits and a decimal point only
        if amount < 0 or amount > MAX_MAGNITUDE:
            raise self.make_error("range")
        if amount != amount.quantize(PENNY):
            raise self.make_error("pennies")
        return amount

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Decimal | None:
        return None if value is None else money_written(value)


def money_written(value: Decimal | int | str | float) -> Decimal:
    """An amount as :class:`MoneyField` writes it: rounded half up to the penny (bcf.money's defaults).

    Called for every amount that is not None.
    """
    if type(value) is Decimal:  # what the domain answers (to_money would return it as it is)
        return round_money(value)
    amount = to_money(repr(value) if isinstance(value, float) else value)  # repr: shortest exact form
    return round_money(amount)  # half up to the penny (bcf.money's defaults)


class BoundedList(fields.List):
    """A list whose length is checked before its items are read (a huge list fails in one step)."""

    def __init__(self, cls_or_instance: Any, *, max_length: int, min_length: int = 0, **kwargs: Any):
        super().__init__(cls_or_instance, **kwargs)
        self.min_length, self.max_length = min_length, max_length
        self.metadata.setdefault("maxItems", max_length)
        if min_length:
            self.metadata.setdefault("minItems", min_length)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        self.check_length(value)
        return super()._deserialize(value, attr, data, **kwargs)

    def check_length(self, value: Any) -> None:
        if isinstance(value, list | tuple) and not self.min_length <= len(value) <= self.max_length:
            raise ValidationError(
                f"Must have between {self.min_length} and {self.max_length} items, not {len(value)}."
            )


class KeyedMap(fields.Dict):
    """A JSON object of named entries (``periods``), each loaded by ``values``.

    marshmallow's ``Dict`` files a value's errors under ``<key>.value``; a finance officer wants
    ``periods.april-2015.baseline.numerator``, so errors are filed under the key itself.
    """

    def __init__(self, values: fields.Field, *, max_entries: int, key_length: int = 40, **kwargs: Any):
        super().__init__(keys=fields.String(), values=values, **kwargs)
        self.max_entries, self.key_length = max_entries, key_length
        self.metadata.setdefault("minProperties", 1)
        self.metadata.setdefault("maxProperties", max_entries)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        return self.load_entries(value, lambda item: self.value_field.deserialize(item, **kwargs))

    def load_entries(self, value: Any, load_value: Callable[[Any], Any]) -> dict[str, Any]:
        """Check the entries' count and names and load each value with ``load_value``."""
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        if not 1 <= len(value) <= self.max_entries:
            raise ValidationError(f"Must have between 1 and {self.max_entries} entries, not {len(value)}.")
        result: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not 1 <= len(key) <= self.key_length:
                message = f"Must be a name of 1 to {self.key_length} characters."
                errors[str(key)[: self.key_length]] = [message]
                continue
            try:
                result[key] = load_value(item)
            except ValidationError as error:
                errors[key] = error.messages
        if errors:
            raise ValidationError(errors, valid_data=result)
        return result


class CountBlock(fields.Field):
    """A measurement: which of api.md's count blocks it is, is decided by its keys.

    ``{numerator, denominator}`` (rate, proportion), ``{mean, sd, n}`` (score), ``{bands: [...]}``
    (dsr) or ``{value}`` alone. Keys from two kinds of block are refused as ambiguous rather than
    guessed at; a block of one kind is then loaded by its own schema, which refuses unknown keys and
    names each missing or malformed field.

    :param blocks: ``(name, keys, schema)`` per kind of block, in the order they are documented.
    """

    def __init__(self, blocks: tuple[tuple[str, frozenset[str], type[ma.Schema]], ...], **kwargs: Any):
        super().__init__(**kwargs)
        self.blocks = blocks
        self._schemas = {name: schema() for name, _, schema in blocks}

    def _expected(self) -> str:
        return " or ".join("{" + ", ".join(sorted(keys)) + "}" for _, keys, _ in self.blocks)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return self._schemas[self.kind_of(value)].load(value)

    def kind_of(self, value: Any) -> str:
        """The name of the one kind of block whose keys ``value`` has (ValidationError if none or two)."""
        if not isinstance(value, Mapping):
            raise ValidationError(f"Must be an object: a count block {self._expected()}.")
        sent = set(value)
        matched = [(name, keys) for name, keys, _ in self.blocks if keys & sent]
        if not matched:
            shown = ", ".join(sorted(str(k) for k in sent)[:10]) or "no keys"
            raise ValidationError(f"Not a count block: expected {self._expected()}, got {shown}.")
        if len(matched) > 1:
            kinds = " and ".join(
                f"{name} ({', '.join(sorted(keys & sent))})" for name, keys in matched
            )
            raise ValidationError(
                f"Ambiguous count block: it mixes the keys of {kinds}; send exactly one kind of block."
            )
        return matched[0][0]
