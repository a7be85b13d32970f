"""Dutch interface texts for role-play (not course content: technique names, tips, hints and
persona reactions live in knowledge/rollenspel/).

Informal "je", short sentences, plain text without markup. Placeholders use str.format names.
"""

DIFFICULTY_LABELS: dict[str, str] = {
    "makkelijk": "makkelijk",
    "gemiddeld": "gemiddeld",
    "moeilijk": "moeilijk",
}

SURPRISE_ME = "Verras me"
SCENARIO_BUTTON = "{title} ({difficulty})"

INTRO = (
    "Rollenspel: {title}\n\n"
    "{situation}\n\n"
    "Je doel: {goal}\n\n"
    "Je praat met {name}, {role} ({organisation}). "
    "Reageer zoals je dat in het echt zou doen. "
    "Loop je vast? Vraag om een tip. Je kunt ook altijd stoppen."
)
PERSONA_LINE = "{name}: {line}"

# Errors -------------------------------------------------------------------------------------------
UNKNOWN_SCENARIO = "Die oefening ken ik niet. Kies er een uit de lijst."
NO_SCENARIOS = "Er zijn nog geen oefeningen beschikbaar."
SESSION_ENDED = "Deze oefening is al afgelopen. Start gerust een nieuwe."
EMPTY_REPLY = "Je bericht is leeg. Typ wat je tegen {name} zegt."
REPLY_TOO_LONG = (
    "Dat is lang voor één beurt ({length} tekens). Houd het kort, zoals in een echt gesprek: "
    "hooguit {limit} tekens."
)

# Feedback -----------------------------------------------------------------------------------------
FEEDBACK_HEADER = "Feedback: {title}"
OUTCOME_TEXT: dict[str, str] = {
    "agreement": "Gelukt: {name} gaat akkoord na {turns} beurten.",
    "max_turns": "De tijd is om. Na {turns} beurten is er nog geen akkoord.",
    "stopped": "Je stopte na {turns} beurten.",
    "active": "Het gesprek loopt nog ({turns} beurten).",
}
OUTCOME_SHORT: dict[str, str] = {
    "agreement": "akkoord",
    "max_turns": "tijd om",
    "stopped": "gestopt",
    "active": "bezig",
}
RESISTANCE_LINE = "Weerstand: van {start} naar {end} (0 = open, 100 = helemaal tegen)."
SCORE_LINE = "Je score: {score}/100"
CRITERIA_HEADER = "Per onderdeel:"
CRITERION_LINE = "- {label}: {value}/100"
GOOD_QUOTES_HEADER = "Dit werkte:"
POOR_QUOTES_HEADER = "Dit werkte tegen je:"
QUOTE_LINE = '- "{quote}" ({label})'
CONCERN_HEADER = "De zorg eronder:"
NEXT_TIME_HEADER = "Probeer volgende keer:"
TIPS_HEADER = "Tips:"
TIP_LINE = "- {tip}"
RELATED_HEADER = "Lees verder:"
RELATED_LINE = "- {title}"
NO_TURNS = "Je hebt nog niets gezegd, dus er valt nog weinig te beoordelen."

# History ------------------------------------------------------------------------------------------
HISTORY_EMPTY = "Je hebt nog geen oefening afgerond. Start er een en kijk hoe het gaat!"
HISTORY_HEADER = "Je oefeningen ({count}):"
HISTORY_LINE = "- {date}: {title}: {score}/100 ({outcome})"
HISTORY_PROGRESS = (
    "{title}: de eerste keer {first}, nu {latest} ({count}x gedaan): {trend}."
)
HISTORY_PROGRESS_ONCE = (
    "{title} deed je één keer. Doe dezelfde oefening nog eens, dan zie je of je vooruitgaat."
)
TREND_UP = "je gaat vooruit"
TREND_DOWN = "iets lager dan de eerste keer, oefenen loont"
TREND_SAME = "even hoog"
HISTORY_PER_SCENARIO = "Gemiddeld per oefening:"
HISTORY_AVERAGE_LINE = "- {title}: {average}/100 ({count}x)"
HISTORY_MORE = "… en nog {count} eerdere."

# Terminal (wijkwijs oefen) ------------------------------------------------------------------------
CLI_USER = "jij> {text}"
CLI_PERSONA = "{name}> {line}   [weerstand {resistance}]"
CLI_HINT = "tip> {hint}"
CLI_TRAINED = "Model opgeslagen in {path} ({count} voorbeelden)."
CLI_NO_SCENARIO = "Geef een oefening op (zie: wijkwijs oefen --list) of 'verras'."

# After the end ------------------------------------------------------------------------------------
SESSION_OVER = "Het gesprek is afgelopen — /oefenen voor een nieuwe ronde."
