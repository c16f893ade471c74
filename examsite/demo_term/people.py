"""Plausible people and posts for the demo term: names, ID numbers, posts by post kind
(pure: no Flask, no database; every choice comes from the ``random.Random`` passed in)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from examsite.exams.domain import idcard

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清"
    "飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善"
    "厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家"
    "致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春"
    "菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦"
)


def person_name(rng: random.Random) -> str:
    """A two- or three-character Chinese name."""
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(_SURNAMES) + given


def id_number(rng: random.Random, region: str, used: set[str]) -> str:
    """A valid fictional ID number (correct check character) of a person born 1962–1990,
    never one in ``used`` (which it joins)."""
    while True:
        born = date(1962, 1, 1) + timedelta(days=rng.randrange(29 * 365))
        first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + idcard.check_char(first17)
        if number not in used:
            used.add(number)
            return number


@dataclass(frozen=True)
class Place:
    """How a body's posts are written: 示例市 (full), 市 (short), 市长 (the head)."""

    full: str
    short: str
    municipal: bool

    @property
    def head(self) -> str:
        return {"市": "市长", "区": "区长", "县": "县长"}.get(self.short, "市长")

    @property
    def court(self) -> str:
        return f"{self.full}{'中级' if self.municipal else ''}人民法院"

    @property
    def procuratorate(self) -> str:
        return f"{self.full}人民检察院"


def place_of(place_name: str, municipal: bool) -> Place:
    return Place(place_name, place_name[-1:] or "市", municipal)


_DEPARTMENTS = (
    "发展和改革委员会主任",
    "教育局局长",
    "科学技术局局长",
    "工业和信息化局局长",
    "公安局局长",
    "民政局局长",
    "司法局局长",
    "财政局局长",
    "人力资源和社会保障局局长",
    "自然资源和规划局局长",
    "生态环境局局长",
    "住房和城乡建设局局长",
    "交通运输局局长",
    "水利局局长",
    "农业农村局局长",
    "商务局局长",
    "文化和旅游局局长",
    "卫生健康委员会主任",
    "退役军人事务局局长",
    "应急管理局局长",
    "审计局局长",
    "人民政府办公室主任",
)
_COURT_POSTS = (
    ("副院长", 1),
    ("审判委员会委员", 2),
    ("刑事审判庭庭长", 1),
    ("民事审判第一庭庭长", 1),
    ("行政审判庭副庭长", 1),
    ("立案庭副庭长", 1),
    ("审判员", 12),
)
_PROCURATORATE_POSTS = (
    ("副检察长", 1),
    ("检察委员会委员", 2),
    ("第一检察部主任", 1),
    ("第二检察部副主任", 1),
    ("检察员", 12),
)
_COMMITTEE_OFFICES = (
    "办公室主任",
    "法制工作委员会主任",
    "预算工作委员会主任",
    "人事代表选举任免联络工作委员会主任",
    "社会建设工作委员会副主任",
    "研究室主任",
)
_SPECIAL_COMMITTEES = (
    "法制委员会副主任委员",
    "财政经济委员会委员",
    "教育科学文化卫生委员会委员",
    "监察和司法委员会副主任委员",
    "城乡建设环境保护委员会委员",
)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


def post(rng: random.Random, place: Place, kind_index: int) -> tuple[str, str, str]:
    """(post title, nominating organ, candidate post category) for a built-in post kind
    (its index in matters.BUILTIN_POST_KINDS)."""
    p = place
    if kind_index == 0:
        return (
            f"{p.full}人民代表大会{rng.choice(_SPECIAL_COMMITTEES)}",
            f"{p.full}人大常委会主任会议",
            "renda",
        )
    if kind_index == 1:
        return (
            f"{p.full}人大常委会{rng.choice(_COMMITTEE_OFFICES)}",
            f"{p.full}人大常委会主任会议",
            "renda",
        )
    if kind_index == 2:
        return f"{p.full}{rng.choice(_DEPARTMENTS)}", f"{p.full}人民政府{p.head}", "government"
    if kind_index == 3:
        title = "副主任" if rng.random() < 0.3 else "委员"
        return f"{p.full}监察委员会{title}", f"{p.full}监察委员会主任", "jianwei"
    if kind_index == 4:
        return f"{p.court}{_weighted(rng, _COURT_POSTS)}", f"{p.court}院长", "court"
    if kind_index == 5:
        return (
            f"{p.procuratorate}{_weighted(rng, _PROCURATORATE_POSTS)}",
            f"{p.procuratorate}检察长",
            "procuratorate",
        )
    lower = rng.choice(("东城区", "西山县", "南湖区", "北岭县", "临江区"))
    return f"{lower}人民检察院检察长", f"{p.procuratorate}检察长", "procuratorate"


def work_unit(post_title: str) -> str:
    """The unit a person works in, read off the post they are proposed for."""
    for mark in ("人民法院", "人民检察院", "监察委员会", "人大常委会", "人民代表大会"):
        if mark in post_title:
            return post_title[: post_title.index(mark) + len(mark)]
    return post_title.removesuffix("局长").removesuffix("主任") or post_title


def elected_posts(place: Place, count: int, rng: random.Random) -> list[tuple[str, int]]:
    """The posts a term's first congress session fills: (post, built-in post kind index)."""
    p = place
    posts = [
        (f"{p.full}人民政府{p.head}", 2),
        (f"{p.full}监察委员会主任", 3),
        (f"{p.court}院长", 4),
        (f"{p.procuratorate}检察长", 5),
        (f"{p.full}人大常委会主任", 1),
    ]
    deputies = max(0, count - len(posts))
    posts += [(f"{p.full}人民政府副{p.head}", 2) for _ in range(deputies)]
    return posts[:count]
