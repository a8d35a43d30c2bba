"""Spreadsheet users: CSV uploads in, CSV/JSON/XLSX results out, and the ``bcf`` console script.

Nothing here decides a payment. Each board's rows become one ``spec/api.md`` JSON request dict and go
through the one determination code path (:class:`calculator.Calculator`'s ``prepare`` for every board,
then ``calculate_many`` for them all together); problems that come back as JSON
paths are mapped back to the file, row and column the user typed them in.
"""

from sheets.batch import UploadResult, calculate_upload
from sheets.reading import CsvFile, Location, read_csv

__all__ = ["CsvFile", "Location", "UploadResult", "calculate_upload", "read_csv"]
