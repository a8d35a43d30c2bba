"""Spreadsheet users: CSV uploads in, CSV/JSON/XLSX results out, and the ``bcf`` console script.

Nothing here decides a payment. Each board's rows become one ``spec/api.md`` JSON request dict and go
through the one determination code path (:meth:`calculator.Calculator.calculate`, or for an upload
``prepare`` then ``calculate_many``: every board validated, then all computed together), passed in as
callables so that reading and writing are tested on their own; problems that come back as JSON
paths are mapped back to the file, row and column the user typed them in.
"""

from sheets.batch import UploadResult, calculate_upload
from sheets.reading import CsvFile, Location, read_csv

__all__ = ["CsvFile", "Location", "UploadResult", "calculate_upload", "read_csv"]
