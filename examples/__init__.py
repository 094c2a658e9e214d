"""Runnable example models (``python -m examples.NAME``)."""
