"""Dutch interface texts (not course content: that lives in knowledge/).

Informal "je", short sentences. Placeholders use str.format names.
"""

EMPTY_QUESTION = "Je bericht is leeg. Typ je vraag, bijvoorbeeld: Wat doet een community librarian?"
QUESTION_TOO_LONG = (
    "Je bericht is te lang voor mij (meer dan {limit} tekens). "
    "Kun je je vraag korter stellen? Eén vraag per bericht werkt het best."
)
NOT_IN_MATERIAL = (
    "Dat staat niet in het cursusmateriaal, dus daar kan ik je geen goed antwoord op geven. "
    "Ik help je graag met vragen over deze thema's: {themes}."
)
SECTION_GONE = "Dit stuk bestaat niet meer. Stel je vraag gerust opnieuw."
SOURCES_HEADER = "Bronnen"
KIND_LABELS = {
    "lesstof": "lesstof",
    "voorbeeld": "voorbeeld",
    "casus": "casus",
    "opdracht": "opdracht",
    "cursusinfo": "cursusinfo",
}
INDEX_BUILDING = "Het cursusmateriaal wordt eerst geïndexeerd…"
TERMINAL_WELCOME = (
    "Hoi! Ik ben Wijkwijs, je cursusmaatje voor 'Aan de slag als Community Librarian'.\n"
    "Stel een vraag over de cursus. Typ /stop om te stoppen."
)
TERMINAL_BYE = "Tot de volgende keer!"
