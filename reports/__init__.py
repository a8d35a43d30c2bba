"""National reports for assurance panels: every board's determination, summed by group and nationally.

Pure (no Flask, no SQLAlchemy, no marshmallow): the web layer and the ``bcf report`` command hand it
each board's determination (or none) and the reference data, and lay out what it returns. Money stays
:class:`~decimal.Decimal` throughout and is only ever added: every group row is the sum of its boards'
figures, and the national row is the sum of every board's, so the group rows add up to the national
row to the penny.
"""

from reports.funnels import FUNNEL_STATISTICS, funnel_section
from reports.national import GROUPINGS, NATIONAL, BoardInput, build_report, tranche_ids

__all__ = ["FUNNEL_STATISTICS", "GROUPINGS", "NATIONAL", "BoardInput", "build_report", "funnel_section",
           "tranche_ids"]
