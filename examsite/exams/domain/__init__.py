"""Pure exam logic, no Flask and no database: paper drawing (``drawing``), the drawn
paper and its stored form (``paper``), grading (``grading``), resident ID numbers
(``idcard``), the candidate list import (``candidates_file``) and item analysis
(``analysis``)."""
