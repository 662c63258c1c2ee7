"""site-builder: a static-site generator for public pledge boards (星级党员示范岗)."""

__version__ = "0.1.0"
