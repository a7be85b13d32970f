"""Dutch texts of the assignment checklist. The assignment content itself (labels, help,
headings) comes from the opdracht files in ``knowledge/opdrachten/``.

Informal "je", short sentences. Placeholders use str.format names.
"""

from __future__ import annotations

import datetime as dt

# Status of a checklist item ------------------------------------------------------------------
STATUS_LABELS = {"leeg": "leeg", "ingevuld": "ingevuld, nog niet compleet",
                 "in_orde": "in orde", "afgevinkt": "afgevinkt"}
STATUS_ICONS = {"leeg": "⬜", "ingevuld": "✏️", "in_orde": "👍", "afgevinkt": "✅"}
LEGEND = "⬜ leeg · ✏️ ingevuld, nog niet compleet · 👍 in orde · ✅ afgevinkt"
PROGRESS_COUNTS = "{filled}/{total} ingevuld · {in_order} in orde · {ticked} afgevinkt"
GROUP_WITH_NAME = "{group}: {name}"

# Progress bar ----------------------------------------------------------------------------------
BAR_FULL = "▰"
BAR_EMPTY = "▱"

# Saving answers --------------------------------------------------------------------------------
ANSWER_EMPTY = "Je bericht is leeg. Typ je antwoord, dan sla ik het op."
ANSWER_TOO_LONG = (
    "Je antwoord is te lang: {length} tekens. Ik bewaar maximaal {limit} tekens per onderdeel. "
    "Maak het wat korter en stuur het opnieuw."
)
UNKNOWN_ASSIGNMENT = "Opdracht {n} ken ik niet. Kies uit: {choices}."
UNKNOWN_ITEM = "Dit onderdeel bestaat niet (meer) in opdracht {n}. Kies een onderdeel uit de lijst."

# Checks per item ---------------------------------------------------------------------------------
CHECK_EMPTY = "Je hebt hier nog niets ingevuld."
CHECK_SHORT = "Je antwoord is nog kort ({words} {word_noun}, richtlijn {minimum}): {help}"
CHECK_SHORT_NO_HELP = (
    "Je antwoord is nog kort ({words} {word_noun}, richtlijn {minimum}); vertel er wat meer over."
)
CHECK_FEW_ENTRIES = "Je noemt {count} {noun}, de opdracht vraagt er {minimum}."
CHECK_ONE_ENTRY = (
    "Je noemt er nu 1, de opdracht vraagt {minimum} {noun}. "
    "Zet ze elk op een eigen regel, dan tel ik ze goed."
)
CHECK_NO_REASON = (
    "Bij {names} staat nog niet waarom je die kiest; zet er kort een reden achter, "
    "bijvoorbeeld: '{example}'."
)
DEFAULT_REASON_EXAMPLE = "Welzijn Noord (bereikt eenzame ouderen)"
ADVICE_MORE_ENTRIES = (
    "Tip: je noemt er {count}; de opdracht adviseert er {advice} ({noun}), dat is een advies "
    "en geen eis."
)
DEFAULT_ITEM_NOUN = "punten"
WORD = "woord"
WORDS = "woorden"

# Checks per assignment (one line per problem) ---------------------------------------------------
WHERE_GROUP = "{group}, '{label}'"
WHERE_ITEM = "'{label}'"
ASSIGNMENT_EMPTY = "{where} is nog leeg."
ASSIGNMENT_SHORT = "{where} is nog kort: {words} {word_noun}, richtlijn is {minimum}."
ASSIGNMENT_FEW_ENTRIES = "{where}: je noemt {count}, de opdracht vraagt er {minimum} ({noun})."
ASSIGNMENT_LINE = "{where} – {message}"

# Export ------------------------------------------------------------------------------------------
EXPORT_NAME = "Naam: {name}"
EXPORT_DATE = "Datum: {date}"
EXPORT_NOT_FILLED = "(nog niet ingevuld)"
EXPORT_LIBRARY = "Bibliotheek: {library}"
EXPORT_NOT_IN_ORDER = "⚠ Nog niet in orde: {message}"
EXPORT_EMPTY = (
    "Opdracht {n} is nog leeg, dus er valt nog niets te downloaden. "
    "Vul eerst een onderdeel in via /opdrachten."
)
LIBRARY_TOO_LONG = "Die naam is te lang. Gebruik maximaal {limit} tekens."

# Telegram screens (bot/telegram/assignments.py) ---------------------------------------------------
OVERVIEW_HEADER = "📝 <b>Je opdrachten</b>\nKies een opdracht om verder te werken."
NO_ASSIGNMENTS_YET = "Er zijn (nog) geen opdrachten in het cursusmateriaal."
PICK_ITEM = "Kies een onderdeel."
PAGE_OF = "Pagina {page} van {pages}"
ITEM_POSITION = "onderdeel {position} van {total}"
YOUR_ANSWER = "Jouw antwoord"
NO_ANSWER = "Nog niets ingevuld."
MISSING_HEADER = "Wat ontbreekt nog:"
LOOKS_COMPLETE = "👍 Dit ziet er compleet uit."
ADVICE_HEADER = "Tips (geen eis):"
TICK_CONFIRM = "⚠️ <b>{label}</b> is nog niet in orde:"
TICK_CONFIRM_QUESTION = "Wil je het toch afvinken?"
BTN_TICK_ANYWAY = "✅ Toch afvinken"
BTN_IMPROVE_FIRST = "✏️ Eerst aanvullen"
ANSWER_UPDATED = "✏️ Je antwoord bij <b>{label}</b> is bijgewerkt met je aangepaste bericht."
SENT_PRIVATELY = "Je opdrachten zijn persoonlijk: ik heb ze je in een privégesprek gestuurd."
PRIVATE_ONLY = (
    "Je opdrachten zijn persoonlijk, dus die laat ik niet in de groep zien. "
    "Open een privégesprek met @{bot} en typ daar /opdrachten."
)
LIBRARY_HINT = "Tip: zet met /bibliotheek Naam van je bibliotheek de naam bovenaan je document."
LIBRARY_SAVED = "📚 Opgeslagen: <b>{name}</b>. Die naam staat voortaan bovenaan je downloads."
LIBRARY_CLEARED = "📚 De naam van je bibliotheek is gewist."
LIBRARY_CURRENT = (
    "📚 Je bibliotheek: <b>{name}</b>.\n"
    "Wijzigen? Typ /bibliotheek gevolgd door de naam. Wissen? Typ /bibliotheek -"
)
LIBRARY_UNKNOWN = (
    "📚 Ik weet nog niet bij welke bibliotheek je werkt. Typ bijvoorbeeld:\n"
    "/bibliotheek Bibliotheek Westerveen, vestiging De Hoven\n"
    "Dan zet ik die naam bovenaan je downloads. Het hoeft niet."
)
STATUS_LINE = "Status: {icon} {label}"
ANSWER_SAVED = "💾 Opgeslagen bij <b>{label}</b>."
ANSWER_SAVED_COMPLETE = "👍 Dit ziet er compleet uit. Tik op ✅ als je klaar bent."
WRITE_PROMPT = (
    "✏️ Typ je antwoord voor <b>{label}</b> in één bericht.\n"
    "Een lijst? Zet elk punt op een eigen regel.{replace}"
)
WRITE_REPLACES = "\nJe vorige antwoord wordt dan vervangen."
WAITING_CANCELLED = "Oké, geannuleerd."
ANSWER_NOT_TEXT = (
    "Ik wacht op je antwoord als tekst. Typ het in één bericht, of stop met /annuleer."
)
ITEM_GONE = "Dit onderdeel bestaat niet meer. Open /opdrachten en kies opnieuw."
MARKED_DONE = "✅ Gemarkeerd als klaar."
MARKED_OPEN = "↩️ Weer open gezet."
DOWNLOAD_PICK = "📤 Welke opdracht wil je downloaden?"
DOWNLOAD_DOCX = "📄 {heading} (Word)"
DOWNLOAD_MD = "📝 Dezelfde tekst als Markdown"
STALE_BUTTON = "Deze knop werkt niet meer. Open /opdrachten opnieuw."
BTN_WRITE = "✏️ Schrijf antwoord"
BTN_REPLACE = "✏️ Vervang antwoord"
BTN_DONE = "✅ Markeer als klaar"
BTN_UNDONE = "↩️ Toch niet klaar"
BTN_BACK = "⬅️ Terug"
BTN_NEXT = "Volgende ➡️"
BTN_PREV_PAGE = "◀️ Vorige"
BTN_NEXT_PAGE = "Meer ▶️"
BTN_EXPORT = "📤 Exporteer"
BTN_CANCEL = "Annuleer"
BTN_ASSIGNMENT = "Opdracht {n} · {bar}"

# Dates -------------------------------------------------------------------------------------------
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
WEEKDAYS_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")


def format_date(day: dt.date, weekday: bool = False) -> str:
    """'12 januari 2027' (or 'di 12 januari 2027' with ``weekday``)."""
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS_SHORT[day.weekday()]} {text}" if weekday else text


def join_names(names: list[str]) -> str:
    """"'a'", "'a' en 'b'", "'a', 'b' en 'c'"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} en {names[-1]}"


def word_noun(count: int) -> str:
    return WORD if count == 1 else WORDS
