"""The Reports workspace: SCMR-5 monthly and quarterly review PDFs previewed, saved, opened and printed."""
