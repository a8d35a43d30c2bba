"""Stored plans, actuals, determinations, tokens, the recovery-plan workflow and the audit trail.

SQLAlchemy 2 models and Alembic migrations; no Flask here. The web layer opens one session per request
and commits once at the end, so a failed request changes nothing; these modules only add and read rows
inside the session they are given.
"""
