"""Achievement against the ambition, one dot per line, with the threshold line (rules: 70%).

Two layouts. Up to :data:`LABELLED_ROWS` dots (a board's metrics) each gets a row with its name. More
(every board in the country) are ranked left to right by achievement with only those below the
threshold named: 152 names down the side would be unreadable, and drawing 152 tick labels takes
matplotlib several times longer than the rest of the chart. The named ones are numbered on the plot
and listed by number in a key under it (:mod:`charts._key`): names beside close points would overlap.
The data table after the chart names all.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.ticker import PercentFormatter

from charts._key import key_inches, key_labels, number_points
from charts._svg import MUTED, OUTSIDE, POINT, as_floats, check_id, figure, label_margin, number_text, to_svg

#: the axis shows achievement from −50% to 150% of the ambition; a value beyond is an arrow at the edge
#: it passes, with the value written beside it (the data table after the chart has every value)
AXIS = (-0.5, 1.5)
#: more dots than this are ranked, not labelled row by row
LABELLED_ROWS = 30
#: in the ranked layout, the lowest this many points below the threshold are numbered and in the key
#: (more would crowd the plot: points near the threshold are close together)
MAX_NAMED = 8


def achievement_chart(labels: Sequence[str], achievement: Sequence, *, threshold: float, title: str,
                      chart_id: str, threshold_label: str | None = None) -> str:
    """A dot per label at its achievement (a fraction: 1 = the ambition met), a line at ``threshold``.

    Dots below the threshold are drawn in the warning colour and a different marker shape (colour is
    never the only cue); values beyond the axis are arrows at its edge. A None achievement (not yet
    known, not assessable) gets no dot and is named in the text alternative.

    :param labels: what each dot is (a board, or a metric and period).
    :param achievement: fractions, or None.
    :param threshold: the line, as a fraction (0.7 for 70%).
    :param threshold_label: how the text alternative names the line (default "70% threshold").
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

    if len(labels) <= LABELLED_ROWS:
        fig, drawn_labels = _rows(labels, values, threshold), []
    else:
        fig, drawn_labels = _ranked(labels, values, threshold)

    below = [v for v in values if v is not None and v < threshold]
    known = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None]
    unknown = [label for label, v in zip(labels, values, strict=True) if v is None]
    parts = [f"{label}: {number_text(v * 100)}%" for label, v in known]
    description = (f"{len(known)} of {len(labels)} with an achievement; {len(below)} below the "
                   f"{threshold_label or f'{number_text(threshold * 100)}% threshold'}. "
                   + "; ".join(parts) + "."
                   + (f" Not known: {', '.join(unknown)}." if unknown else ""))
    return to_svg(fig, chart_id, title, description, drawn_labels)


def _marks(ax, xs: list[float], values: list[float | None], ys: list[float], threshold: float) -> None:
    """The dots (x along the achievement axis, or y in the ranked layout), by kind of mark."""
    low, high = AXIS
    groups = (  # (which points, colour, marker): off-scale points are arrows at the edge they pass
        (lambda v: threshold <= v <= high, POINT, "o"), (lambda v: v > high, POINT, ">"),
        (lambda v: low <= v < threshold, OUTSIDE, "D"), (lambda v: v < low, OUTSIDE, "<"))
    for keep, colour, marker in groups:
        chosen = [i for i, v in enumerate(values) if v is not None and keep(v)]
        if chosen:
            ax.scatter([xs[i] for i in chosen], [ys[i] for i in chosen], color=colour, marker=marker, s=40,
                       zorder=3, clip_on=False)


def _off_scale(value: float) -> str:
    return f"{value * 100:,.0f}%".replace("-", "−")


def _style(ax) -> None:
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _rows(labels: Sequence[str], values: list[float | None], threshold: float):
    n = len(labels)
    low, high = AXIS
    inches = 1.3 + 0.34 * n
    fig = figure(8, inches)
    ax = fig.add_subplot()
    ax.axvline(threshold, color=OUTSIDE, linestyle="--", linewidth=1.2)
    ax.axvline(1.0, color=MUTED, linestyle=":", linewidth=1)
    # the threshold's label to the left of its line, the ambition's to the right: they never overlap
    ax.text(threshold, -0.75, f"{threshold:.0%} threshold ", color=OUTSIDE, fontsize=9, ha="right")
    ax.text(1.0, -0.75, " ambition met", color=MUTED, fontsize=9, ha="left")
    shown = [low if v is None else min(max(v, low), high) for v in values]
    _marks(ax, shown, values, list(range(n)), threshold)
    for i, v in enumerate(values):
        if v is None:
            ax.text(low + 0.05, i, "not known yet", va="center", fontsize=8, color=MUTED)
        elif not low <= v <= high:
            beyond_high = v > high
            ax.text(high - 0.05 if beyond_high else low + 0.05, i, _off_scale(v),
                    ha="right" if beyond_high else "left", va="center", fontsize=8, color=MUTED)
    ax.set_yticks(range(n), labels=list(labels))
    ax.set_ylim(n - 0.5, -1.1)
    ax.set_xlim(low, high)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Achievement: share of the planned improvement delivered")
    ax.grid(axis="x", color="#eeeeee")
    _style(ax)
    fig.subplots_adjust(left=label_margin(labels, 8), right=0.96, bottom=0.55 / inches, top=1 - 0.2 / inches)
    return fig


def _ranked(labels: Sequence[str], values: list[float | None], threshold: float):
    """The ranked layout's figure and the labels (numbers, key) for :func:`charts._svg.to_svg` to write."""
    low, high = AXIS
    order = sorted((i for i, v in enumerate(values) if v is not None), key=lambda i: values[i])
    ranked = [values[i] for i in order]
    below = [k for k, v in enumerate(ranked) if v < threshold]
    named = below[:MAX_NAMED]
    extra = key_inches(len(named))
    height = 4.5 + extra
    fig = figure(8, height)
    ax = fig.add_subplot()
    positions = list(range(1, len(order) + 1))
    ax.axhline(threshold, color=OUTSIDE, linestyle="--", linewidth=1.2)
    ax.axhline(1.0, color=MUTED, linestyle=":", linewidth=1)
    ax.text(len(order) + 0.5, threshold, f" {threshold:.0%} threshold", color=OUTSIDE, fontsize=9,
            va="center")
    ax.text(len(order) + 0.5, 1.0, " ambition met", color=MUTED, fontsize=9, va="center")
    _marks(ax, positions, ranked, [min(max(v, low), high) for v in ranked], threshold)
    ax.set_xlim(0, len(order) + 1)
    ax.set_ylim(low, high)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("Achievement")
    ax.set_xlabel(f"{len(order)} ranked from lowest to highest achievement"
                  + (f" ({len(below) - MAX_NAMED} more below the threshold are in the table)"
                     if len(below) > MAX_NAMED else ""))
    ax.set_xticks([])
    ax.grid(axis="y", color="#eeeeee")
    _style(ax)
    fig.subplots_adjust(left=0.09, right=0.84, bottom=(0.585 + extra) / height, top=1 - 0.18 / height)
    drawn = [min(max(v, low), high) for v in ranked]
    numbers = number_points(ax, positions, drawn, named, every_x=positions, every_y=drawn, colour=OUTSIDE)
    key = key_labels(fig, [f"{labels[order[k]]}: {_off_scale(ranked[k])}" for k in named], colour=OUTSIDE,
                     left=0.09, heading="Numbered on the plot: " + (
                         f"the {len(named)} lowest below the threshold" if len(below) > len(named)
                         else "below the threshold"))
    return fig, numbers + key
