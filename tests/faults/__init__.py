"""Helpers of the fault-tolerance tests: throwaway servers (PostgreSQL, Redis, gunicorn) and hostile requests."""
