"""Achievement against the ambition, one dot per line, with the threshold line (rules: 70%)."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.ticker import PercentFormatter

from charts._svg import MUTED, OUTSIDE, POINT, as_floats, check_id, figure, label_margin, number_text, to_svg

#: the axis shows achievement from −50% to 150% of the ambition; a value beyond is an arrow at the edge
#: it passes, with the value written beside it (the data table after the chart has every value)
AXIS = (-0.5, 1.5)


def achievement_chart(labels: Sequence[str], achievement: Sequence, *, threshold: float, title: str,
                      chart_id: str, threshold_label: str | None = None) -> str:
    """A dot per label at its achievement (a fraction: 1 = the ambition met), a line at ``threshold``.

    Dots below the threshold are drawn in the warning colour and a different marker shape (colour is
    never the only cue). A None achievement (not yet known, not assessable) gets no dot and is named
    in the text alternative.

    :param labels: what each dot is (a board, or a metric and period).
    :param achievement: fractions, or None.
    :param threshold: the line, as a fraction (0.7 for 70%).
    :raise ValueError: lengths that differ, a value that is not a number.
    """
    check_id(chart_id)
    values = as_floats("achievement", achievement, allow_none=True)
    threshold = as_floats("threshold", [threshold])[0]
    if len(labels) != len(values):
        raise ValueError(f"labels and achievement must have the same length; got {len(labels)} and "
                         f"{len(values)}")
    if not labels:
        raise ValueError("there must be at least one label")

    n = len(labels)
    low, high = AXIS
    fig = figure(8, 1.3 + 0.34 * n)
    ax = fig.add_subplot()
    ax.axvline(threshold, color=OUTSIDE, linestyle="--", linewidth=1.2)
    ax.axvline(1.0, color=MUTED, linestyle=":", linewidth=1)
    # the threshold's label to the left of its line, the ambition's to the right: they never overlap
    ax.text(threshold, -0.75, f"{threshold:.0%} threshold ", color=OUTSIDE, fontsize=9, ha="right")
    ax.text(1.0, -0.75, " ambition met", color=MUTED, fontsize=9, ha="left")
    shown = [None if v is None else min(max(v, low), high) for v in values]
    groups = (  # (which points, colour, marker): off-scale points are arrows at the edge they pass
        (lambda v: threshold <= v <= high, POINT, "o"), (lambda v: v > high, POINT, ">"),
        (lambda v: low <= v < threshold, OUTSIDE, "D"), (lambda v: v < low, OUTSIDE, "<"))
    for keep, colour, marker in groups:
        points = [(i, shown[i]) for i, v in enumerate(values) if v is not None and keep(v)]
        if points:
            ax.scatter([x for _, x in points], [i for i, _ in points], color=colour, marker=marker, s=40,
                       zorder=3, clip_on=False)
    below = [v for v in values if v is not None and v < threshold]
    for i, v in enumerate(values):
        if v is not None and not low <= v <= high:
            beyond_high = v > high
            ax.text(high - 0.05 if beyond_high else low + 0.05, i, f"{v * 100:,.0f}%".replace("-", "−"),
                    ha="right" if beyond_high else "left", va="center", fontsize=8, color=MUTED)
        elif v is None:
            ax.text(low + 0.03, i, "not known yet", va="center", fontsize=8, color=MUTED)
    ax.set_yticks(range(n), labels=list(labels))
    ax.set_ylim(n - 0.5, -1.1)
    ax.set_xlim(low, high)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Achievement: share of the planned improvement delivered")
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    inches = 1.3 + 0.34 * n
    fig.subplots_adjust(left=label_margin(labels, 8), right=0.96, bottom=0.55 / inches, top=1 - 0.2 / inches)

    known = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None]
    unknown = [label for label, v in zip(labels, values, strict=True) if v is None]
    parts = [f"{label}: {number_text(v * 100)}%" for label, v in known]
    description = (f"{len(known)} of {n} with an achievement; {len(below)} below the "
                   f"{threshold_label or f'{number_text(threshold * 100)}% threshold'}. "
                   + "; ".join(parts) + "."
                   + (f" Not known: {', '.join(unknown)}." if unknown else ""))
    return to_svg(fig, chart_id, title, description)
