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
CSV_COHORT = "Groep"
YES = "ja"
NO = "nee"

# Progress picture (PNG)
CHART_LEGEND = ("nog niet begonnen", "bezig", "klaar")
CHART_TITLE = "Voortgang: {scope}"
CHART_CAPTION = "📊 Voortgang per opdracht: grijs = nog niet begonnen, geel = bezig, groen = klaar."
ALL_COHORTS = "alle groepen"

# Cohorts (groepen)
COHORT_PREFIX = "Groep: {name}"
COHORT_BAD_NAME = (
    "Geef de groep een naam (hoogstens 100 tekens), bijvoorbeeld: /groepen nieuw Voorjaar 2027"
)
COHORT_EXISTS = "Er is al een groep \"{name}\"."
COHORT_UNKNOWN = "Ik ken geen groep \"{name}\" die jij mag zien. Je groepen: {names}."
COHORT_CREATED = "✅ Groep \"{name}\" gemaakt. Maak een uitnodiging met /uitnodiging {name}"
COHORT_ONLY_HEAD = "Alleen een trainer zonder vaste groep mag groepen maken en trainers toewijzen."
COHORT_LIST_HEADER = "👥 <b>Je groepen</b>"
COHORT_LINE = "• {name}: {count} deelnemers, {dates} lesdagen{trainers}"
COHORT_TRAINERS = ", trainers: {ids}"
COHORT_DEFAULT_MARK = " (standaard)"
COHORT_USAGE = (
    "Groepen beheren:\n"
    "/groepen – je groepen bekijken\n"
    "/groepen nieuw NAAM – een groep maken\n"
    "/groepen trainer NAAM TELEGRAM-ID – een trainer aan een groep toewijzen\n"
    "/uitnodiging NAAM – een uitnodigingslink voor een groep\n"
    "/verplaats TELEGRAM-ID NAAM – een deelnemer naar een andere groep"
)
COHORT_TRAINER_ADDED = "✅ Trainer {user} hoort nu bij groep \"{name}\"."
CHOOSE_COHORT = "Welke groep?"
BTN_ALL = "Alle groepen"
BTN_CSV = "📄 CSV"
BTN_CHART = "📊 Grafiek"
INVITE_MADE = (
    "🔗 Uitnodiging voor groep \"{name}\":\n{link}\n\n"
    "Wie via deze link start, komt in deze groep. Deel de link alleen met de groep."
)
INVITE_NO_USERNAME = "De bot heeft geen gebruikersnaam; deel deze code: {code}"
MOVE_USAGE = (
    "Zo verplaats je iemand: /verplaats TELEGRAM-ID NAAM-VAN-DE-GROEP (het id staat in de CSV)."
)
MOVE_UNKNOWN_PERSON = "Ik vind geen deelnemer \"{ref}\" in jouw groepen."
MOVED = "✅ {name} zit nu in groep \"{cohort}\"."
DATES_CHOOSE = (
    "Zet de naam van de groep voor de datums, bijvoorbeeld:\n"
    "<code>/cursusdata {name} 12-01-2027 26-01-2027 09-02-2027 23-02-2027</code>"
)
JOINED_COHORT = "Je zit in groep \"{name}\"."

# Telegram: /overzicht, /cursusdata, /bericht ----------------------------------------------------
ONLY_TRAINERS = "Alleen voor trainers."
CSV_CAPTION = "📊 Voortgang van alle deelnemers (CSV, opent in Excel)."
CSV_HINT = "Download alles als CSV met /overzicht csv."
DATES_HEADER = "📅 <b>Lesdagen</b>"
DATES_USAGE = (
    "Instellen: zet de datums van vroeg naar laat achter /cursusdata, bijvoorbeeld:\n"
    "<code>/cursusdata 12-01-2027 26-01-2027 09-02-2027 23-02-2027</code>"
)
DATES_SAVED = "✅ Lesdagen opgeslagen. Herinneringen noemen nu de volgende lesdag."
BROADCAST_USAGE = "Zet je bericht achter /bericht, bijvoorbeeld:\n/bericht Denk aan opdracht 2!"
BROADCAST_HEADER = "📣 <b>Bericht van je trainer</b>"
BROADCAST_TOO_LONG = "Je bericht is te lang ({length} tekens). Maak het korter dan {limit}."
BROADCAST_PREVIEW = "<b>Voorbeeld</b> – gaat naar {count} deelnemers:"
BROADCAST_GONE = "Er staat geen bericht meer klaar. Begin opnieuw met /bericht."
BROADCAST_SENDING = "📣 Bezig met versturen naar {count} deelnemers…"
BROADCAST_CANCELLED = "Oké, het bericht is niet verstuurd."
BROADCAST_REPORT = "📣 Klaar. Verstuurd: {sent}, mislukt: {failed}."
BROADCAST_BLOCKED = "({blocked} deelnemers hebben de bot geblokkeerd.)"
BTN_SEND = "📣 Verstuur"
BTN_CANCEL = "Annuleer"
BTN_SEND_TO = "📣 Naar {name} ({count})"
BROADCAST_PREVIEW_CHOOSE = "<b>Voorbeeld</b> – kies de groep die het krijgt:"
NOT_YOUR_COHORT = "Die groep is niet van jou."

# Command descriptions (trainers' command menu; the list is `bot.features.REGISTRY`) ----------
CMD_OVERZICHT = "Trainer: voortgang per groep (ook /overzicht csv of /overzicht grafiek)"
CMD_CURSUSDATA = "Trainer: lesdagen per groep bekijken of instellen"
CMD_BERICHT = "Trainer: bericht aan de deelnemers van een groep"
CMD_GROEPEN = "Trainer: groepen bekijken, maken, trainers toewijzen"
CMD_UITNODIGING = "Trainer: uitnodigingslink voor een groep"
CMD_VERPLAATS = "Trainer: deelnemer naar een andere groep"
