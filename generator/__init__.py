"""examgen: writes, solves, renders and grades deep-learning exam problems."""

__version__ = "0.1.0"
