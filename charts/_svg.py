"""What every chart shares: a figure with no global state, money ticks, and the SVG made fit for a page.

Three things are done to matplotlib's SVG so it can sit inside an HTML page served with a strict
Content-Security-Policy (no inline styles):

- each ``style="fill: …; stroke: …"`` becomes SVG presentation attributes (``fill="…" stroke="…"``),
  which CSP does not govern; the one ``<style>`` element matplotlib writes (default line joins) is
  dropped and its two defaults become inherited attributes of the root element;
- the XML prolog and the metadata block go (the SVG is inlined, and the metadata names no input);
- ``role="img"`` and ``aria-labelledby`` point at a ``<title>`` and ``<desc>`` placed first.

Output is deterministic: ``svg.hashsalt`` is the chart's id (ids stay unique when several charts
share a page) and the ``Date`` metadata is not written.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

#: colours that keep a 3:1 contrast on white and read apart for the common colour-vision deficiencies
#: (Okabe and Ito's palette, darkened where needed)
RELEASED = "#1b6f3a"
HELD_BACK = "#b34700"
POINT = "#1f4e79"
OUTSIDE = "#b30000"
LIMIT_95 = "#555555"
LIMIT_998 = "#222222"
AVERAGE = "#000000"
MUTED = "#6b6b6b"

_STYLE = re.compile(r' style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"\s*<style[^>]*>.*?</style>", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_EMPTY_DEFS = re.compile(r"\s*<defs>\s*</defs>")
_ID_ATTR = re.compile(r' id="([^"]+)"')
_REF = re.compile(r'(url\(|xlink:href=")#')
_ID = re.compile(r"^[A-Za-z][\w-]*$")


def figure(width: float, height: float) -> Figure:
    """A figure of ``width`` × ``height`` inches that no other chart shares (no pyplot state)."""
    fig = Figure(figsize=(width, height), dpi=72)
    FigureCanvasSVG(fig)
    return fig


def label_margin(labels, width_inches: float, font_px: float = 10) -> float:
    """The left margin (a fraction of the width) that fits the longest y tick label.

    An estimate from the label's length (DejaVu Sans averages about 0.6 em a character) rather than
    matplotlib's ``tight_layout``, which measures every text and takes most of a chart's drawing time.
    """
    longest = max((len(str(label)) for label in labels), default=0)
    return min(0.5, (longest * 0.6 * font_px + 14) / (width_inches * 72))


def pounds(value: float, _position: object = None) -> str:
    """An axis tick in whole pounds with thousands separators (£1,250,000; −£5,000)."""
    if not math.isfinite(value):
        return ""
    whole = round(value)
    return f"-£{-whole:,}" if whole < 0 else f"£{whole:,}"


def pounds_text(value: float) -> str:
    """Pounds and pence with thousands separators, for text alternatives (£1,250,000.00)."""
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


MONEY = FuncFormatter(pounds)


def number_text(value: float) -> str:
    """A value for a text alternative: thousands separators, at most three decimals, no trailing zeros."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def check_id(chart_id: str) -> None:
    """:raise ValueError: ``chart_id`` cannot be an XML id (it names the title and desc elements)."""
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must start with a letter and hold only letters, digits, _ and -; "
                         f"got {chart_id!r}")


def as_floats(name: str, values: Iterable, *, allow_none: bool = False) -> list[float | None]:
    """``values`` as floats (Decimal, int and numpy numbers too); None stays None when allowed.

    :raise ValueError: a value that is not a finite number, naming ``name`` and its position.
    """
    out: list[float | None] = []
    bad: list[str] = []
    for index, value in enumerate(values):
        if value is None and allow_none:
            out.append(None)
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            bad.append(f"{name}[{index}] is not a number: {value!r}")
            continue
        if not math.isfinite(number):
            bad.append(f"{name}[{index}] is not finite: {value!r}")
            continue
        out.append(number)
    if bad:
        raise ValueError("; ".join(bad))
    return out


def _attributes(match: re.Match[str]) -> str:
    pairs = []
    for declaration in match.group(1).split(";"):
        name, colon, value = declaration.partition(":")
        if colon:
            pairs.append(f" {name.strip()}={quoteattr(value.strip())}")
    return "".join(pairs)


def to_svg(fig: Figure, chart_id: str, title: str, description: str, labels: Sequence = ()) -> str:
    """The figure as an SVG element for a page: presentation attributes, title and desc first.

    :param labels: :class:`charts._key.Label` texts whose places the chart has worked out itself,
        written as plain ``<text>`` after matplotlib's drawing (matplotlib would measure each first).
    """
    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": chart_id, "svg.fonttype": "none", "svg.id": None}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None,
                                                     "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = _METADATA.sub("", text)
    text = _STYLE_ELEMENT.sub("", text)
    text = _EMPTY_DEFS.sub("", text, count=1)
    text = _STYLE.sub(_attributes, text)
    # matplotlib names its groups figure_1, axes_1, …: prefixed, so charts sharing a page keep ids unique
    text = _ID_ATTR.sub(lambda m: f' id="{chart_id}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}#{chart_id}-", text)
    head_end = text.index(">")
    head = text[:head_end]
    # width/height in pt: let the stylesheet size it (max-width: 100%), the viewBox keeps the shape
    head = re.sub(r' (width|height)="[^"]*"', "", head)
    # the defaults matplotlib's dropped <style> gave every element, as inherited attributes on the root
    labels_attributes = (' stroke-linejoin="round" stroke-linecap="butt" role="img"'
              f' aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" class="chart"')
    alternatives = (f'\n <title id="{chart_id}-title">{escape(title)}</title>'
                    f'\n <desc id="{chart_id}-desc">{escape(description)}</desc>')
    body = text[head_end + 1:]
    if labels:
        end = body.rindex("</svg>")
        body = body[:end] + _label_group(chart_id, labels, fig.get_figheight() * 72) + body[end:]
    return head + labels_attributes + ">" + alternatives + body


def _label_group(chart_id: str, labels: Sequence, height: float) -> str:
    """The labels as ``<text>`` in a group of their own (SVG's y runs down from the top)."""
    lines = [f' <g id="{chart_id}-labels" font-family="DejaVu Sans, Bitstream Vera Sans, sans-serif">']
    for label in labels:
        weight = ' font-weight="bold"' if label.bold else ""
        lines.append(f'  <text x="{label.x:.2f}" y="{height - label.y:.2f}" font-size="{label.size:g}px"'
                     f' fill="{label.colour}" text-anchor="{label.anchor}"{weight}>'
                     f'{escape(label.text)}</text>')
    return "\n".join(lines) + "\n </g>\n"
