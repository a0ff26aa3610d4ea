"""PDF reports made with ReportLab: the inquiry template, the SCMR-5 monthly report, the quarterly review.

The renderers take plain dataclasses (built from the store by :mod:`.data`) and an explicit
``generated_at``, so the same data always gives the same bytes. No Qt here.
"""
