"""Exam sittings: candidates, papers, the test page, grading and results."""
