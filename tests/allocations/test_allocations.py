"""bcf.allocations: components, minimum fund, pool and tranches per board (rules-2015-16.md §1, §8).

ALL AMOUNTS HERE ARE SYNTHETIC, made up to exercise the rules; expected figures are worked out by hand
or with fractions.Fraction, independently of the code under test.
"""

from decimal import Decimal
from fractions import Fraction

import pytest

from bcf.allocation_files import AllocationInputs, Table
from bcf.allocations import calculate_allocations
from bcf.errors import InvalidInput

D = Decimal
A, B, C = "E06000001", "E06000002", "E06000003"  # Hartlepool, Middlesbrough, Redcar and Cleveland


def board(result, code):
    found = result.board(code)
    assert found is not None, f"no row for {code}"
    return found


def test_guidance_two_equal_ccgs_example(csv_inputs, rule_set, boards):
    """Guidance: an area with two equal-sized CCGs that got £10m of the transfer gets £10m, £5m via each."""
    inputs = csv_inputs(
        ccg_amounts="ccg_code,social_care_transfer\n00A,5000000\n00B,5000000\n",
        ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,1\n00B,E06000001,1\n",
    )
    result = calculate_allocations(inputs, rule_set, boards)
    [hartlepool] = result.boards
    figure = hartlepool.components["social_care_transfer"]
    assert (figure.amount, figure.source) == (D("10000000.00"), "derived")
    assert "00A £5,000,000.00 × 1 = £5,000,000.00" in figure.explanation
    assert "00B £5,000,000.00 × 1 = £5,000,000.00" in figure.explanation
    assert hartlepool.ccg_contribution.amount == D("10000000.00")
    assert hartlepool.minimum_fund.amount == D("10000000.00")


def test_ccg_split_over_three_boards(csv_inputs, rule_set, boards):
    # £1,000,000.00 split 0.5/0.3/0.2 (boards by code); £1.01 likewise: 50.5p rounds half up to 51p,
    # 30.3p to 30p, and the last board by code takes the remainder 101 − 51 − 30 = 20p
    inputs = csv_inputs(
        ccg_amounts="ccg_code,ccg_core_nhs,carers_breaks\n01X,1000000,1.01\n",
        ccg_to_hwb="ccg_code,hwb_code,share\n01X,E06000003,0.2\n01X,E06000001,0.5\n01X,E06000002,0.3\n",
    )
    result = calculate_allocations(inputs, rule_set, boards)
    assert [b.hwb_code for b in result.boards] == [A, B, C]
    core = [b.components["ccg_core_nhs"].amount for b in result.boards]
    carers = [b.components["carers_breaks"].amount for b in result.boards]
    assert core == [D("500000.00"), D("300000.00"), D("200000.00")]
    assert carers == [D("0.51"), D("0.30"), D("0.20")]
    assert sum(carers) == D("1.01")
    assert "01X £1.01 × 0.5 = £0.51" in board(result, A).components["carers_breaks"].explanation


def test_half_penny_that_float_arithmetic_gets_wrong_is_rounded_up(csv_inputs, rule_set, boards):
    # 45p × 0.7 = 31.5p exactly, which rounds half up to 32p; in binary floating point 45 × 0.7 is
    # 31.499999999999996 and would round down to 31p. The other board takes the remaining 13p.
    inputs = csv_inputs(
        ccg_amounts="ccg_code,ccg_reablement\n02Y,0.45\n",
        ccg_to_hwb="ccg_code,hwb_code,share\n02Y,E06000001,0.7\n02Y,E06000002,0.3\n",
    )
    result = calculate_allocations(inputs, rule_set, boards)
    assert board(result, A).components["ccg_reablement"].amount == D("0.32")
    assert board(result, B).components["ccg_reablement"].amount == D("0.13")


def test_per_board_amounts_and_council_grants_are_user_supplied(csv_inputs, rule_set, boards):
    inputs = csv_inputs(
        ccg_amounts="hwb_code,ccg_core_nhs,ccg_reablement,carers_breaks,social_care_transfer\n"
                    "E06000001,100,20,5,50.5\n",
        council_grants="council_code,dfg,social_care_capital_grant\nE06000001,7.25,3\n",
    )
    [only] = calculate_allocations(inputs, rule_set, boards).boards
    assert only.components["ccg_core_nhs"].source == "user_supplied"
    assert "ccg_amounts.csv row 2, column ccg_core_nhs" in only.components["ccg_core_nhs"].explanation
    assert only.components["dfg"].source == "user_supplied"
    assert only.ccg_contribution.amount == D("175.50") and only.ccg_contribution.source == "derived"
    assert only.minimum_fund.amount == D("185.75")  # 175.50 + 7.25 + 3
    # one board alone: its pool is the whole £1bn, and its tranches 25%/25%/50% of it
    assert only.p4p_pool.amount == D("1000000000.00")
    assert [t.amount for t in only.tranches] == [D("250000000.00"), D("250000000.00"), D("500000000.00")]
    assert [t.tranche for t in only.tranches] == [t.id for t in rule_set.tranches]


def test_published_figures_override_derived(csv_inputs, rule_set, boards):
    inputs = csv_inputs(
        ccg_amounts="ccg_code,ccg_core_nhs\n00A,1000\n",
        ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,0.5\n00A,E06000002,0.5\n",
        published="hwb_code,ccg_contribution,dfg,social_care_capital_grant,minimum_fund,p4p_amount\n"
                  "E06000001,600,10,20,630,123.45\n",
    )
    result = calculate_allocations(inputs, rule_set, boards)
    a, b = board(result, A), board(result, B)
    assert a.components["ccg_core_nhs"].amount == D("500.00")  # still derived: nothing published for it
    assert a.components["ccg_core_nhs"].source == "derived"
    assert (a.ccg_contribution.amount, a.ccg_contribution.source) == (D("600.00"), "published")
    assert (a.minimum_fund.amount, a.minimum_fund.source) == (D("630.00"), "published")
    assert (a.p4p_pool.amount, a.p4p_pool.source) == (D("123.45"), "published")
    assert "published.csv row 2, column p4p_amount" in a.p4p_pool.explanation
    assert a.source == "published" and b.source == "illustrative"
    # tranches of a published pool, §8: round(123.45 × 0.25) = round(30.8625) = 30.86; × 0.5 = 61.725 → 61.73
    assert [t.amount for t in a.tranches] == [D("30.86"), D("30.86"), D("61.73")]
    # published ccg_contribution 600 vs its derived part 500: reported, not silently accepted
    differs = [w for w in result.warnings if w.code == "published-differs"]
    assert [(w.hwb_code, w.figure, w.difference) for w in differs] == [(A, "ccg_contribution", D("100.00"))]
    # the other board's pool comes from the formula over both minimum funds (630 + 500)
    assert b.p4p_pool.source == "derived"
    expected_b = Fraction(10**9) * 500 / 1130
    assert abs(Fraction(b.p4p_pool.amount) - expected_b) <= Fraction(1, 200)


def test_tranches_round_half_up_each_time(csv_inputs, rule_set, boards):
    # pool £0.03: 0.0075 → 0.01, 0.0075 → 0.01, 0.015 → 0.02 (§8 rounds each tranche; no remainder rule)
    inputs = csv_inputs(published="hwb_code,p4p_amount\nE06000001,0.03\n")
    [only] = calculate_allocations(inputs, rule_set, boards).boards
    assert [t.amount for t in only.tranches] == [D("0.01"), D("0.01"), D("0.02")]
    assert only.minimum_fund.amount is None and only.p4p_pool.source == "published"


def test_national_totals_that_do_not_match_are_warnings_with_the_difference(csv_inputs, rule_set, boards):
    inputs = csv_inputs(
        ccg_amounts="ccg_code,carers_breaks\n00A,100000000\n00B,29999999.99\n",
        ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,1\n00B,E06000002,1\n",
    )
    result = calculate_allocations(inputs, rule_set, boards)
    mismatch = [w for w in result.warnings if w.code == "national-total-mismatch"]
    # £130m nationally (rule set), £129,999,999.99 given: a penny short
    assert [(w.figure, w.difference) for w in mismatch] == [("carers_breaks", D("-0.01"))]
    assert "-£0.01" in mismatch[0].message and "£130,000,000.00" in mismatch[0].message
    # never rescaled
    assert board(result, A).components["carers_breaks"].amount == D("100000000.00")
    assert board(result, B).components["carers_breaks"].amount == D("29999999.99")
    assert any(w.code == "partial-coverage" for w in result.warnings)


def _national_inputs(rule_set, boards):
    """All 152 boards with uneven per-board amounts adding up exactly to each national figure."""
    codes = sorted(boards)
    weights = [(i * 37) % 101 + 1 for i in range(len(codes))]
    columns = {}
    for component in rule_set.fund_components:
        total = int(component.national_amount * 100)
        parts = [total * w // sum(weights) for w in weights[:-1]]
        columns[component.id] = [*parts, total - sum(parts)]
    ccg = [c.id for c in rule_set.fund_components if c.held_by == "ccg"]
    council = [c.id for c in rule_set.fund_components if c.held_by == "council"]

    def table(name, key, ids):
        lines = [",".join([key, *ids])]
        for i, code in enumerate(codes):
            lines.append(",".join([code, *(f"{Decimal(columns[c][i]) / 100:.2f}" for c in ids)]))
        return Table.from_csv(name, "\n".join(lines) + "\n")

    inputs = AllocationInputs(ccg_amounts=table("ccg_amounts.csv", "hwb_code", ccg),
                              council_grants=table("council_grants.csv", "council_code", council))
    minimum_funds = [sum(columns[c][i] for c in columns) for i in range(len(codes))]  # pennies
    return codes, inputs, minimum_funds


def test_pools_add_up_to_the_national_total_with_the_last_board_taking_the_remainder(rule_set, boards):
    codes, inputs, minimum_funds = _national_inputs(rule_set, boards)
    result = calculate_allocations(inputs, rule_set, boards)
    assert result.warnings == ()  # every national figure matches, every board covered
    pools = [b.p4p_pool.amount for b in result.boards]
    assert sum(pools) == rule_set.p4p_national_total == D("1000000000")
    total_pennies = 10**11
    whole = sum(minimum_funds)
    # half up to the penny, worked with exact fractions: floor(x + 1/2)
    expected = [int(Fraction(total_pennies * mf, whole) + Fraction(1, 2)) for mf in minimum_funds[:-1]]
    expected.append(total_pennies - sum(expected))
    assert [int(p * 100) for p in pools] == expected
    last = result.boards[-1]
    assert last.hwb_code == codes[-1]
    exact_last = Fraction(total_pennies * minimum_funds[-1], whole)
    if expected[-1] != int(exact_last + Fraction(1, 2)):
        assert "rounding remainder" in last.p4p_pool.explanation
    assert all(b.source == "illustrative" for b in result.boards)
    assert result.totals["minimum_fund"] == sum(c.national_amount for c in rule_set.fund_components)


def test_tables_without_rows_are_an_error_not_an_empty_table(csv_inputs, rule_set, boards):
    inputs = csv_inputs(ccg_to_hwb="ccg_code,hwb_code,share\n", ccg_amounts="ccg_code,ccg_core_nhs\n\n")
    with pytest.raises(InvalidInput, match="no board"):
        calculate_allocations(inputs, rule_set, boards)


def test_codes_are_plain_strings_and_cells_are_stripped(csv_inputs, rule_set, boards):
    inputs = csv_inputs(ccg_amounts="ccg_code,ccg_core_nhs,ccg_name\n 00A ,10, Synthetic CCG A\n",
                        ccg_to_hwb="ccg_code,hwb_code,share\n00A, E06000002 , 0.5\n00A,E06000001,0.5\n")
    result = calculate_allocations(inputs, rule_set, boards)
    assert [type(b.hwb_code) for b in result.boards] == [str, str]
    assert [b.components["ccg_core_nhs"].amount for b in result.boards] == [D("5.00"), D("5.00")]


def test_input_problems_stop_the_calculation(csv_inputs, rule_set, boards):
    # the checks themselves are tests/allocations/test_allocation_files.py; here: nothing is calculated
    inputs = csv_inputs(ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,1\n",
                        ccg_amounts="ccg_code,ccg_core_nhs\n00A,-5\n")
    with pytest.raises(InvalidInput, match="nothing was calculated") as caught:
        calculate_allocations(inputs, rule_set, boards)
    assert [p["location"] for p in caught.value.problems] == ["ccg_amounts.csv row 2, column ccg_core_nhs"]


# --- issue 15: derived pools need the whole country's minimum funds -------------------------------------


def one_board_inputs(csv_inputs):
    """One board's CCG amounts, split and grants (SYNTHETIC): minimum fund £2,000,000.00."""
    return csv_inputs(
        ccg_amounts="ccg_code,ccg_core_nhs\n00A,1900000\n",
        ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,1\n",
        council_grants="council_code,dfg,social_care_capital_grant\nE06000001,60000,40000\n")


def test_one_board_alone_is_refused_naming_the_boards_covered_and_missing(csv_inputs, rule_set, boards):
    from bcf.allocations import check_derived_pools_cover

    result = calculate_allocations(one_board_inputs(csv_inputs), rule_set, boards)
    assert board(result, A).p4p_pool.amount == D("1000000000.00")  # the whole £1bn: why it is refused
    with pytest.raises(InvalidInput) as raised:
        check_derived_pools_cover(result, boards)
    assert "cover 1 of the 152 boards" in raised.value.message
    assert "£1,000,000,000.00" in raised.value.message
    [problem] = raised.value.problems
    assert problem["message"] == ("1 of 152 boards covered; 151 missing: E06000002, E06000003, E06000004, "
                                  "E06000005, E06000006 and 146 more")


def test_with_the_national_minimum_fund_a_partial_pool_is_its_share_of_the_country(csv_inputs, rule_set,
                                                                                    boards):
    from bcf.allocations import check_derived_pools_cover

    national = D("3800000000")
    result = calculate_allocations(one_board_inputs(csv_inputs), rule_set, boards,
                                   national_minimum_fund=national)
    pool = board(result, A).p4p_pool
    # £1bn × 2,000,000 ÷ 3,800,000,000 = 526,315.789… → 526,315.79 (no remainder taken: not all boards)
    assert pool.amount == D("526315.79") and pool.source == "derived"
    assert "national Σ minimum fund £3,800,000,000.00" in pool.explanation
    assert "remainder" not in pool.explanation
    partial = next(w for w in result.warnings if w.code == "partial-coverage")
    assert "against the national minimum fund £3,800,000,000.00" in partial.message
    check_derived_pools_cover(result, boards, national_minimum_fund=national)  # accepted


@pytest.mark.parametrize("national, words", [("1999999.99", "is less than"), ("0", "positive")])
def test_a_national_minimum_fund_that_cannot_be_is_refused(csv_inputs, rule_set, boards, national, words):
    with pytest.raises(InvalidInput) as raised:
        calculate_allocations(one_board_inputs(csv_inputs), rule_set, boards,
                              national_minimum_fund=D(national))
    assert raised.value.problems[0]["location"] == "national_minimum_fund"
    assert words in raised.value.problems[0]["message"]


def test_published_pools_for_some_boards_are_fine(csv_inputs, rule_set, boards):
    from bcf.allocations import check_derived_pools_cover

    inputs = csv_inputs(published="hwb_code,minimum_fund,p4p_amount\nE06000001,2000000,526315.79\n")
    result = calculate_allocations(inputs, rule_set, boards)
    check_derived_pools_cover(result, boards)  # no derived pool: nothing shared among too few boards


def test_all_152_boards_are_covered_without_a_national_figure(csv_inputs, rule_set, boards):
    from bcf.allocations import check_derived_pools_cover

    rows = "".join(f"{code},{1000000 + number}\n" for number, code in enumerate(sorted(boards)))
    inputs = csv_inputs(published=f"hwb_code,minimum_fund\n{rows}")
    result = calculate_allocations(inputs, rule_set, boards)
    check_derived_pools_cover(result, boards)
    assert result.totals["p4p_pool"] == rule_set.p4p_national_total
    total = sum((b.minimum_fund.amount for b in result.boards), D(0))
    again = calculate_allocations(inputs, rule_set, boards, national_minimum_fund=total)
    assert again.totals["minimum_fund"] == total
    with pytest.raises(InvalidInput, match="does not fit"):  # every board given: the sum is the national one
        calculate_allocations(inputs, rule_set, boards, national_minimum_fund=total + 1)
