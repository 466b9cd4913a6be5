"""Helpers for the browser tests: a wall server in a subprocess and headless Chromium with the field-note flags."""
