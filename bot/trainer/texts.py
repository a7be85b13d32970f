"""Dutch texts for the trainer overview. Informal, short."""

from __future__ import annotations

NO_PARTICIPANTS = "Er zijn nog geen deelnemers."
HEADER = "Deelnemers: {count}"
COL_NAME = "Naam"
COL_ASSIGNMENT = "O{n}"
COL_LAST_SEEN = "Laatst"
BLOCKED_MARK = " (geblokkeerd)"
MORE_ROWS = "… en nog {count} deelnemers. Download de CSV voor het hele overzicht."
NEVER = "-"

# CSV column headers
CSV_NAME = "Naam"
CSV_USERNAME = "Gebruikersnaam"
CSV_USER_ID = "Telegram-id"
CSV_ASSIGNMENT = "Opdracht {n} klaar (van {total})"
CSV_LAST_SEEN = "Laatst actief"
CSV_BLOCKED = "Geblokkeerd"
YES = "ja"
NO = "nee"
