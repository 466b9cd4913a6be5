"""SQL → DataFrames, no Dash: one module per screen family (wall, departments, chains, ops, export) and the
plumbing they share (_sql). Every query reads the store through etl.store's models and is memoised by data
version (cockpit.cache)."""
from cockpit.queries._sql import one_connection

__all__ = ["one_connection"]
