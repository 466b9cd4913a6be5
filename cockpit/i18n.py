"""The wall's fixed labels in Chinese and English; Chinese by default, `?lang=en` switches every one."""
from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT = "zh"

LABELS = {
    "title": ("新昌县创新服务云平台驾驶舱", "Xinchang Innovation Service Cloud Platform Cockpit"),
    "subtitle": ("小县大科技 · 创新服务\u201c云局\u201d", "Small county, big science · the innovation-service cloud bureau"),
    "demo": ("演示数据 / DEMO DATA", "演示数据 / DEMO DATA"),
    "reconnecting": ("连接中断，正在重连…", "Reconnecting…"),
    "fresh": ("数据更新", "Updated"),
    "fresh_never": ("尚无成功加载", "no successful load yet"),
    "source": ("来源", "Source"),
    "loaded": ("加载", "loaded"),
    "vs_last": ("较上期", "vs last"),
    "vs_target": ("目标", "target"),
    "vs_last_ytd": ("较去年同期", "vs same period last year"),
    "ytd": ("年内", "YTD"),
    "rd_trend": ("研发投入强度", "R&D intensity"),
    "rd_line": ("4% 基准线", "4% line"),
    "dept_ranking": ("部门创新事项办件量(年内)", "Matters handled by department (YTD)"),
    "on_time": ("按时办结率(年内)", "On-time rate (YTD)"),
    "resources": ("创新资源分类", "Resources by type"),
    "chains": ("产业链概览 · 研发经费(亿元)", "Industry chains · R&D spending (100M yuan)"),
    "ticker": ("实时办件", "Live matter cases"),
    "index_rank": ("创新指数全省排名", "Provincial innovation index rank"),
    "rank_axis": ("位次", "rank"),
    "patents": ("专利授权", "Patents granted"),
    "enterprises": ("高新技术企业与上市公司", "High-tech and listed firms"),
    "talent": ("引进人才", "Talent introduced"),
    "digital": ("5G基站与智能制造", "5G stations and smart manufacturing"),
    "set_overview": ("总览", "Overview"),
    "set_trends": ("发展趋势", "Trends"),
    "handled": ("办件量", "handled"),
    "cases_unit": ("件", "cases"),
    "status_submitted": ("已提交", "submitted"),
    "status_accepted": ("已受理", "accepted"),
    "status_completed": ("已办结", "completed"),
    "status_rejected": ("不予受理", "rejected"),
    "no_data": ("暂无数据", "no data yet"),
    "rank_fmt": ("第{}位", "No. {}"),
}


def lang_of(value) -> str:
    """The language asked for (a query value, a store value); anything unknown falls back to Chinese."""
    return value if value in LANGS else DEFAULT


def t(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def name(row, lang: str, field: str = "name") -> str:
    """The localised name of a row (a dict or a pandas row) carrying name_zh and name_en."""
    return row[f"{field}_en"] if lang == "en" else row[f"{field}_zh"]

# Catalogue units are Chinese; English screens show these instead (empty: the number speaks for itself).
UNITS_EN = {"亿元": "100M¥", "天": "days", "%": "%"}


def unit(value: str, lang: str) -> str:
    return UNITS_EN.get(value, "") if lang == "en" else value
