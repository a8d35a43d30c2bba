"""The calculator: an api.md plan (JSON, as dicts) in, its determination (as dicts) out, with no Flask.

It reads a request with marshmallow (:mod:`calculator.requests`), checks it against the reference data it
was given and computes with :mod:`bcf` (:mod:`calculator.service`), and writes the answer with api.md's
field names (:mod:`calculator.responses`). The service's views, the spreadsheet upload, the ``bcf
calculate`` console script and stored determinations all call the same :class:`Calculator`, built from
``reference_data/`` by :func:`load_calculator`.
"""

from calculator.reference import AllocationStore, load_calculator
from calculator.service import CalculationRequestSchema, Calculator, PreparedPlan

__all__ = ["AllocationStore", "CalculationRequestSchema", "Calculator", "PreparedPlan", "load_calculator"]
