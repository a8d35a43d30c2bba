"""Numbered points and their key: how a chart names many close points without their names colliding.

A name printed beside each point runs into its neighbour's when points are close ("Hartlepool" over
"Redcar and Cleveland" reads "Redcapool and Cleveland"). So the named points get a small number
instead, placed where it touches no other number and, where there is room, no other marker; a number
moved away from its point is joined to it by a thin leader line. A key under the plot lists each
number with its name, so every name is printed once, in full, where nothing can overlap it.

Placement is computed, not left to matplotlib: in the figure's own points (the charts are drawn at 72
dpi, so a point is a pixel of the SVG), from each marker outwards, the first free spot in a fixed order
of candidates. Same input, same spots: the SVG stays byte-for-byte deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.transforms import Affine2D

#: the numbers' font size (points) and a generous estimate of their extent: DejaVu Sans digits are
#: 0.636 em wide; the box adds a point of air each side so neighbouring numbers never touch
NUMBER_FONT = 8.0
_DIGIT = 0.64 * NUMBER_FONT
_HEIGHT = 1.2 * NUMBER_FONT + 2
#: a marker's half-size in points (the charts' largest marker, ``s=40``, is about 6 points across)
MARKER_HALF = 3.5
#: how far out (rings of one number's height) a number may move before it settles for the least overlap
RINGS = 8
#: the directions tried on each ring, in order: beside, then above and below, then the diagonals
_DIRECTIONS = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]

#: the key's layout, in inches: a line per entry, a heading above them, the gap above the heading
KEY_LINE = 0.17
KEY_HEADING = 0.22
KEY_GAP = 0.45
KEY_COLUMNS = 2
KEY_FONT = 8


def _candidates(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (n × 2) of a number's centre from its marker, nearest first, and each one's ring."""
    half_w, half_h = (len(text) * _DIGIT + 2) / 2, _HEIGHT / 2
    rings = np.repeat(np.arange(RINGS + 1), len(_DIRECTIONS))
    reach = MARKER_HALF + 1 + rings * _HEIGHT
    directions = np.tile(np.array(_DIRECTIONS, dtype=float), (RINGS + 1, 1))
    offsets = directions * np.column_stack([reach + half_w, reach + half_h])
    return offsets, rings


def _overlap(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each of ``boxes`` (n × 4), the total area it shares with ``others`` (m × 4)."""
    if not len(others):
        return np.zeros(len(boxes))
    w = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    h = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return (np.clip(w, 0, None) * np.clip(h, 0, None)).sum(axis=1)


def place_numbers(anchors: np.ndarray, texts: Sequence[str], markers: np.ndarray,
                  frame: tuple[float, float, float, float]) -> list[tuple[np.ndarray, int]]:
    """Where each number goes: its box and the ring it landed on (0: beside its marker, no leader line).

    Numbers are placed in the order given; each takes the first candidate that overlaps no number
    already placed, no marker and stays inside ``frame`` (the plot area); failing that, the first that
    overlaps no number; failing that (a crowd wider than :data:`RINGS` rings), the least overlap.

    :param anchors: the numbered points, n × 2, in figure points.
    :param texts: their numbers as text.
    :param markers: every marker's centre (numbered or not), m × 2, in figure points.
    :param frame: (x0, y0, x1, y1) of the plot area in figure points.
    """
    marker_boxes = np.hstack([markers - MARKER_HALF, markers + MARKER_HALF]) if len(markers) \
        else np.zeros((0, 4))
    placed: list[np.ndarray] = []
    out = []
    for anchor, text in zip(anchors, texts, strict=True):
        offsets, rings = _candidates(text)
        half = np.array([(len(text) * _DIGIT + 2) / 2, _HEIGHT / 2])
        centres = anchor + offsets
        boxes = np.hstack([centres - half, centres + half])
        taken = np.array(placed) if placed else np.zeros((0, 4))
        on_numbers = _overlap(boxes, taken)
        on_markers = _overlap(boxes, marker_boxes)
        inside = ((boxes[:, 0] >= frame[0]) & (boxes[:, 1] >= frame[1])
                  & (boxes[:, 2] <= frame[2]) & (boxes[:, 3] <= frame[3]))
        free = np.flatnonzero((on_numbers == 0) & (on_markers == 0) & inside)
        if not free.size:
            free = np.flatnonzero((on_numbers == 0) & inside)
        if not free.size:
            free = np.flatnonzero(on_numbers == 0)
        choice = int(free[0]) if free.size else int(np.argmin(on_numbers + on_markers))
        placed.append(boxes[choice])
        out.append((boxes[choice], int(rings[choice])))
    return out


@dataclass(frozen=True)
class Label:
    """A text for :func:`charts._svg.to_svg` to write as an SVG ``<text>``: at (x, y) in figure points
    from the bottom left, ``anchor`` start, middle or end, ``y`` its baseline."""

    x: float
    y: float
    text: str
    size: float
    colour: str
    anchor: str = "start"
    bold: bool = False


def number_points(ax, xs: Sequence[float], ys: Sequence[float], numbered: Sequence[int], *,
                  every_x: Sequence[float], every_y: Sequence[float], colour: str) -> list[Label]:
    """``1, 2, …`` beside the points ``numbered`` (indexes into ``xs``/``ys``), in that order.

    The axes' limits and the figure's margins must be final: positions are worked out in the
    figure's points from them. ``every_x``/``every_y`` are all the chart's markers, which a number
    avoids covering where it can. Leader lines are drawn on ``ax``; the numbers are returned for
    :func:`charts._svg.to_svg` to write: matplotlib would measure each one with FreeType (a
    millisecond a text), and the boxes are already known.
    """
    fig = ax.figure
    scale = 72.0 / fig.dpi  # display units (pixels at the figure's dpi) to points
    to_points = ax.transData
    anchors = to_points.transform(np.column_stack([[xs[i] for i in numbered], [ys[i] for i in numbered]]))
    anchors = anchors.reshape(-1, 2) * scale
    markers = to_points.transform(np.column_stack([every_x, every_y])) * scale if len(every_x) \
        else np.zeros((0, 2))
    x0, y0, x1, y1 = ax.bbox.extents * scale
    texts = [str(k + 1) for k in range(len(numbered))]
    placements = place_numbers(anchors, texts, markers, (x0, y0, x1, y1))
    points = Affine2D().scale(1 / scale)
    labels = []
    for text, anchor, (box, ring) in zip(texts, anchors, placements, strict=True):
        # the baseline a third of the font size below the box's middle centres the digits in it
        labels.append(Label((box[0] + box[2]) / 2, (box[1] + box[3]) / 2 - NUMBER_FONT / 3, text, NUMBER_FONT,
                            colour, anchor="middle"))
        if ring:
            start, end = _leader(anchor, box)
            ax.add_line(Line2D([start[0], end[0]], [start[1], end[1]], transform=points, color=colour,
                               linewidth=0.6, clip_on=False))
    return labels


def _leader(anchor: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A leader line from the edge of the marker at ``anchor`` to the nearest point of ``box``."""
    end = np.clip(anchor, box[:2], box[2:])
    direction = end - anchor
    length = float(np.hypot(*direction)) or 1.0
    return anchor + direction / length * MARKER_HALF, end


def key_inches(entries: int) -> float:
    """The height (inches) a key of ``entries`` lines in :data:`KEY_COLUMNS` columns adds to a figure."""
    if not entries:
        return 0.0
    return KEY_GAP + KEY_HEADING + math.ceil(entries / KEY_COLUMNS) * KEY_LINE


def key_labels(fig, entries: Sequence[str], *, heading: str, colour: str, left: float = 0.1) -> list[Label]:
    """The key under the plot: ``heading``, then ``n  entry`` in columns, numbered down each column.

    The figure's bottom :func:`key_inches` must be left free for it (the callers' subplots_adjust).
    Returned for :func:`charts._svg.to_svg` to write, as :func:`number_points`' numbers are.
    """
    if not entries:
        return []
    width_pt = fig.get_figwidth() * 72
    rows = math.ceil(len(entries) / KEY_COLUMNS)
    top = (KEY_HEADING + rows * KEY_LINE) * 72  # points above the figure's bottom edge
    labels = [Label(left * width_pt, top + 3, heading, KEY_FONT + 1, "#000000")]
    column_width = (0.97 - left) * width_pt / KEY_COLUMNS
    for k, entry in enumerate(entries):
        column, row = divmod(k, rows)
        x, y = left * width_pt + column * column_width, top - (row + 1) * KEY_LINE * 72 + 3
        labels.append(Label(x + 16, y, str(k + 1), KEY_FONT, colour, anchor="end", bold=True))
        labels.append(Label(x + 21, y, entry, KEY_FONT, "#000000"))
    return labels
