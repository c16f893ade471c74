"""Pure exam logic, no Flask and no database: paper drawing (``drawing``, its terms in
``paper_spec``, one section's quotas in ``quotas``), the drawn paper and its stored form
(``paper``), grading (``grading``), how a score is written (``scores``), resident ID
numbers (``idcard``), the candidates spreadsheet (``candidates_file``: its layout, the
template and the export; ``candidates_import``: reading an upload) and item analysis
(``analysis``)."""
