"""The Google Sheets mirror: outbox, sync worker, status (docs/sheets.md).

ZEUES is the source of truth; the shop's spreadsheet is a mirror. Every action records in its
own transaction which spool the sheet must learn about (`outbox.sheets_outbox_add`, called by
`spools.services.event_append`); events reach the sheet's Metadata tab through a cursor over
`Event.seq`. The worker (`sync.SheetSync`) batches both into a few requests per cycle.
"""
