"""Annotations (issue 14 #3): policy events, data incidents and revisions as data, with a date or period, a scope,
a kind and a text in Chinese and English. Loaded from a file the file sources recognise by its columns (日期/期间,
范围, 类型, 说明; English date/period, scope, kind, note; 英文说明/note_en for the English text) and added or
edited by admins on /ops (audited). A row loaded again unchanged changes nothing: its key is (period, scope,
kind, Chinese text). Revisions also show as annotations by themselves (cockpit/queries/annotations.py reads
them from the kept vintages); this table holds what people write."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select, update

from etl import clock, validate
from etl.catalogue import Lookups
from etl.periods import normalise_period
from etl.sources.base import Batch
from etl.store_notes import Annotation
from etl.store import advance_version

KINDS = {"policy": "policy", "政策": "policy", "政策事件": "policy", "incident": "incident", "数据事件": "incident",
         "事件": "incident", "故障": "incident", "数据问题": "incident", "revision": "revision", "修订": "revision",
         "数据修订": "revision", "note": "note", "说明": "note", "备注": "note"}


def kind_code(value) -> str | None:
    return KINDS.get(str(value).strip().casefold()) if value is not None and not pd.isna(value) else None


def check(raw: pd.DataFrame, lookups: Lookups) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw annotation records (period, scope, kind, note[, note_en, source]) → (clean rows, rejected rows)."""
    df = raw.reset_index(drop=True)
    raw_columns = [c for c in df.columns if not c.startswith("_")]
    for col in ("scope", "kind", "note", "note_en", "source"):
        if col not in df:
            df[col] = None
    period = df["period"].map(lambda p: normalise_period(p) if p is not None and not pd.isna(p) else None)
    scope = Lookups.resolve(lookups.scopes, df["scope"].where(df["scope"].notna(), "county"))
    kind = df["kind"].map(kind_code)
    text = df["note"].astype("string").str.strip()
    checks = [(period.isna().to_numpy(), "unparseable date or period"), (scope.isna().to_numpy(), "unknown scope"),
              (kind.isna().to_numpy(), "unknown kind (policy 政策 | incident 数据事件 | revision 修订 | note 说明)"),
              (text.isna().to_numpy() | (text.fillna("") == "").to_numpy(), "no text (说明)")]
    bad, reasons = validate._reasons(checks, len(df))
    clean = pd.DataFrame({"period": period, "scope": scope, "kind": kind, "text_zh": text.fillna(""),
                          "text_en": df["note_en"].astype("string").fillna("").str.strip(),
                          "source": df["source"].astype("string").fillna("")})
    rejected = validate.rejected_rows(df, bad, reasons, raw_columns)
    return clean[~bad].reset_index(drop=True), rejected


KEY = ["period", "scope", "kind", "text_zh"]


def write(conn, clean: pd.DataFrame, run_id: int | None, is_demo: bool, author: str = "") -> int:
    """Insert the annotations not stored yet (by KEY); an English text given later fills in. Returns how many."""
    if clean.empty:
        return 0
    rows = conn.execute(select(Annotation.id, Annotation.period, Annotation.scope, Annotation.kind,
                               Annotation.text_zh, Annotation.text_en)).all()
    stored = {(r.period, r.scope, r.kind, r.text_zh): (r.id, r.text_en) for r in rows}
    now, written = clock.utc_now(), 0
    for row in clean.drop_duplicates(KEY, keep="last").to_dict("records"):
        key = tuple(row[k] for k in KEY)
        if key in stored:
            found, text_en = stored[key]
            if row["text_en"] and row["text_en"] != text_en:
                conn.execute(update(Annotation).where(Annotation.id == found).values(text_en=row["text_en"],
                                                                                    updated_at=now))
                written += 1
            continue
        conn.execute(Annotation.__table__.insert().values(**row, is_demo=bool(is_demo), run_id=run_id,
                                                          author=author, updated_at=now))
        written += 1
    return written


def load(conn, batch: Batch, lookups: Lookups, run_id: int, default_source: str) -> tuple[int, int, pd.DataFrame]:
    clean, rejected = check(batch.records, lookups)
    clean["source"] = clean["source"].mask(clean["source"] == "", default_source)
    return len(clean), write(conn, clean, run_id, batch.is_demo), rejected


def save(engine, fields: dict, username: str, annotation_id: int | None = None) -> int:
    """An admin's annotation from /ops, new or edited (ValueError naming what is wrong); returns its id. The page
    audits it (etl.accounts.write_audit)."""
    with engine.begin() as conn:
        lookups = Lookups.from_db(conn)
        clean, rejected = check(pd.DataFrame([fields]).assign(_row=1, _location="ops"), lookups)
        if clean.empty:
            raise ValueError(rejected["reason"].iloc[0])
        row = clean.iloc[0].to_dict()
        advance_version(conn)  # the screens read it at the next data version
        values = {**row, "source": row["source"] or f"ops:{username}", "author": username, "updated_at": clock.utc_now()}
        if annotation_id is None:
            result = conn.execute(Annotation.__table__.insert().values(**values, is_demo=False, run_id=None))
            return int(result.inserted_primary_key[0])
        if not conn.execute(update(Annotation).where(Annotation.id == annotation_id).values(**values)).rowcount:
            raise ValueError(f"no annotation #{annotation_id}")
        return annotation_id


def remove(engine, annotation_id: int) -> bool:
    with engine.begin() as conn:
        advance_version(conn)
        return bool(conn.execute(Annotation.__table__.delete().where(Annotation.id == annotation_id)).rowcount)

