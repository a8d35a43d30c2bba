"""Charts for the report pages: plain numbers and labels in, SVG text out.

Drawn on the server with matplotlib's SVG backend, so a page needs no internet and no script to show
them. Every chart carries its own text alternative (``<title>``, ``<desc>``, ``role="img"``) and is
byte-for-byte the same for the same input. No Flask and no BCF rules here: a caller says what the
numbers mean (titles, labels, the threshold line).
"""

from charts.achievement import achievement_chart
from charts.bars import stacked_bars
from charts.funnel import funnel_chart
from charts.xmr import xmr_chart

__all__ = ["achievement_chart", "funnel_chart", "stacked_bars", "xmr_chart"]
