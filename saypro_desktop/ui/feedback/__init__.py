"""The Feedback workspace: record feedback, the survey after resolution, the weekly analysis."""
