"""The test page script's texts, translated on the server and handed over in data-i18n.

EXAM_PAGE_TEXT is their single source: the page's modules (static/js/exam/) hold no text
of their own, look each one up by key (``t("saved")``) and show the bare key when it is
missing here. tests/js/texts.test.mjs fails when a module uses a key this dict lacks, or
when a key here is no longer used.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

EXAM_PAGE_TEXT = {
    "saving": _l("保存中…"),
    "saved": _l("已保存"),
    # The offline banner: where the answers are, what happens next, and that the candidate
    # may go on answering.
    "offline": _l(
        "未保存到服务器（网络中断）：答案已保存在本机，网络恢复后自动发送。可以继续答题。"
    ),
    "offlineNoStorage": _l(
        "未保存到服务器（网络中断）：请不要关闭或刷新本页，网络恢复后自动发送。可以继续答题。"
    ),
    "rejected": _l("未保存（系统出错，答案已存在本机，请联系监考人员）"),
    "stoppedSession": _l("已停止保存（请联系监考人员）"),
    "stoppedOver": _l("考试已结束"),
    "sessionEnded": _l("您的登录已在其他地方生效或已被监考人员重置，请联系监考人员。"),
    "sessionReplaced": _l("已在其他设备登录，请联系监考人员。"),
    "timeUp": _l("时间到，正在交卷…"),
    "timeUpOffline": _l(
        "时间到。网络中断，答案已保存在本机，网络恢复后将自动交卷。请不要关闭本页，可请监考人员协助。"
    ),
    "overDeadline": _l("考试时间已到，正在进入交卷页面…"),
    "overSubmitted": _l("试卷已提交，正在进入结束页面…"),
    "goingToFinish": _l("正在进入交卷页面…"),
    "submitOffline": _l("网络中断，答案已保存在本机。请等待网络恢复后再交卷，或请监考人员协助。"),
    "submitRejected": _l(
        "有答案未能保存到服务器（系统出错），答案已保存在本机。请先不要交卷，请监考人员协助。"
    ),
    "submitStopped": _l("现在无法交卷。请联系监考人员。"),
    "submitting": _l("正在交卷…"),
    "deadlineChanged": _l("考试结束时间已调整，剩余时间已更新。"),
    "fiveMinutes": _l("距离考试结束已不到 5 分钟。请检查答案，时间到时系统会自动交卷。"),
    "dismiss": _l("知道了"),
    "modeAll": _l("整卷显示"),
    "modeSingle": _l("逐题显示"),
    "flaggedBadge": _l("★ 已标记"),
    "question": _l("第 {n} 题"),
    "stateAnswered": _l("已作答"),
    "stateUnanswered": _l("未作答"),
    "stateFlagged": _l("已标记"),
    "stateCurrent": _l("当前题"),
    # Joins the answer sheet cell's accessible name: "第 3 题，已作答，当前题".
    "separator": _l("，"),
    "keysHint": _l("键盘：按 A–H 选择选项，← → 切换上一题 / 下一题，F 标记此题。"),
}


def exam_page_text() -> dict[str, str]:
    return _exam_page_text(str(get_locale()))


@cache
def _exam_page_text(_locale: str) -> dict[str, str]:
    # Per language, once per process: the catalogues do not change while the site runs.
    return {key: str(value) for key, value in EXAM_PAGE_TEXT.items()}


#: The paper's fixed labels, translated once per page rather than once per question: with
#: 50 questions the per-question calls were a third of the page's server time.
PAPER_LABELS = {
    "title": _l("第 %(n)s 题"),
    "legend": _l("第 %(n)s 题的选项"),
    "points": _l("%(p)s 分"),
    "question": _l("题"),
    "multiple": _l("有两个或两个以上正确答案"),
    "true": _l("对"),
    "false": _l("错"),
    "flag": _l("标记此题"),
    "prev": _l("上一题"),
    "next": _l("下一题"),
}


def paper_labels() -> dict[str, Any]:
    return _paper_labels(str(get_locale()))


@cache
def _paper_labels(_locale: str) -> dict[str, Any]:
    from examsite.bank.forms import QTYPE_LABELS

    labels: dict[str, Any] = {key: str(value) for key, value in PAPER_LABELS.items()}
    labels["qtype"] = {key: str(value) for key, value in QTYPE_LABELS.items()}
    return labels
