"""Statistics (工作统计): the one implementation of every figure the pages, the exports and
the work-report text read."""
