"""The write side: sources, validation, loading and scheduling of the indicator store; never imports cockpit."""
