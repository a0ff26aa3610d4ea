"""The Knowledge workspace: articles (search, read, vote, write, review, suggested edits) and canned replies."""
