"""What a period's report reads besides the wall's queries: the revisions made in the period (issue 14 #2)."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from cockpit.queries._sql import frame
from etl.store import Indicator, Observation
from etl.store_trust import ObservationRevision


def revisions(engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Each revision made in [start, end) (naive UTC): the figure, its previous and present value, when."""
    stmt = (select(ObservationRevision.indicator_code, Indicator.name_zh, Indicator.name_en, ObservationRevision.scope,
                   ObservationRevision.period, ObservationRevision.value.label("previous"),
                   Observation.value.label("value"), ObservationRevision.unit, ObservationRevision.replaced_at)
            .join(Indicator, Indicator.code == ObservationRevision.indicator_code)
            .outerjoin(Observation, (Observation.indicator_code == ObservationRevision.indicator_code)
                       & (Observation.scope == ObservationRevision.scope)
                       & (Observation.period == ObservationRevision.period))
            .where(ObservationRevision.replaced_at >= start, ObservationRevision.replaced_at < end)
            .order_by(ObservationRevision.replaced_at))
    return frame(engine, stmt)
