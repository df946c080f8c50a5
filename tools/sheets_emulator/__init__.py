"""A local Google Sheets API v4 emulator for tests, development and benchmarks (see docs/sheets_emulator.md)."""

from .faults import RequestRecord
from .server import METADATA_HEADER, SheetsEmulator

__all__ = ["METADATA_HEADER", "RequestRecord", "SheetsEmulator"]
