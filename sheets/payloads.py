"""Turn the rows of metrics.csv, conditions.csv and pools.csv into one api.md JSON request per board.

The request is exactly what ``POST /api/v1/calculations`` accepts, so a board computed from a CSV
upload goes through the same validation and determination as one sent as JSON. Alongside each request
we keep where every part of it came from (JSON path → file, row, column), so that a problem reported
as ``metrics[2].periods.april-2015.plan`` can be shown as ``metrics.csv row 14, column plan``.

Only what a CSV adds is checked here: cell formats, board codes, duplicates, the shape of the files
and the names of condition fields. What the rules say about a plan (a metric not in the catalogue, a
period it does not have, a count block of the wrong kind) is checked once, by the domain, for JSON and
CSV alike, and mapped back.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from functools import partial

from bcf import plan as plan_types
from bcf.catalogue import Catalogue
from sheets.reading import (
    CellError,
    CsvFile,
    Location,
    NotReadable,
    Percent,
    Row,
    parse_bool,
    parse_date,
    parse_money,
    parse_number,
    read_csv,
)

DEFINITION_FIELDS = ("name", "type", "polarity", "unit", "source", "jhws_link")
METRICS_COLUMNS = (
    "hwb_code", "metric", "local_metric", "period",
    "baseline_numerator", "baseline_denominator", "baseline_value", "baseline_sd", "baseline_n",
    "plan",
    "actual_numerator", "actual_denominator", "actual_value", "actual_sd", "actual_n",
    "history",
    *(f"definition_{name}" for name in DEFINITION_FIELDS),
)
METRICS_REQUIRED = ("hwb_code", "metric", "period", "plan")
CONDITIONS_COLUMNS = ("hwb_code", "condition", "field", "value")
POOLS_COLUMNS = ("hwb_code", "p4p_pool")
FILES = {  # upload field -> (file name, known columns, required columns)
    "metrics": ("metrics.csv", METRICS_COLUMNS, METRICS_REQUIRED),
    "conditions": ("conditions.csv", CONDITIONS_COLUMNS, CONDITIONS_COLUMNS),
    "pools": ("pools.csv", POOLS_COLUMNS, POOLS_COLUMNS),
}

Problem = tuple[Location, str]


def _evidence_fields() -> dict[str, dict[str, type]]:
    """Condition → evidence field → kind (bool, str, date, float, list), read from :mod:`bcf.plan`.

    The dataclasses are the one description of the evidence; deriving the CSV's field names from them
    means a field added there is accepted here without a second list to keep in step.
    """
    kinds: dict[str, dict[str, type]] = {}
    for condition in fields(plan_types.Conditions):
        evidence_class = _without_none(typing.get_type_hints(plan_types.Conditions)[condition.name])
        hints = typing.get_type_hints(evidence_class)
        kinds[condition.name] = {f.name: _kind(hints[f.name]) for f in fields(evidence_class)}
    return kinds


def _without_none(hint):
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union else hint


def _kind(hint) -> type:
    inner = _without_none(hint)
    return list if typing.get_origin(inner) is tuple else inner


EVIDENCE = _evidence_fields()


@dataclass
class BoardRequest:
    """One board's api.md request, with the cell each part of it came from."""

    hwb_code: str
    hwb_name: str
    payload: dict
    locations: dict[str, Location] = field(default_factory=dict)
    home: Location = Location("metrics.csv")  # the board's first row, for whole-board problems
    #: what writes the metrics' and metric-periods' cells into ``locations``, run only when a problem is
    #: located: a valid upload never needs them, and writing ~8 paths per row was a fifth of reading the
    #: files. Their paths (under ``metrics[i]``) are written by nothing else, so the order is immaterial.
    later: list[Callable[[dict[str, Location]], None]] = field(default_factory=list)
    region: str = ""  # the board's region and NHS region (reference_data/boards.csv), for the workbook
    nhs_region: str = ""

    def locate(self, path: str) -> Location:
        """The cell for a JSON path, or for its nearest recorded parent; else the board's first row.

        ``metrics[2].periods.april-2015.baseline.numerator`` → ``metrics.csv row 14, column
        baseline_numerator``. Paths written ``metrics.2.periods`` (marshmallow's keys) are accepted too.
        """
        for write_locations in self.later:
            write_locations(self.locations)
        self.later.clear()
        path = re.sub(r"\.(\d+)(?=\.|\[|$)", r"[\1]", path.strip().removeprefix("$.").removeprefix("json."))
        while path:
            if path in self.locations:
                return self.locations[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.home


@dataclass
class _Metric:
    index: int
    first: Row
    periods: dict[str, dict] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)


def build_requests(files: Mapping[str, bytes | None], boards: Mapping[str, object],
                   catalogue: Catalogue | None = None) -> tuple[list[BoardRequest], list[Problem]]:
    """Read the uploaded files and build one request per board in metrics.csv, in order of appearance.

    :param files: upload field name (``metrics``, ``conditions``, ``pools``) → bytes, or None if absent.
    :param boards: the known boards by code (their ``name`` is used for the results).
    :param catalogue: the metric catalogue, to refuse ``85%`` for a metric that is not a percentage
        (without it, a % cell is read on the percent scale whatever the metric).
    :return: the requests and every problem found; requests are only usable if there are no problems.
    """
    problems: list[Problem] = []
    tables: dict[str, CsvFile] = {}
    for key, (name, known, required) in FILES.items():
        data = files.get(key)
        if data is None:
            if key == "metrics":
                problems.append((Location(name), "this file is required (upload it as the 'metrics' field)"))
            continue
        try:
            tables[key] = read_csv(name, data, known=known, required=required)
            problems.extend(tables[key].problems)  # listed with the cells' problems, not instead of them
        except NotReadable as error:
            problems.extend(error.problems)
    if "metrics" not in tables:
        return [], problems

    requests: dict[str, BoardRequest] = {}
    metrics = _read_metrics(tables["metrics"], boards, requests, problems, catalogue)
    for (code, metric_id), metric in metrics.items():
        request = requests[code]
        request.payload.setdefault("metrics", []).append(_metric_payload(metric_id, metric, problems))
        request.later.append(partial(_metric_locations, metric, f"metrics[{metric.index}]"))
    if "conditions" in tables:
        _read_conditions(tables["conditions"], boards, requests, problems)
    if "pools" in tables:
        _read_pools(tables["pools"], boards, requests, problems)
    return list(requests.values()), problems


def _board(row: Row, file: str, boards: Mapping[str, object], problems: list[Problem]) -> str | None:
    code = row.cells["hwb_code"].upper()
    if not code:
        problems.append((Location(file, row.number, "hwb_code"), "hwb_code is empty"))
        return None
    if code not in boards:
        problems.append((Location(file, row.number, "hwb_code"),
                         f"unknown board code {row.cells['hwb_code']!r}; the 152 board codes (such as "
                         "E06000001) are listed at GET /api/v1/hwbs"))
        return None
    return code


# --- metrics.csv ------------------------------------------------------------------------------------


def _read_metrics(table: CsvFile, boards, requests: dict[str, BoardRequest], problems: list[Problem],
                  catalogue: Catalogue | None = None) -> dict[tuple[str, str], _Metric]:
    metrics: dict[tuple[str, str], _Metric] = {}
    seen: dict[tuple[str, str, str], int] = {}
    per_board: dict[str, int] = {}
    for row in table.rows:
        cells = row.cells
        code = _board(row, table.name, boards, problems)
        metric_id, period = cells["metric"], cells["period"]
        for column, value in (("metric", metric_id), ("period", period)):
            if not value:
                problems.append((Location(table.name, row.number, column), f"{column} is empty"))
        if code is None or not metric_id or not period:
            _period(row, table.name, problems)  # still report every bad cell of the row
            continue
        if code not in requests:
            board = boards[code]
            requests[code] = BoardRequest(code, getattr(board, "name", code), {"hwb_code": code},
                                          {"hwb_code": Location(table.name, row.number, "hwb_code"),
                                           "p4p_pool": Location("pools.csv", None, "p4p_pool")},
                                          Location(table.name, row.number, "hwb_code"),
                                          region=getattr(board, "region", ""),
                                          nhs_region=getattr(board, "nhs_region", ""))
        key = (code, metric_id)
        if key not in metrics:
            metrics[key] = _Metric(per_board.get(code, 0), row)
            per_board[code] = per_board.get(code, 0) + 1
        metric = metrics[key]
        metric.rows.append(row)
        if (code, metric_id, period) in seen:
            problems.append((Location(table.name, row.number, "period"),
                             f"duplicate row: {code} {metric_id} {period} is also given in row "
                             f"{seen[code, metric_id, period]}"))
            continue
        seen[code, metric_id, period] = row.number
        metric.periods[period] = _period(row, table.name, problems)
        _check_percent_cells(row, table.name, metric_id, catalogue, problems)
        requests[code].later.append(partial(_period_locations, row, table.name,
                                            f"metrics[{metric.index}].periods.{period}"))
    return metrics


#: the columns in the metric's own unit: a proportion's are percentages (0–100, metrics.md), so a
#: ``%`` typed there is read on that scale (``85%`` is 85); counts, sds and sizes refuse a %
VALUE_COLUMNS = ("baseline_value", "plan", "actual_value", "history")


def _cell_number(row: Row, file: str, column: str, problems: list[Problem]) -> int | float | None:
    text = row.cells.get(column, "")
    if not text:
        return None
    try:
        scale = Percent.POINTS if column in VALUE_COLUMNS else Percent.REFUSED
        return parse_number(text, column, percent=scale)
    except CellError as error:
        problems.append((Location(file, row.number, column), str(error)))
        return None


_PARTS = ("numerator", "denominator", "value", "sd", "n")
_BLOCK_COLUMNS = {prefix: {part: f"{prefix}_{part}" for part in _PARTS} for prefix in ("baseline", "actual")}
_SCORE = {"mean": "numerator", "sd": "sd", "n": "n"}
_COUNTS = {"numerator": "numerator", "denominator": "denominator"}
_VALUE = {"value": "value"}


def _shape(row: Row, prefix: str) -> tuple[set[str], dict[str, str], set[str]]:
    """Which cells of a count block are filled, the block's shape (JSON name → part) and the parts
    filled that the shape has no place for: what :func:`_block` reads and :func:`_block_locations`
    locates, decided once for both."""
    cells = row.cells
    given = {part for part, column in _BLOCK_COLUMNS[prefix].items() if cells.get(column, "")}
    if given & {"sd", "n"}:
        return given, _SCORE, given & {"denominator", "value"}
    if given & {"numerator", "denominator"}:
        return given, _COUNTS, given & {"value"}
    return given, _VALUE, set()


def _block(row: Row, file: str, prefix: str, problems: list[Problem]) -> dict | None:
    """A count block from ``<prefix>_numerator`` etc.: counts, a score (mean in the numerator), or a value."""
    given, shape, extra = _shape(row, prefix)
    if not given:
        return None
    columns = _BLOCK_COLUMNS[prefix]
    numbers = {part: _cell_number(row, file, columns[part], problems) for part in given}
    missing = [part for part in shape.values() if part not in given]
    if extra or missing:  # the advice is written only when there is something wrong
        hint = _hint(shape, prefix)
        for part in sorted(extra):
            problems.append((Location(file, row.number, columns[part]), hint))
        for part in missing:
            problems.append((Location(file, row.number, columns[part]),
                             f"{columns[part]} is empty; {hint}" if hint else f"{columns[part]} is empty"))
    return {json_name: numbers.get(part) for json_name, part in shape.items()}


def _block_locations(row: Row, file: str, prefix: str, path: str, locations: dict[str, Location]) -> bool:
    """Where :func:`_block` read each part of the block at ``path`` from; False if it has none."""
    given, shape, _ = _shape(row, prefix)
    if not given:
        return False
    columns = _BLOCK_COLUMNS[prefix]
    for json_name, part in shape.items():
        locations[f"{path}.{json_name}"] = Location(file, row.number, columns[part])
    locations[path] = locations[f"{path}.{next(iter(shape))}"]
    return True


def _hint(shape: dict[str, str], prefix: str) -> str:
    """How a block of this shape is given, for a problem with it."""
    if shape is _SCORE:
        return (f"a score is given as {prefix}_numerator (the mean), {prefix}_sd and {prefix}_n, "
                f"with {prefix}_denominator and {prefix}_value empty")
    if shape is _COUNTS:
        return (f"give either {prefix}_numerator and {prefix}_denominator (counts, preferred) or "
                f"{prefix}_value alone, not both")
    return ""


def _period(row: Row, file: str, problems: list[Problem]) -> dict:
    """One metric-period of the request from its row; every bad cell goes to ``problems``."""
    at = lambda column: Location(file, row.number, column)  # noqa: E731
    period: dict = {}
    baseline = _block(row, file, "baseline", problems)
    if baseline is None:
        problems.append((at("baseline_numerator"), "the baseline is missing: give baseline_numerator and "
                                                   "baseline_denominator (or baseline_value)"))
    else:
        period["baseline"] = baseline
    if row.cells["plan"]:
        period["plan"] = _cell_number(row, file, "plan", problems)
    else:
        problems.append((at("plan"), "plan is empty; give the planned value (the level of ambition)"))
    actual = _block(row, file, "actual", problems)
    if actual is not None:
        period["actual"] = actual
    history_text = row.cells.get("history", "")
    if history_text:
        history = []
        for position, item in enumerate(history_text.split(";"), start=1):
            try:
                if not item.strip():
                    raise CellError(f"history value {position} is missing")
                history.append(parse_number(item, f"history value {position}", percent=Percent.POINTS))
            except CellError as error:
                problems.append((at("history"), f"{error} (values are separated by ';', oldest first)"))
        period["history"] = history
    return period


def _unit(row: Row, metric_id: str, catalogue: Catalogue) -> str | None:
    """The metric's unit as the catalogue (or the row's own definition) gives it; None if unknown."""
    info = catalogue.national.get(metric_id) or catalogue.local_menu.get(row.cells.get("local_metric", ""))
    if info is not None and not info.defined_by_plan:
        return info.unit
    return row.cells.get("definition_unit") or None


def _check_percent_cells(row: Row, file: str, metric_id: str, catalogue: Catalogue | None,
                         problems: list[Problem]) -> None:
    """A ``%`` in a value cell of a metric that is not a percentage is a mistake, not 3 per 100,000."""
    if catalogue is None or not any("%" in row.cells.get(column, "") for column in VALUE_COLUMNS):
        return
    unit = _unit(row, metric_id, catalogue)
    if unit is None or "%" in unit:
        return
    for column in VALUE_COLUMNS:
        if "%" in row.cells.get(column, ""):
            problems.append((Location(file, row.number, column),
                             f"{column} has a %, but {metric_id} is measured in {unit}, not a percentage; "
                             "give the value without %"))


def _period_locations(row: Row, file: str, path: str, locations: dict[str, Location]) -> None:
    """Where :func:`_period` read each part of the metric-period at ``path`` from (JSON path → cell)."""
    at = lambda column: Location(file, row.number, column)  # noqa: E731
    locations[path] = at("period")
    if not _block_locations(row, file, "baseline", f"{path}.baseline", locations):
        locations[f"{path}.baseline"] = at("baseline_numerator")  # where the domain's view of it lands too
    locations[f"{path}.plan"] = at("plan")
    _block_locations(row, file, "actual", f"{path}.actual", locations)
    history_text = row.cells.get("history", "")
    if history_text:
        locations[f"{path}.history"] = at("history")
        for index in range(history_text.count(";") + 1):  # one value per item of history_text.split(";")
            locations[f"{path}.history[{index}]"] = at("history")


def _agreed(metric: _Metric, column: str, file: str, problems: list[Problem]) -> tuple[str, Row | None]:
    """The one value a per-metric column has across the metric's rows (rows may leave it empty)."""
    value, source = "", None
    for row in metric.rows:
        text = row.cells.get(column, "")
        if not text:
            continue
        if source is None:
            value, source = text, row
        elif text != value:
            problems.append((Location(file, row.number, column),
                             f"{column} {text!r} differs from {value!r} in row {source.number}; "
                             "one metric has one value"))
    return value, source


def _metric_payload(metric_id: str, metric: _Metric, problems: list[Problem]) -> dict:
    """A metric of the request from its rows: the per-metric columns must agree across them."""
    file = "metrics.csv"
    payload: dict = {"metric": metric_id}
    local_metric, local_row = _agreed(metric, "local_metric", file, problems)
    definition: dict[str, str] = {}
    definition_row = None
    for name in DEFINITION_FIELDS:
        value, row = _agreed(metric, f"definition_{name}", file, problems)
        if value:
            definition[name] = value
            definition_row = definition_row or row
    if local_metric:
        if metric_id != "local":
            problems.append((Location(file, local_row.number, "local_metric"),
                             f"local_metric is only for metric 'local'; this row's metric is {metric_id!r}"))
        payload["local_metric"] = local_metric
    if definition:
        where = Location(file, (definition_row or metric.first).number, "definition_name")
        if local_metric:
            problems.append((where, "give local_metric (a menu id) or a definition of a local alternative, "
                                    "not both"))
        elif metric_id not in ("patient_experience", "local"):
            problems.append((where, "definition columns are only for patient_experience and a local "
                                    f"alternative; leave them empty for {metric_id}"))
        payload["definition"] = definition
    payload["periods"] = metric.periods
    return payload


def _metric_locations(metric: _Metric, path: str, locations: dict[str, Location]) -> None:
    """Where :func:`_metric_payload` read the metric at ``path`` from: its first row, or the row that
    gave a per-metric value (found as it found them; their disagreements were reported then)."""
    file, first = "metrics.csv", metric.first.number
    locations[path] = locations[f"{path}.metric"] = Location(file, first, "metric")
    locations[f"{path}.periods"] = Location(file, first, "period")
    _, local_row = _agreed(metric, "local_metric", file, [])
    locations[f"{path}.local_metric"] = Location(file, (local_row or metric.first).number, "local_metric")
    definition_row = None
    for name in DEFINITION_FIELDS:
        value, row = _agreed(metric, f"definition_{name}", file, [])
        if value:
            definition_row = definition_row or row
        locations[f"{path}.definition.{name}"] = Location(file, (row or metric.first).number,
                                                          f"definition_{name}")
    locations[f"{path}.definition"] = Location(file, (definition_row or metric.first).number,
                                               "definition_name")


# --- conditions.csv ---------------------------------------------------------------------------------


def _read_conditions(table: CsvFile, boards, requests: dict[str, BoardRequest],
                     problems: list[Problem]) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for row in table.rows:
        cells = row.cells
        at = lambda column, row=row: Location(table.name, row.number, column)  # noqa: E731
        code = _board(row, table.name, boards, problems)
        condition, name, text = cells["condition"].lower(), cells["field"].lower(), cells["value"]
        if code is not None and code not in requests:
            problems.append((at("hwb_code"), f"board {code} has conditions but no rows in metrics.csv"))
            code = None
        if condition not in EVIDENCE:
            problems.append((at("condition"), f"unknown condition {cells['condition']!r}; the conditions are "
                                              f"{', '.join(EVIDENCE)}"))
            continue
        kinds = EVIDENCE[condition]
        if name not in kinds:
            problems.append((at("field"), f"{condition} has no field {cells['field']!r}; its fields are "
                                          f"{', '.join(kinds)}"))
            continue
        value_at = at("value")
        value = _evidence_value(kinds[name], text, f"{condition} {name}", value_at, problems)
        if code is None or value is _INVALID:
            continue
        request = requests[code]
        evidence = request.payload.setdefault("conditions", {}).setdefault(condition, {})
        base = f"conditions.{condition}"
        locations = request.locations
        if base not in locations:  # the condition's first row; "conditions" is set with it, if not before
            locations.setdefault("conditions", at("condition"))
            locations[base] = at("condition")
        if kinds[name] is list:
            items = evidence.setdefault(name, [])
            locations.setdefault(f"{base}.{name}", value_at)
            locations[f"{base}.{name}[{len(items)}]"] = value_at
            items.append(value)
            continue
        if (code, condition, name) in seen:
            problems.append((at("field"), f"{condition} {name} for {code} is also given in row "
                                          f"{seen[code, condition, name]}; give each field once"))
            continue
        seen[code, condition, name] = row.number
        locations[f"{base}.{name}"] = value_at
        evidence[name] = value


_INVALID = object()


def _evidence_scale(what: str) -> Percent:
    """A ``…_proportion`` field of the evidence is a 0–1 fraction (rules §3: ``case_managed_proportion``
    given (0–1), as in api.md's example 0.04), so ``4%`` there is 0.04; other numbers refuse a %."""
    return Percent.FRACTION if what.endswith("_proportion") else Percent.REFUSED


def _evidence_value(kind: type, text: str, what: str, where: Location, problems: list[Problem]):
    try:
        if kind is bool:
            return parse_bool(text, what)
        if kind is date:
            return parse_date(text, what).isoformat()
        if kind is float:
            return parse_number(text, what, percent=_evidence_scale(what))
        if kind is list and not text:
            raise CellError(f"{what} is empty; give one item per row")
        return text
    except CellError as error:
        problems.append((where, str(error)))
        return _INVALID


# --- pools.csv --------------------------------------------------------------------------------------


def _read_pools(table: CsvFile, boards, requests: dict[str, BoardRequest], problems: list[Problem]) -> None:
    """Pools for the boards in metrics.csv; rows for other boards are checked but otherwise unused,
    so that a whole allocation table can be uploaded with the plans of a few boards."""
    seen: dict[str, int] = {}
    for row in table.rows:
        code = _board(row, table.name, boards, problems)
        where = Location(table.name, row.number, "p4p_pool")
        if code in requests and code not in seen:
            requests[code].locations["p4p_pool"] = where  # so a domain problem with it lands here
        try:
            amount = parse_money(row.cells["p4p_pool"], "p4p_pool")
        except CellError as error:
            problems.append((where, str(error)))
            continue
        if code is None:
            continue
        if code in seen:
            problems.append((Location(table.name, row.number, "hwb_code"),
                             f"board {code} has a pool in row {seen[code]} too; give each board once"))
            continue
        seen[code] = row.number
        if code in requests:
            requests[code].payload["p4p_pool"] = str(amount)


def describe(problems: Iterable[Problem], limit: int | None = None) -> list[dict[str, str]]:
    """Problems in file, row, column order as api.md's ``{location, message}`` entries (no repeats);
    with ``limit``, only the first ``limit`` of them are written out (see :func:`count_and_describe`)."""
    return count_and_describe(problems, limit)[0]


def count_and_describe(problems: Iterable[Problem],
                       limit: int | None = None) -> tuple[list[dict[str, str]], int]:
    """The first ``limit`` problems (all if None) in file, row, column order as entries, and how many
    distinct problems there are: a file of mistakes makes hundreds of thousands, and only what is
    answered is turned into text."""
    order = {name: i for i, (name, _, _) in enumerate(FILES.values())}
    unique = dict.fromkeys(problems)
    ranked = sorted(unique, key=lambda p: (order.get(p[0].file, 9), p[0].row or 0, p[0].column or "", p[1]))
    shown = ranked if limit is None else ranked[:limit]
    return [{"location": str(location), "message": message} for location, message in shown], len(ranked)
