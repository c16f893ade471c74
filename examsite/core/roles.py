"""Staff roles: stored values, rank and labels. In core because tenancy and every page's
navigation ask them; the accounts that hold them are the auth feature's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_ADMIN = "admin"
ROLE_BODY_ADMIN = "body_admin"
ROLE_STAFF = "staff"
ROLES = (ROLE_ADMIN, ROLE_BODY_ADMIN, ROLE_STAFF)
#: Higher rank includes the powers of lower ranks.
ROLE_RANK = {ROLE_STAFF: 1, ROLE_BODY_ADMIN: 2, ROLE_ADMIN: 3}

ROLE_LABELS = {
    ROLE_ADMIN: _l("市级管理员"),
    ROLE_BODY_ADMIN: _l("本机关管理员"),
    ROLE_STAFF: _l("工作人员"),
}
