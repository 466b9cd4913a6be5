"""Annotations as the screens, exports and /api/annotations read them (issue 14 #3): the stored ones (etl/annotations.py)
and, by themselves, every revision of a figure (from its kept vintages), each with its period's span of days."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select

from cockpit.cache import memo
from cockpit.queries._sql import connection
from etl.periods import normalise_period
from etl.reporting import bounds
from etl.store import EtlRun, Indicator
from etl.store_notes import Annotation
from etl.store_trust import ObservationRevision

COLUMNS = ["id", "period", "scope", "kind", "text_zh", "text_en", "source", "at"]


def span(period: str) -> tuple[date, date]:
    """[first day, first day after) of a day, month, quarter or year."""
    if len(period) == 10:
        day = date.fromisoformat(period)
        return day, date.fromordinal(day.toordinal() + 1)
    return bounds(period)


def _overlaps(period: str, start: str | None, end: str | None) -> bool:
    first, after = span(period)
    if start and span(start)[0] >= after:
        return False
    return not (end and span(end)[1] <= first)


@memo
def _all(engine) -> pd.DataFrame:
    with connection(engine) as conn:
        # known from its load's end (as a snapshot's moment is), or from its save on /ops
        stored = [dict(r._mapping) for r in conn.execute(
            select(Annotation.id, Annotation.period, Annotation.scope, Annotation.kind, Annotation.text_zh,
                   Annotation.text_en, Annotation.source,
                   func.coalesce(EtlRun.ended_at, Annotation.updated_at).label("at"))
            .outerjoin(EtlRun, EtlRun.id == Annotation.run_id))]
        names = dict((c, (zh, en)) for c, zh, en in conn.execute(select(Indicator.code, Indicator.name_zh, Indicator.name_en)))
        revised = conn.execute(select(ObservationRevision.id, ObservationRevision.indicator_code,
                                      ObservationRevision.scope, ObservationRevision.period, ObservationRevision.value,
                                      ObservationRevision.replaced_at)).all()
    for r in revised:  # a revision is an annotation by itself, dated at its figure's period
        zh, en = names.get(r.indicator_code, (r.indicator_code, r.indicator_code))
        stored.append({"id": f"r{r.id}", "period": r.period, "scope": r.scope, "kind": "revision",
                       "text_zh": f"{zh} {r.period} 已修订 (前值 {r.value:g})",
                       "text_en": f"{en} {r.period} revised (previously {r.value:g})", "source": "observation_revisions",
                       "at": r.replaced_at})
    df = pd.DataFrame(stored, columns=COLUMNS)
    return df.sort_values(["period", "kind", "text_zh"], kind="stable").reset_index(drop=True)


def annotations(engine, scope: str | None = None, start: str | None = None, end: str | None = None,
                as_of: datetime | None = None) -> pd.DataFrame:
    """The annotations of `scope` (and the county's, which concern every scope) whose period overlaps [start, end]
    (periods in any form the sources read), known at `as_of` (naive UTC; None: now)."""
    start = normalise_period(start) if start else None
    end = normalise_period(end) if end else None
    df = _all(engine)
    if scope:
        df = df[df["scope"].isin([scope, "county"])]
    if as_of is not None:
        df = df[pd.to_datetime(df["at"]) <= pd.Timestamp(as_of)]
    if start or end:
        df = df[[_overlaps(p, start, end) for p in df["period"]]]
    return df.reset_index(drop=True)


def text(row, lang: str) -> str:
    return (row["text_en"] or row["text_zh"]) if lang == "en" else row["text_zh"]
