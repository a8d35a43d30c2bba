"""A pure, vectorised public-health statistics library (numpy + scipy only).

Every function takes scalars or numpy arrays (broadcast together) and returns a small frozen result.
No Flask, no BCF rules: the same numbers as PHE Fingertips for the methods of ``spec/metrics.md``.
"""
