"""ZEUES: shop-floor traceability for pipe-spool fabrication."""

__version__ = "0.1.0"
