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
    # A figure's data period (统计期), apart from its load time, and its staleness as a word (never colour only).
    "data_period": ("统计期", "Period"),
    "stale_current": ("最新", "current"),
    "stale_due": ("待更新", "due"),
    "stale_overdue": ("逾期", "overdue"),
    "due_on": ("下期应于 {date} 发布", "next figure due {date}"),
    "vs_last": ("较上期", "vs last"),
    "vs_last_ytd": ("较去年同期", "vs last YTD"),
    "kind_file_drop": ("文件报送", "file drop"), "kind_http_json": ("数据接口", "HTTP API"), "kind_sql": ("数据库", "database"),
    "ytd": ("年内", "YTD"),
    "rd_trend": ("研发投入强度", "R&D intensity"),
    "target_path": ("目标路径", "target path"),
    "target_annual": ("年度目标", "Annual"),
    "target_14th": ("十四五目标", "14th plan"),
    "target_15th": ("十五五目标", "15th plan"),
    "tile_annual": ("年度", "Year"), "tile_14th": ("十四五", "14th"), "tile_15th": ("十五五", "15th"),
    "target_done": ("完成 {pct}", "{pct} done"),
    "target_behind": ("未达 {pct}", "behind {pct}"),
    "dept_ranking": ("部门创新事项办件量(年内)", "Matters handled by department (YTD)"),
    "on_time": ("按时办结率(年内)", "On-time rate (YTD)"),
    "resources": ("创新资源分类", "Resources by type"),
    "chains": ("产业链概览 · 研发经费(亿元)", "Industry chains · R&D spending (100M yuan)"),
    "ticker": ("实时办件", "Live matter cases"),
    "index_rank": ("创新指数全省排名", "Provincial innovation index rank"),
    "rank_axis": ("位次", "rank"),
    "patents": ("专利授权", "Patents granted"),
    "enterprises": ("高新技术企业", "High-tech enterprises"),
    "talent": ("引进人才", "Talent introduced"),
    "digital": ("5G基站", "5G base stations"),
    "set_overview": ("总览", "Overview"),
    "set_trends": ("发展趋势", "Trends"),
    "handled": ("办件量", "handled"),
    "cases_unit": ("件", "cases"),
    "status_submitted": ("已提交", "submitted"),
    "status_accepted": ("已受理", "accepted"),
    "status_completed": ("已办结", "completed"),
    "status_rejected": ("不予受理", "rejected"),
    "no_data": ("暂无数据", "No data yet"),
    # What an empty panel lacks and which source would fill it ({name}: the indicator's name).
    "need_observations": ("暂无{name}数据 · 由指标文件或指标接口(文件/HTTP/SQL)提供",
                          "No {name} data yet · loaded by an indicator file or API (file drop/HTTP/SQL)"),
    "need_cases": ("暂无办件数据 · 由办件数据源(HTTP/SQL)提供", "No matter cases yet · loaded by a cases source (HTTP/SQL)"),
    "need_resources": ("暂无创新资源数据 · 由资源清单或资源数据源(文件/HTTP/SQL)提供",
                       "No innovation resources yet · loaded by a resource register or source (file drop/HTTP/SQL)"),
    "need_firms": ("暂无企业名录 · 由企业名单或企业数据源(文件/HTTP/SQL)提供",
                   "No firm register yet · loaded by a firm register or source (file drop/HTTP/SQL)"),
    "need_matters": ("暂无创新事项目录 · 由事项数据源(HTTP/SQL)提供",
                     "No innovation matters yet · loaded by a matters source (HTTP/SQL)"),
    "chain_values": ("产业链指标", "chain indicator"),
    "wall_failed": ("驾驶舱暂时无法加载数据", "The cockpit cannot load its data right now"),
    "wall_retrying": ("正在重试 ({n}/{max})", "retrying ({n}/{max})"),
    "wall_gave_up": ("已重试 {n} 次", "retried {n} times"),
    "reason_store": ("数据库无法访问", "the store is unreachable"),
    "reason_render": ("数据无法显示", "the data could not be drawn"),
    # The server refused the wall (kiosk session expired, token rotated, user removed): clientside.js shows these.
    "kiosk_refused": ("需要新的展示链接", "This wall needs a new kiosk link"),
    "kiosk_refused_detail": ("本屏的展示授权已失效或已被撤销，请管理员提供新的展示链接后重新打开",
                             "Its kiosk access has expired or was revoked: ask an administrator for a new kiosk link"),
    "kiosk_refused_recheck": ("每分钟自动重新检查一次，授权恢复后自动继续显示",
                              "Re-checking once a minute; the wall carries on by itself once access works again"),
    "rank_fmt": ("第{}位", "No. {}"),
}


def lang_of(value) -> str:
    """The language asked for (a query value, a store value); anything unknown falls back to Chinese."""
    return value if value in LANGS else DEFAULT


def t(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def missing(kind: str, lang: str, name: str = "") -> str:
    """What an empty panel or tile says: the data that is missing · the source that would load it."""
    return t(f"need_{kind}", lang).format(name=name)


def name(row, lang: str, field: str = "name") -> str:
    """The localised name of a row (a dict or a pandas row) carrying name_zh and name_en."""
    return row[f"{field}_en"] if lang == "en" else row[f"{field}_zh"]


def names(df, lang: str, field: str = "name") -> list[str]:
    """The localised names of a frame's rows, in order (a column read, not a row-by-row walk)."""
    return list(df[f"{field}_en" if lang == "en" else f"{field}_zh"])

# Catalogue units are Chinese; English screens show these instead. A counting word (家, 件, 项, 人, 个) says what
# is counted, so in English it depends on the indicator (UNITS_EN_BY_CODE) before the unit alone (UNITS_EN).
UNITS_EN = {"亿元": "100M¥", "天": "days", "%": "%", "家": "firms", "项": "items", "人": "people", "件": "items",
            "个": "", "位": "", "宗": "items"}
UNITS_EN_BY_CODE = {"patents_granted": "patents", "invention_patents": "patents", "matters_handled": "cases",
                    "departments_connected": "depts", "base_stations_5g": "stations", "innovation_resources": "items"}
# Tile labels where the catalogue's English name is longer than a wall tile holds at its type size.
TILE_NAMES_EN = {"matters_handled": "Matters handled", "departments_connected": "Departments",
                 "innovation_resources": "Innov. resources", "high_tech_firms": "High-tech firms"}


def unit(value: str, lang: str, code: str | None = None) -> str:
    if lang != "en":
        return value
    return UNITS_EN_BY_CODE.get(code, UNITS_EN.get(value, ""))


def tile_name(row, lang: str) -> str:
    """A wall tile's label: the catalogue's name, or its short English form where the long one does not fit."""
    return TILE_NAMES_EN.get(row["code"], row["name_en"]) if lang == "en" else row["name_zh"]

# The drill-down pages' labels (departments, chains, segments, firms), kept beside the wall's.
LABELS.update({
    "nav_cockpit": ("驾驶舱", "Cockpit"), "nav_departments": ("部门", "Departments"),
    "nav_chains": ("产业链", "Industry chains"), "lang_switch": ("English", "中文"),
    "dept_list_title": ("部门创新服务排行", "Departments ranked"), "dept_chart": ("部门办件量排行", "Cases handled by department"),
    "dept_table": ("33个部门办件情况", "All departments"), "rank": ("排名", "Rank"), "department": ("部门", "Department"),
    "handled_col": ("办件量", "Handled"), "on_time_rate": ("按时办结率", "On-time rate"),
    "avg_days": ("平均办理时长(天)", "Avg. processing days"), "monthly_trend": ("月度办件趋势", "Monthly trend"),
    "sort_by": ("排序", "Sort by"), "dept_kpi_matters": ("创新事项", "Innovation matters"),
    "dept_kpi_resources": ("创新资源", "Resources provided"), "cases_over_time": ("办件趋势(按月)", "Cases by month"),
    "submitted": ("提交", "Submitted"), "completed": ("办结", "Completed"),
    "on_time_trend": ("按时办结率(按月)", "On-time rate by month"),
    "processing_dist": ("办理时长分布(天)", "Processing time distribution (days)"),
    "dept_matters": ("创新事项及办件量", "Innovation matters and volumes"),
    "dept_resources": ("提供的创新资源", "Resources provided"), "latest_cases": ("最新办件", "Latest cases"),
    "code": ("代码", "Code"),
    "bad_repeated": ("参数 {name} 出现了 {n} 次", "{name}: given {n} times"),
    "bad_year": ("参数 {name} 的值 '{value}' 不是年份(例如 2021)", "{name}: '{value}' is not a year (e.g. 2021)"),
    "bad_value": ("参数 {name} 的值 '{value}' 不是本页可识别的取值",
                  "{name}: '{value}' is not one of the values this page knows"),
    "bad_lang": ("参数 lang 的值 '{value}' 不是 zh 或 en", "lang: '{value}' is not zh or en"),
    "bad_span": ("起始年份 {start} 晚于截止年份 {end}", "from {start} is after to {end}"),
    "case_no": ("办件编号", "Case no."), "matter": ("事项", "Matter"), "submitted_at": ("提交时间", "Submitted"),
    "completed_at": ("办结时间", "Completed"), "due_at": ("承诺期限", "Due"), "status": ("状态", "Status"),
    "days": ("办理天数", "Days"), "on_time_col": ("按时", "On time"), "section": ("板块", "Section"),
    "cases_count": ("件数", "Cases"), "range_days": ("天数区间", "Days"),
    "chains_title": ("产业链总览", "Industry chains"), "chain": ("产业链", "Chain"), "segment": ("环节", "Segment"),
    "segments": ("产业链环节", "Segments"), "firms": ("重点企业", "Key firms"), "firm": ("企业", "Firm"),
    "firm_count": ("重点企业数", "Key firms"), "listed": ("上市", "Listed"), "listed_year": ("上市年份", "Listed in"),
    "high_tech": ("高新技术企业", "High-tech"), "chain_resources": ("服务产业链的创新资源", "Resources serving the chain"),
    "chain_compare": ("各产业链对比", "Chains compared"), "chain_trend": ("历年趋势", "By year"),
    "segment_compare": ("各环节对比", "Segments compared"), "firm_compare": ("各企业对比", "Firms compared"),
    "firm_trend": ("企业历年指标", "The firm by year"), "indicator": ("指标", "Indicator"),
    "resource": ("资源", "Resource"), "type": ("类型", "Type"), "provider": ("提供方", "Provider"),
    "resources_count": ("创新资源", "Resources"), "period": ("时间范围", "Period"), "from": ("起", "from"),
    "to": ("止", "to"), "all_years": ("全部", "all"), "reset": ("全部年份", "All years"),
    "export": ("导出CSV", "Export CSV"), "definition": ("定义", "Definition"), "unit_label": ("单位", "Unit"),
    "period_label": ("期间", "Period"), "load_run": ("加载批次", "Load run"),
    "loaded_label": ("加载时间", "Loaded at"), "demo_label": ("演示数据", "Demo data"),
    # A revised figure (a later load changed its value; the old one is kept as a vintage), said in words.
    "revised": ("已修订", "revised"),
    "check_warning": ("校验提示", "Check warning"),
    "revised_text": ("前值 {value}{unit} · 修订于 {date}", "previous {value}{unit} · revised {date}"),
    "yes": ("是", "yes"), "no": ("否", "no"), "matter_filter": ("事项", "Matter"), "clear": ("清除", "clear"),
    "click_hint": ("点击图形可下钻", "Click a chart to drill down"), "year": ("年份", "Year"), "value": ("数值", "Value"),
    "e404": ("未找到", "Not found"), "e400": ("请求参数有误", "Bad request"), "e403": ("无权访问", "Forbidden"),
    "e404_text": ("没有这个部门、产业链、环节或企业。", "There is no such department, chain, segment or firm."),
    "back_home": ("返回驾驶舱", "Back to the cockpit"), "rd_col": ("研发经费(亿元)", "R&D (100M¥)"),
    "invention_col": ("发明专利", "Invention patents"),
    "def_cases": ("该部门在所选期间提交的创新事项办件", "Innovation-matter cases the department received in the period"),
    "def_resources": ("云平台登记的创新资源及其提供方", "Innovation resources registered on the platform and their providers"),
    "def_firms": ("平台登记的产业链重点企业及其最新研发经费、专利；高新技术企业等统计数按全部企业计",
                  "The chain's key firms on the platform's register with their latest R&D spending and patents; statistics "
                  "such as high-tech enterprises count every firm, not only these"),
    "def_matters": ("部门负责的创新事项及所选期间的办件量", "The department's innovation matters with the period's cases"),
    "def_days": ("受理至办结的天数分布(已办结件)", "Days from acceptance to completion of completed cases"),
})

# Reporting completeness (issue 12 #3): who must report what by when, who did, who is late.
LABELS.update({
    "rep_line": ("{reported}/{expected} 已报送 · {late} 逾期", "{reported}/{expected} reported · {late} late"),
    "rep_late_names": ("逾期: {names}", "late: {names}"), "rep_title": ("报送情况", "Reporting"),
    "rep_record": ("报送记录", "Reporting record"), "rep_none": ("未设报送要求", "No reporting duties"),
    "rep_subject": ("报送事项", "Subject"), "rep_rule": ("报送要求", "Rule"),
    "rep_due_col": ("截止", "Due"), "rep_late_col": ("逾期部门", "Late departments"),
    "def_reporting": ("按目录的报送要求：指标以该部门该期有数据为已报送，事项办件以该部门该期有提交的办件为已报送；"
                      "截止日(期末次月的规定日)过后仍未报送即为逾期",
                      "As the catalogue requires: an indicator is reported when the department has its figure for the "
                      "period, matter cases when it has cases submitted in the period; not reported once the deadline "
                      "(a day of the month after the period) has passed is late"), "rep_due": ("截止 {date}", "due {date}"),
    "rep_not_connected": ("0/{expected} · 尚未载入任何报送", "0/{expected} · no reports loaded yet"),
    "dept_reported": ("本部门报送的指标 (最新一期)", "Figures this department reports (latest period)"),
    "rep_reported": ("已报送", "reported"), "rep_late": ("逾期", "late"), "rep_pending": ("待报送", "pending"),
    "rep_all_in": ("全部按时报送", "all reported"),
    "spot_departments": ("部门聚焦", "Department spotlight"), "spot_chains": ("产业链聚焦", "Chain spotlight"),
    "spot_rd": ("研发经费(亿元)", "R&D spending (100M¥)"), "spot_high_tech": ("高新技术企业", "High-tech firms"),
    "exc_title": ("需要关注", "Needs attention"), "exc_none": ("暂无需要关注的事项", "Nothing needs attention"),
    "exc_off_target": ("未达目标", "Off target"), "exc_overdue": ("数据逾期", "Overdue"), "exc_late": ("逾期未报", "Late reports"),
    "exc_target": ("目标", "Target"), "exc_latest": ("最新一期", "Latest period"), "exc_due": ("应更新于", "Due"),
    "rep_others_in": ("其余 {n} 项已全部报送", "{n} more all in"), "rep_all_in_n": ("{n} 项全部已报送", "all {n} in"), "rep_wall": ("报送", "Reporting"),
    "rep_cadence": ("每{cadence} {day} 日前", "{cadence}, by day {day}"),
    "cad_monthly": ("月", "monthly"), "cad_quarterly": ("季度", "quarterly"), "cad_annual": ("年", "yearly"),
})

# Townships (issue 13 #1): the tile map, /townships and /townships/<code>.
LABELS.update({
    "nav_townships": ("乡镇", "Townships"), "township_list_title": ("乡镇(街道)创新要素分布", "Townships"),
    "township": ("乡镇(街道)", "Township"), "township_kind": ("类别", "Kind"),
    "kind_街道": ("街道", "Subdistrict"), "kind_镇": ("镇", "Town"), "kind_乡": ("乡", "Township"),
    "township_map": ("新昌县乡镇分布", "Xinchang by township"),
    "township_map_wall": ("乡镇企业分布", "Firms by township"), "township_table": ("各乡镇(街道)", "All townships"),
    "township_map_note": ("示意图：每个乡镇(街道)一格，按大致方位排列，不表示边界与面积；乡镇名录：国家统计局统计用区划代码"
                          "(2022年版，新昌县12个乡镇街道)",
                          "Schematic: one equal tile per township, placed by its rough position; not boundaries or area. "
                          "Township list: the statistics bureau's division codes (2022 edition, Xinchang's 12)"),
    "measure_firms": ("企业", "Firms"), "measure_high_tech_firms": ("高新技术企业", "High-tech firms"),
    "measure_listed_firms": ("上市企业", "Listed firms"), "measure_resources": ("创新资源", "Innovation resources"),
    "unit_measure_firms": ("家", "firms"), "unit_measure_high_tech_firms": ("家", "firms"),
    "unit_measure_listed_firms": ("家", "firms"), "unit_measure_resources": ("项", "items"),
    "township_resources": ("本乡镇的创新资源", "Innovation resources here"),
    "township_where": ("所在位置", "Where it is"),
    "township_no_cases": ("办件按事项和部门登记，不含申请人所在乡镇，因此无乡镇办件量",
                          "Cases are recorded by matter and department, not by the applicant's township: no cases per township"),
    "def_townships": ("平台登记的企业和创新资源按所在乡镇(街道)计数；乡镇名录见 data/townships.csv",
                      "Firms and innovation resources on the register counted by their township; the list is data/townships.csv"),
    "need_townships": ("暂无乡镇数据 · 企业或资源数据源需带乡镇(街道)列",
                       "No township data yet · firms or resources sources need a township column"),
})
