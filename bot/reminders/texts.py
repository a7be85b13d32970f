"""Dutch texts for reminders and course dates. Informal "je", short sentences."""

from __future__ import annotations

# Errors ------------------------------------------------------------------------------------------
BAD_TIME = (
    "Die tijd snap ik niet. Typ bijvoorbeeld 19:30, 19u30, half acht 's avonds "
    "of 20:00 werkdagen. Pauzeren kan met 'pauze', weer aanzetten met 'hervat'."
)
TIME_OUT_OF_RANGE = "Die tijd bestaat niet. Kies een uur van 0 tot 23 en minuten van 00 tot 59."
BAD_DAYS = "Kies 'elke dag' of 'werkdagen', bijvoorbeeld: 19:30 werkdagen."
BAD_TIMEZONE = "Die tijdzone ken ik niet. Gebruik een naam als Europe/Amsterdam."
NO_REMINDER = "Je hebt nog geen herinnering. Kies eerst een tijd, bijvoorbeeld 19:30."
BAD_DATE = "De datum '{text}' snap ik niet. Gebruik dd-mm-jjjj, bijvoorbeeld 12-01-2027."
NO_DATES = "Ik zie geen datums. Typ ze achter elkaar, bijvoorbeeld: 12-01-2027 26-01-2027."
DATES_NOT_IN_ORDER = (
    "De lesdagen staan niet op volgorde: {later} komt na {earlier}. Zet ze van vroeg naar laat."
)
BAD_LESDAG = "Lesdagen tellen vanaf 1."

# Status ------------------------------------------------------------------------------------------
DAYS_DAILY = "elke dag"
DAYS_WEEKDAYS = "op werkdagen (maandag tot en met vrijdag)"
STATUS_ON = "Je krijgt {days} om {time} een herinnering."
STATUS_PAUSED = (
    "Je herinnering ({days} om {time}) staat op pauze. "
    "Weer aanzetten? Typ /herinnering hervat."
)
STATUS_OFF = "Je hebt geen herinnering aan staan."
STATUS_TIMEZONE = "Tijdzone: {tz}."

# The reminder itself -----------------------------------------------------------------------------
GREETING = "Hoi {name}!"
GREETING_NO_NAME = "Hoi!"
NEXT_STEP = (
    "Tijd voor een stapje in je opdracht.\n"
    "📝 {heading}\n"
    "Volgende stap: {label}\n"
    "Opdracht {number}: {done}/{total} in orde"
)
ALL_DONE = (
    "Knap gedaan: al je opdrachten zijn in orde of afgevinkt! 🎉\n"
    "Wil je iets nalezen of oefenen? Stel me gerust een vraag."
)
NO_ASSIGNMENTS = "Tijd voor je cursus! Stel me gerust een vraag over de lesstof."
LESDAG_TODAY = "Vandaag is lesdag {n}."
LESDAG_TOMORROW = "Morgen is lesdag {n}."
LESDAG_DAYS = "Nog {days} dagen tot lesdag {n}."

# Course dates ------------------------------------------------------------------------------------
CALENDAR_EMPTY = "Er zijn nog geen lesdagen ingesteld."
CALENDAR_LINE = "Lesdag {n}: {date}"

# Your own lesdagen (/lesdagen and date questions) ------------------------------------------------
SCHEDULE_HEADER = "📅 **Jouw lesdagen**"
SCHEDULE_PLAN_HEADER = "📅 **Zo lopen de lesdagen meestal**"
SCHEDULE_NOT_SET = (
    "Je trainer heeft de datums van de lesdagen van je groep nog niet ingesteld. "
    "Zo ziet de planning er meestal uit:"
)
SCHEDULE_LINE = "- Lesdag {n}: {date}{when}"
SCHEDULE_PLAN_LINE = "- Lesdag {n}: {topic}"
SCHEDULE_WHAT = " – {topic}"
SCHEDULE_NO_DATE = "nog geen datum"
SCHEDULE_WORK_ON = "Daarna werk je aan {assignments}."
SCHEDULE_DISCUSS = "Je bespreekt {assignments}."
SCHEDULE_WHEN_TODAY = " (vandaag)"
SCHEDULE_WHEN_TOMORROW = " (morgen)"
SCHEDULE_WHEN_DAYS = " (over {days} dagen)"
SCHEDULE_WHEN_PAST = " (geweest)"
SCHEDULE_NEXT_TODAY = "Vandaag is lesdag {n}."
SCHEDULE_NEXT_TOMORROW = "Morgen is lesdag {n} ({date})."
SCHEDULE_NEXT_DAYS = "De volgende lesdag is lesdag {n}: {date}, over {days} dagen."
SCHEDULE_ALL_PAST = "Alle lesdagen van je groep zijn voorbij."
SCHEDULE_LESDAG = "Lesdag {n} is op {date}{when}."
SCHEDULE_LESDAG_UNSET = "Voor lesdag {n} heeft je trainer nog geen datum ingesteld."
SCHEDULE_ASSIGNMENT = "**Opdracht {n}**: "
SCHEDULE_ASSIGNMENT_AFTER = "daaraan werk je na lesdag {n}{date}"
SCHEDULE_ASSIGNMENT_DISCUSS = "je bespreekt hem op lesdag {n}{date}"
SCHEDULE_ON_DATE = " ({date})"
SCHEDULE_DEADLINE = (
    "De precieze inleverdatum spreek je af met je trainer. "
    "Twijfel je over de planning? Vraag het aan je trainer."
)
SCHEDULE_ASK_TRAINER = "Twijfel je over de planning? Vraag het aan je trainer."
ASSIGNMENT_ONE = "opdracht {n}"
ASSIGNMENTS_MANY = "opdracht {first} en {last}"
ASSIGNMENTS_ALL = "je opdrachten"

# Telegram: /herinnering screen and buttons ------------------------------------------------------
HEADER = "⏰ <b>Herinneringen</b>"
HINT = "Kies een tijd hieronder, of typ bijvoorbeeld /herinnering 19:30."
SAVED = "✅ Gelukt!"
OFF = "🔕 Je herinneringen staan uit. Met /herinnering zet je ze weer aan."
TZ_USAGE = "Zo stel je je tijdzone in: /herinnering tijdzone Europe/Brussels"
TZ_SAVED = "✅ Je tijdzone is nu {tz}."
ASK_TIME = (
    "Hoe laat wil je een herinnering? Typ een tijd, bijvoorbeeld 19:30, 19u30 "
    "of half acht 's avonds."
)

BTN_OTHER = "🕒 Andere tijd"
BTN_DAILY = "Elke dag"
BTN_WEEKDAYS = "Alleen werkdagen"
BTN_PAUSE = "⏸ Pauze"
BTN_RESUME = "▶️ Hervat"
BTN_OFF = "🔕 Uit"
BTN_CANCEL = "Annuleer"
BTN_TO_ASSIGNMENTS = "📝 Naar mijn opdrachten"
STALE = "Deze knop werkt niet meer. Typ /herinnering."
CHOSEN = "• {label}"
TIME_CANCELLED = "Oké, geannuleerd. Je herinnering blijft zoals hij was."
TIME_NOT_TEXT = "Typ een tijd, bijvoorbeeld 19:30. Of stop met /annuleer."
