"""Registers in a file drop: a county office's list of firms (企业名单: 企业名称, 产业链, 细分领域, 所在乡镇, 是否高新技术企业,
是否上市 …) or of innovation resources (资源名称, 资源类型, 提供单位 …), told apart from indicator tables by their
header and read into the firms and resources dimensions. The reader's entry points (read_header, find_header,
shape) take an indicator table first (etl.sources.tables) and a register otherwise.

A register's names and codes of chains, segments, resource types, departments and townships are resolved against
the store when it loads (etl.dimensions); here a row keeps what the office wrote. A register without a code column
gets a stable code from the name (the same name is the same firm on the next drop), and one without English names
shows the Chinese name in English too."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl import townships
from etl.sources import tables
from etl.sources.tables import FileRefused, Header, norm

_COMMON = {
    "code": ("code", "代码", "编号", "编码", "序列号"),
    "name_en": ("name_en", "英文名称", "英文名", "englishname", "名称(英文)", "名称（英文）"),
    "township_code": (townships.COLUMN, *townships.ALIASES, "所属乡镇", "所在乡镇(街道)", "所在乡镇（街道）", "乡镇/街道",
                      "属地", "所在地"),
    "chain_code": ("chain", "chain_code", "产业链", "所属产业链", "产业链条", "重点产业链", "服务产业链"),
    "source": ("source", "来源", "数据来源"),
}
_OWN = {
    "firms": {
        "name_zh": ("企业名称", "企业", "公司名称", "企业全称", "企业名单", "firm", "company", "name_zh", "名称"),
        "code": ("统一社会信用代码", "社会信用代码", "信用代码", "企业代码", "uscc"),
        "segment_code": ("segment", "segment_code", "细分领域", "产业环节", "环节", "细分产业", "细分行业", "产业链环节"),
        "listed": ("listed", "是否上市", "上市", "上市企业", "是否上市企业", "上市公司"),
        "listed_year": ("listed_year", "上市年份", "上市时间", "上市日期", "上市年度"),
        "high_tech": ("high_tech", "是否高新技术企业", "高新技术企业", "高企", "是否高企", "国家高新技术企业", "是否国家高新技术企业"),
    },
    "resources": {
        "name_zh": ("资源名称", "平台名称", "载体名称", "resource", "name_zh", "名称"),
        "code": ("资源编号", "资源代码"),
        "type_code": ("type", "type_code", "资源类型", "类型", "类别", "资源类别"),
        "provider": ("provider", "提供单位", "提供方", "依托单位", "建设单位", "运营单位", "所属单位", "服务单位"),
        "department_code": ("department", "department_code", "主管部门", "责任部门", "归口部门", "部门"),
    },
}
ALIASES = {kind: {norm(a): key for part in (_COMMON, own) for key, aliases in part.items() for a in aliases}
           for kind, own in _OWN.items()}
# Besides its name column, a register shows itself by one of these (a lone 名称 column is no register).
_TELLS = {"firms": {"chain_code", "segment_code", "listed", "high_tech", "township_code"},
          "resources": {"type_code", "provider"}}
_PREFIX = {"firms": "f-", "resources": "r-"}
EXPECTED = (f"{tables.EXPECTED}; or a register of firms (企业名称 with 产业链, 细分领域, 所在乡镇 …) or of resources "
            "(资源名称 with 资源类型, 提供单位 …)")


@dataclass
class Register(Header):
    kind: str = "firms"


def read_header(cells: list) -> Header | None:
    """The row as an indicator table's header, else as a register's, else None."""
    found = tables.read_header(cells)
    if found is not None:
        return found
    texts = ["" if c is None else str(c).strip() for c in cells]
    for kind, aliases in ALIASES.items():
        names: list[str | None] = []
        for text in texts:
            key = aliases.get(norm(text))
            names.append(key if key not in names else None)
        if "name_zh" in names and set(names) & _TELLS[kind]:
            return Register(texts, names, kind=kind)
    return None


def find_header(rows: list[list]) -> tuple[int, Header] | None:
    return tables.find_header(rows, read_header)


def shape(df: pd.DataFrame, header: Header, rows, location: str, header_at: str, title: list[list]) -> pd.DataFrame:
    """An indicator table's long records (etl.sources.tables.shape), or a register's rows under the dimension's
    column names, with their line numbers; blank rows, footnotes and sign-offs are left out."""
    if not isinstance(header, Register):
        return tables.shape(df, header, rows, location, header_at, title)
    df = df.set_axis(range(df.shape[1]), axis=1)
    keep = tables._kept(df)
    names = {i: n for i, n in enumerate(header.names) if n}
    out = df[keep][list(names)].rename(columns=names)
    out = out.apply(lambda c: c.map(lambda v: v.strip() if isinstance(v, str) else v)).replace({"": None})
    out["_row"] = np.asarray(rows)[keep]
    named = out["name_zh"].notna()
    if "code" not in out:
        out["code"] = out["name_zh"].map(lambda n: _PREFIX[header.kind] + _digest(n) if isinstance(n, str) else None)
    if "name_en" not in out:
        out["name_en"] = out["name_zh"]  # no English name given: the name as the office wrote it, not a guess
    if not named.any() and len(out):
        raise FileRefused(f"{header_at}: the {header.kind} register's name column is empty")
    out = out.assign(_location=location).reset_index(drop=True)
    out.attrs["kind"] = header.kind
    return out


def _digest(name: str) -> str:
    return hashlib.sha1("".join(name.split()).encode("utf-8")).hexdigest()[:12]
