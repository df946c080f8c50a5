"""The Google Sheets mirror: outbox, sync worker, status (docs/sheets.md).

ZEUES is the source of truth; the shop's spreadsheet is a mirror. Every action records in its
own transaction which spool, and which joints, the sheet must learn about (the engine's step
queues `zeues.models.SheetSpoolChange` and `SheetUnionChange`); events reach the sheet's Metadata
tab through a cursor over `Event.seq`. The worker (`sync.SheetSync`) batches all of it into a
few requests per cycle.
"""
