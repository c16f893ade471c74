"""File formats of the question bank: pure parsing and writing, no Flask, no database.

Entry point: ``parse_file(filename, data, existing=...)`` -> ``ParseResult``.
"""

from examsite.bank.formats.aiken import parse_aiken
from examsite.bank.formats.detect import DEFAULT_MAX_BYTES, SUPPORTED_EXTENSIONS, parse_file
from examsite.bank.formats.gift import parse_gift, write_gift
from examsite.bank.formats.model import (
    LABEL_BY_TYPE,
    N_,
    TYPE_BY_LABEL,
    TYPE_LABELS,
    ParsedQuestion,
    ParseResult,
    Problem,
    QuestionType,
    question_key,
)
from examsite.bank.formats.moodle_xml import parse_moodle_xml
from examsite.bank.formats.normalize import html_to_text, normalize_stem
from examsite.bank.formats.template import TEMPLATE_HEADERS
from examsite.bank.formats.template_csv import dump_csv, parse_csv, write_csv
from examsite.bank.formats.template_xlsx import (
    blank_template_xlsx,
    dump_xlsx,
    parse_xlsx,
    write_xlsx,
)
from examsite.bank.formats.validation import validate_question

__all__ = [
    "DEFAULT_MAX_BYTES",
    "LABEL_BY_TYPE",
    "N_",
    "SUPPORTED_EXTENSIONS",
    "TEMPLATE_HEADERS",
    "TYPE_BY_LABEL",
    "TYPE_LABELS",
    "ParseResult",
    "ParsedQuestion",
    "Problem",
    "QuestionType",
    "blank_template_xlsx",
    "dump_csv",
    "dump_xlsx",
    "html_to_text",
    "normalize_stem",
    "parse_aiken",
    "parse_csv",
    "parse_file",
    "parse_gift",
    "parse_moodle_xml",
    "parse_xlsx",
    "question_key",
    "validate_question",
    "write_csv",
    "write_gift",
    "write_xlsx",
]
