"""Checks for uploaded documents (statements, reports): type by content, size (pure: no Flask,
no database)."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class UploadError(ValueError):
    """``code`` is one of: empty, too_large, type, mismatch."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff(data: bytes) -> str | None:
    """ "pdf" or "docx" from the content itself, whatever the file is called."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def check_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """The file's type ("pdf" or "docx") if it may be stored; raises UploadError otherwise."""
    if not data:
        raise UploadError("empty")
    if len(data) > max_bytes:
        raise UploadError("too_large")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED:
        raise UploadError("type")
    if sniff(data) != ext:
        raise UploadError("mismatch")
    return ext


def store_upload(folder: Path, filename: str, data: bytes, max_bytes: int) -> tuple[str, str]:
    """Check an upload and write it under ``folder`` with a random name.

    Returns (stored name, kind). Nothing is written when the check fails.
    """
    kind = check_upload(filename, data, max_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{kind}"
    (folder / name).write_bytes(data)
    return name, kind
