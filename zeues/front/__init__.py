"""Every HTML page of ZEUES (kiosk, board, history, Gerencia, downloads, labels, admin, demo).

The top floor: it may import everything below it, and nothing imports it (docs/architecture.md).
"""
