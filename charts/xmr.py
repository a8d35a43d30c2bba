"""An XmR chart of a monthly series (NHS "Making Data Count"): values, mean, process limits, signals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from charts._svg import AVERAGE, LIMIT_998, MUTED, OUTSIDE, check_id, figure, number_text, to_svg

#: Making Data Count's colours: blue improvement, orange concern, purple neither, grey common cause
_COLOURS = {"common_cause": MUTED, "special_cause_improvement": "#1f5fa8",
            "special_cause_concern": "#b34700", "special_cause_neutral": "#6a3d9a"}
_MARKERS = {"common_cause": "o", "special_cause_improvement": "s", "special_cause_concern": "D",
            "special_cause_neutral": "^"}
_WORDS = {"common_cause": "common cause", "special_cause_improvement": "special cause, improvement",
          "special_cause_concern": "special cause, concern", "special_cause_neutral": "special cause"}


def xmr_chart(chart, labels: Sequence[str], *, title: str, chart_id: str, y_label: str) -> str:
    """Draw ``chart`` (a :class:`metrics.spc.XmR`) over ``labels`` (one per value, oldest first).

    :raise ValueError: a label count other than the number of values.
    """
    check_id(chart_id)
    values = np.asarray(chart.values, dtype=float)
    if len(labels) != values.size:
        raise ValueError(f"labels must have one entry per value; got {len(labels)} for {values.size} values")
    n = values.size
    positions = np.arange(n)
    types = [str(t) for t in chart.point_type]

    fig = figure(8, 4)
    ax = fig.add_subplot()
    ax.plot(positions, values, color=MUTED, linewidth=1, zorder=2)
    ax.axhline(chart.mean, color=AVERAGE, linewidth=1, label=f"Mean {number_text(chart.mean)}")
    ax.axhline(chart.upper_limit, color=LIMIT_998, linestyle="--", linewidth=1,
               label=f"Process limits {number_text(chart.lower_limit)} to {number_text(chart.upper_limit)}")
    ax.axhline(chart.lower_limit, color=LIMIT_998, linestyle="--", linewidth=1)
    if chart.target is not None:
        ax.axhline(chart.target, color=OUTSIDE, linestyle=":", linewidth=1.2,
                   label=f"Target {number_text(chart.target)}")
    for kind, colour in _COLOURS.items():
        mask = np.array([t == kind for t in types])
        if mask.any():
            ax.scatter(positions[mask], values[mask], color=colour, marker=_MARKERS[kind], s=28, zorder=3,
                       label=_WORDS[kind].capitalize())
    step = max(1, n // 12)
    ax.set_xticks(positions[::step], labels=[labels[i] for i in positions[::step]], rotation=45, ha="right")
    ax.set_ylabel(y_label)
    ax.yaxis.set_major_formatter(lambda v, _pos: number_text(v))
    ax.grid(axis="y", color="#eeeeee")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, frameon=False)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.2, top=0.82)  # fixed: tight_layout is slow

    signals = [f"{labels[i]} {number_text(values[i])} ({_WORDS[types[i]]})" for i in range(n)
               if types[i] != "common_cause"]
    description = (f"XmR chart of {n} values, {labels[0]} to {labels[-1]}: mean {number_text(chart.mean)}, "
                   f"process limits {number_text(chart.lower_limit)} to {number_text(chart.upper_limit)}"
                   + (" (trial limits: fewer than 13 values)" if chart.trial_limits else "") + ". "
                   + (f"Special causes: {'; '.join(signals)}." if signals else "No special cause.")
                   + (f" Assurance against the target {number_text(chart.target)}: "
                      f"{chart.assurance.replace('_', ' ')}." if chart.assurance else ""))
    return to_svg(fig, chart_id, title, description)
