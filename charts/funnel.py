"""A funnel plot: every area's value against its size, the average, and 95% and 99.8% control limits.

The limits come from :mod:`metrics.funnels` (``proportion_funnel``, ``ratio_funnel``, ``rate_funnel``);
this module only draws them. Points whose significance label is High or Low (outside the 95% limits)
are named, as PHE's Fingertips names the areas outside the funnel: numbered on the plot and listed by
number in a key under it (:mod:`charts._key`), because names printed beside close points overlap.
They are numbered in the order of their names, the order the page's data table lists them in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from charts._key import key_inches, key_labels, number_points
from charts._svg import (
    AVERAGE,
    LIMIT_95,
    LIMIT_998,
    OUTSIDE,
    POINT,
    as_floats,
    check_id,
    figure,
    number_text,
    to_svg,
)

#: the words of metrics.funnels' significance labels that mean "outside the limits"
_OUTSIDE_WORDS = ("High", "Low")
#: the plot's height and margins (inches); the key, when there is one, is added below
_HEIGHT, _BOTTOM, _TOP = 5.0, 0.55, 0.7


def funnel_chart(funnel, x: Sequence, y: Sequence, labels: Sequence[str], *, title: str, chart_id: str,
                 x_label: str, y_label: str) -> str:
    """Draw ``funnel`` (a :class:`metrics.funnels.Funnel`) with one point per area.

    :param funnel: its ``at`` is the x axis of the limit lines and its ``significance`` has a label per
        area, in the order of ``x``, ``y`` and ``labels``.
    :param x: each area's position on the funnel's axis (its denominator for proportions, its observed
        count for ratios and rates).
    :param y: each area's value, in the units of ``funnel.average``.
    :param labels: the areas' names.
    :raise ValueError: lengths that differ, values that are not finite numbers.
    """
    check_id(chart_id)
    xs, ys = as_floats("x", x), as_floats("y", y)
    significance = [str(s) for s in np.asarray(funnel.significance).ravel()]
    if not (len(xs) == len(ys) == len(labels) == len(significance)):
        raise ValueError(f"x, y, labels and the funnel's significance must have the same length; got "
                         f"{len(xs)}, {len(ys)}, {len(labels)} and {len(significance)}")
    if not xs:
        raise ValueError("there must be at least one area")

    outside = np.array([s.startswith(_OUTSIDE_WORDS) for s in significance])
    x_arr, y_arr = np.array(xs), np.array(ys)
    ratio = funnel.statistic == "ratio"
    centre = 1.0 if ratio else float(funnel.average)  # ratios are judged against 1, not their average
    centre_name = "expected value" if ratio else "average"

    named = sorted(np.flatnonzero(outside).tolist(), key=lambda i: (str(labels[i]), i))
    extra = key_inches(len(named))
    height = _HEIGHT + extra
    fig = figure(8, height)
    ax = fig.add_subplot()
    at = np.asarray(funnel.at, dtype=float)
    ax.plot(at, funnel.upper_998, color=LIMIT_998, linewidth=1, linestyle="--", label="99.8% limits")
    ax.plot(at, funnel.lower_998, color=LIMIT_998, linewidth=1, linestyle="--")
    ax.plot(at, funnel.upper_95, color=LIMIT_95, linewidth=1, linestyle=":", label="95% limits")
    ax.plot(at, funnel.lower_95, color=LIMIT_95, linewidth=1, linestyle=":")
    ax.axhline(centre, color=AVERAGE, linewidth=1, label=f"{centre_name.capitalize()} {number_text(centre)}")
    ax.scatter(x_arr[~outside], y_arr[~outside], s=14, color=POINT, alpha=0.8, label="Within the 95% limits",
               zorder=3)
    if outside.any():
        ax.scatter(x_arr[outside], y_arr[outside], s=30, color=OUTSIDE, marker="D", zorder=4,
                   label="Outside the 95% limits")
    # the lines run to the axis's small end, where they reach 0 and 100%: show the part the areas are in
    near = at >= 0.8 * x_arr.min()
    shown = np.concatenate([y_arr, funnel.lower_998[near], funnel.upper_998[near]])
    shown = shown[np.isfinite(shown)]
    span = max(float(shown.max() - shown.min()), 1e-9)
    ax.set_ylim(float(shown.min()) - 0.08 * span, float(shown.max()) + 0.08 * span)
    ax.set_xlim(0, float(max(at.max(), x_arr.max())) * 1.02)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    ax.yaxis.set_major_formatter(lambda v, _pos: number_text(v))
    ax.grid(color="#eeeeee")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, frameon=False)
    # fixed margins (tight_layout is slow); the key's lines below the plot's own bottom margin
    fig.subplots_adjust(left=0.1, right=0.97, bottom=(_BOTTOM + extra) / height, top=1 - _TOP / height)
    drawn_labels = number_points(ax, xs, ys, named, every_x=xs, every_y=ys, colour=OUTSIDE)
    drawn_labels += key_labels(fig, [f"{labels[i]}: {significance[i]}" for i in named], colour=OUTSIDE,
                               heading="Numbered on the plot: outside the 95% limits "
                                       "(0.001: outside the 99.8% limits too)")

    names = [f"{labels[i]} ({significance[i]})" for i in np.flatnonzero(outside)]
    description = (f"Funnel plot of {len(xs)} areas around the {centre_name} {number_text(centre)}, "
                   "with 95% and 99.8% control limits. "
                   + (f"{len(names)} outside the 95% limits: {'; '.join(names)}." if names
                      else "No area is outside the 95% limits."))
    return to_svg(fig, chart_id, title, description, drawn_labels)
