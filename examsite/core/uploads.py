"""Where checked uploads live (instance/uploads/<kind>, outside the web root) and how they
are handed back to the staff allowed to read them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, has_app_context, send_file
from flask_babel import lazy_gettext as _l

from examsite.core.filecheck import ALLOWED

#: What a refused upload (UploadError.code) tells the user.
UPLOAD_MESSAGES = {
    "empty": _l("文件为空。"),
    "too_large": _l("文件超过了允许的大小。"),
    "type": _l("只能上传 PDF 或 Word（.docx）文件。"),
    "mismatch": _l("文件内容与扩展名不符，请上传真正的 PDF 或 Word（.docx）文件。"),
}


def upload_folder(instance_path: str, kind: str) -> Path:
    """The folder of one kind of upload ("statements", "reports"): under EXAMSITE_UPLOAD_DIR
    when set (a folder shared by every app host), else instance/uploads."""
    root = current_app.config.get("EXAMSITE_UPLOAD_DIR") if has_app_context() else None
    return Path(root or Path(instance_path) / "uploads") / kind


def send_upload(kind: str, stored_name: str, file_type: str, download_name: str) -> Any:
    """Send a stored upload as a download; 404 when there is none."""
    if not stored_name:
        abort(404)
    path = upload_folder(current_app.instance_path, kind) / stored_name
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=ALLOWED[file_type],
        as_attachment=True,
        download_name=download_name or path.name,
    )
