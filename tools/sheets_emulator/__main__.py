"""`python -m tools.sheets_emulator`: serve a spreadsheet loaded from CSV files until Ctrl-C/SIGTERM.

Prints the base URL first (one line), so a script can read it and set ZEUES_SHEETS_ENDPOINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .server import METADATA_HEADER, SheetsEmulator


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m tools.sheets_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port")
    parser.add_argument("--spreadsheet-id", default="DEV")
    parser.add_argument("--csv-dir", help="operaciones.csv, trabajadores.csv, roles.csv[, metadata.csv]")
    parser.add_argument("--title", default="ZEUES")
    parser.add_argument(
        "--user-entered", action="store_true", help="parse CSV cells as typed (default: RAW text)"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds slept before each answer")
    parser.add_argument("--quota", type=int, default=None, help="requests per minute before 429")
    parser.add_argument(
        "--min-rows", type=int, default=0, help="spare rows, e.g. 1000 like a new Google sheet"
    )
    parser.add_argument("--locale", default="es_CL")
    parser.add_argument("--time-zone", default="America/Santiago")
    return parser.parse_args(argv)


def load(emulator: SheetsEmulator, args: argparse.Namespace) -> None:
    """The spreadsheet from --csv-dir, or just a Metadata tab with its header row."""
    if args.csv_dir:
        value_input = "USER_ENTERED" if args.user_entered else "RAW"
        emulator.load_csv_dir(
            args.spreadsheet_id,
            args.csv_dir,
            title=args.title,
            value_input=value_input,
            min_rows=args.min_rows,
        )
    else:
        emulator.create_spreadsheet(
            args.spreadsheet_id, {"Metadata": [METADATA_HEADER]}, args.title, min_rows=args.min_rows
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Start, print the base URL, serve until a signal, stop."""
    args = parse_args(argv)
    emulator = SheetsEmulator(args.host, args.port, locale=args.locale, time_zone=args.time_zone)
    load(emulator, args)
    emulator.set_latency(args.latency)
    emulator.set_quota(args.quota)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        """Ctrl-C or SIGTERM: leave the serving loop."""
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emulator.start()
    print(emulator.base_url, flush=True)
    tabs = ", ".join(s["properties"]["title"] for s in emulator.metadata(args.spreadsheet_id)["sheets"])
    print(f"spreadsheet {args.spreadsheet_id!r}: {tabs}", file=sys.stderr, flush=True)
    while not stopping.wait(0.5):
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
