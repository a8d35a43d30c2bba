"""The batch: nothing is computed if any row is wrong, and the domain's JSON paths come back as cells.

``Double`` stands for :class:`calculator.Calculator` (its contract: ``prepare`` a request dict or raise
``InvalidInput`` with JSON-path problems; ``calculate_many`` what was prepared into response dicts):
these tests are about the batch's own behaviour, which must not depend on what the determination
decides.
"""

import pytest

from bcf.errors import InvalidInput, UnknownRuleSet
from sheets.batch import calculate_upload


class Double:
    """A calculator that prepares a board as its code, refusing the boards it is told to."""

    def __init__(self, boards, problems_by_board=None, refuse=None):
        self.boards, self.prepared, self.computed = boards, [], []
        self.problems_by_board = problems_by_board or {}
        self.refuse = refuse  # prepare raises this error for every board

    def prepare(self, payload):
        self.prepared.append(payload["hwb_code"])
        if self.refuse is not None:
            raise self.refuse
        problems = self.problems_by_board.get(payload["hwb_code"])
        if problems:
            raise InvalidInput("invalid", problems=problems)
        return payload["hwb_code"]

    def calculate_many(self, codes):
        self.computed.append(list(codes))
        return [{"hwb_code": code, "tranches": []} for code in codes]


def test_all_boards_calculated_in_order(boards, template_files):
    calculator = Double(boards)
    result = calculate_upload(template_files, calculator)
    assert calculator.prepared == ["E06000001", "E08000021"]
    assert calculator.computed == [["E06000001", "E08000021"]]  # prepared once, computed in one call
    assert [r.request.hwb_name for r in result.boards] == ["Hartlepool", "Newcastle upon Tyne"]
    assert result.determinations == [{"hwb_code": "E06000001", "tranches": []},
                                     {"hwb_code": "E08000021", "tranches": []}]


def test_a_bad_cell_means_nothing_is_computed(boards, template_files):
    template_files["pools"] = b"hwb_code,p4p_pool\nE06000001,TBC\n"
    calculator = Double(boards)
    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, calculator)
    assert calculator.computed == []
    assert caught.value.problems == [{"location": "pools.csv row 2, column p4p_pool",
                                      "message": "p4p_pool must be a number; got 'TBC'"}]
    assert caught.value.message == \
        "The upload has 1 problem; nothing was computed. Fix them and upload again."


def test_domain_problems_of_every_board_map_back_to_cells(boards, template_files):
    calculator = Double(boards, {
        "E06000001": [{"location": "metrics[2].local_metric",
                       "message": "unknown local metric 'PHOF-2.24i'"}],
        "E08000021": [{"location": "metrics[0].periods.april-2015.baseline.numerator",
                       "message": "too small"},
                      {"location": "metrics[3].periods.april-2015", "message": "no such period"},
                      {"location": "p4p_pool", "message": "no pool"},
                      {"location": "metrics[5].definition.unit", "message": "is required"},
                      {"location": "metrics[0].periods.october-2015.plan", "message": "plan is too high"},
                      {"location": "", "message": "whole board"}],
    })
    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, calculator)
    assert caught.value.problems == [
        {"location": "metrics.csv row 4, column local_metric",
         "message": "local_metric: unknown local metric 'PHOF-2.24i'"},  # the column named for bare messages
        {"location": "metrics.csv row 11, column baseline_numerator",
         "message": "baseline_numerator: too small"},
        {"location": "metrics.csv row 11, column hwb_code", "message": "E08000021: whole board"},
        # the residential_admissions row of Newcastle is row 14; "april-2015" is not one of its periods
        {"location": "metrics.csv row 14, column period", "message": "no such period"},
        {"location": "metrics.csv row 16, column plan", "message": "plan is too high"},
        {"location": "metrics.csv row 18, column definition_unit", "message": "definition_unit is required"},
        {"location": "pools.csv row 3, column p4p_pool", "message": "p4p_pool: no pool"},
    ]


def test_a_board_without_a_pool_is_pointed_at_pools_csv(boards, template_files):
    template_files["pools"] = None
    calculator = Double(boards, {"E06000001": [{"location": "p4p_pool", "message": "Required: no pool."}]})
    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, calculator)
    assert caught.value.problems == [{
        "location": "pools.csv column p4p_pool",
        "message": "E06000001: Required: no pool. In an upload, pools.csv can give it: a row "
                   "E06000001,<pool in pounds>."}]


def test_no_board_is_computed_when_one_is_invalid(boards, template_files):
    calculator = Double(boards, {"E08000021": [{"location": "metrics[1].metric", "message": "bad"}]})
    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, calculator)
    assert calculator.prepared == ["E06000001", "E08000021"] and calculator.computed == []
    # metrics[1] of Newcastle is its second row, row 12; a bare message is said to be about the column
    assert caught.value.problems == [{"location": "metrics.csv row 12, column metric",
                                      "message": "metric: bad"}]


def test_other_domain_errors_name_the_board(boards, template_files):
    calculator = Double(boards, refuse=UnknownRuleSet("unknown rule set; known: bcf-2015-16"))
    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, calculator)
    assert caught.value.problems[0] == {"location": "metrics.csv row 2, column hwb_code",
                                        "message": "E06000001: unknown rule set; known: bcf-2015-16"}
    assert len(caught.value.problems) == 2


def test_progress_wraps_the_board_loop(boards, template_files):
    seen = []

    def progress(items):
        seen.append(len(items))
        return items

    calculate_upload(template_files, Double(boards), progress=progress)
    assert seen == [2]


def test_validator_problems_join_cell_problems_except_echoes_of_a_flagged_cell(boards, template_files):
    # row 2 has a bad plan; the domain (here: a double) complains about row 2 and row 11
    template_files["metrics"] = template_files["metrics"].replace(b",440,", b",TBC,", 1)
    calculator = Double(boards, {
        "E06000001": [{"location": "metrics[0].periods.april-2015.plan", "message": "may not be null"}],
        "E08000021": [{"location": "metrics[0].periods.april-2015.plan", "message": "is too high"}],
    })
    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, calculator)
    assert caught.value.problems == [
        {"location": "metrics.csv row 2, column plan", "message": "plan must be a number; got 'TBC'"},
        {"location": "metrics.csv row 11, column plan", "message": "plan is too high"},
    ]
    assert calculator.computed == []


def test_domain_problems_about_other_cells_of_a_flagged_row_are_reported(boards, template_files):
    # row 2's plan is unreadable; what the domain says about that cell is an echo, but its problem with
    # another cell of the same row is not
    template_files["metrics"] = template_files["metrics"].replace(b",440,", b",TBC,", 1)
    calculator = Double(boards, {"E06000001": [
        {"location": "metrics[0].periods.april-2015.plan", "message": "may not be null"},
        {"location": "metrics[0].periods.april-2015.actual.numerator", "message": "must be a whole number"},
    ]})
    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, calculator)
    assert caught.value.problems == [
        {"location": "metrics.csv row 2, column actual_numerator",
         "message": "actual_numerator must be a whole number"},
        {"location": "metrics.csv row 2, column plan", "message": "plan must be a number; got 'TBC'"},
    ]


def test_compute_takes_chunks_and_progress_still_wraps_every_board(boards, template_files, monkeypatch):
    monkeypatch.setattr("sheets.batch.CHUNK", 1)
    seen, calculator = [], Double(boards)

    def progress(items):
        seen.append(len(items))
        return items

    result = calculate_upload(template_files, calculator, progress=progress)
    assert seen == [2]
    assert calculator.computed == [["E06000001"], ["E08000021"]]
    assert [r.determination["hwb_code"] for r in result.boards] == ["E06000001", "E08000021"]


def test_a_board_compute_refuses_is_mapped_to_its_cells_and_nothing_is_answered(boards, template_files):
    """Not expected after validation, but if the batch computation refuses, the refusal still names
    the board's own cells, and the upload is refused whole."""
    calls = []

    class Refusing(Double):
        def calculate_many(self, codes):
            calls.append(list(codes))
            if "E08000021" in codes:
                raise InvalidInput("invalid", problems=[{"location": "metrics[0].periods.april-2015.plan",
                                                         "message": "is too high"}])
            return [{"hwb_code": code} for code in codes]

    with pytest.raises(InvalidInput) as caught:
        calculate_upload(template_files, Refusing(boards))
    assert caught.value.problems == [{"location": "metrics.csv row 11, column plan",
                                      "message": "plan is too high"}]
    assert calls == [["E06000001", "E08000021"], ["E06000001"], ["E08000021"]]  # the chunk, then one by one


def test_problems_are_capped_and_counted(boards):
    """Issue 15: 1,500 bad rows are counted in full but the first MAX_PROBLEMS listed, with the rest
    counted in a last entry, so a file of mistakes cannot make an answer (or a worker) enormous."""
    from bcf.errors import MAX_PROBLEMS

    rows = "".join(f"NOPE{i},delayed_transfers,april-2015,440\n" for i in range(1500))
    metrics = ("hwb_code,metric,period,plan\n" + rows).encode()
    with pytest.raises(InvalidInput) as caught:
        calculate_upload({"metrics": metrics}, Double(boards))
    total = caught.value.context["problem_count"]
    assert total == 3000  # per row: the unknown code, and the missing baseline
    assert caught.value.message.startswith("The upload has 3,000 problems; nothing was computed.")
    assert len(caught.value.problems) == MAX_PROBLEMS + 1
    assert caught.value.problems[0]["location"] == "metrics.csv row 2, column baseline_numerator"
    assert caught.value.problems[-1] == {"location": "$",
                                         "message": f"… and {3000 - MAX_PROBLEMS} more problems."}
