"""Dutch interface texts for role-play (not course content: that lives in knowledge/rollenspel/).

Informal "je", short sentences, plain text without markup. Placeholders use str.format names.
"""

TECHNIQUE_LABELS: dict[str, str] = {
    "luisteren": "Luisteren en erkennen",
    "samenvatten": "Samenvatten",
    "doorvragen": "Doorvragen",
    "belang-ander": "Belang van de ander",
    "voorstel": "Kleine stap voorstellen",
    "vermijden": "Valkuilen vermijden",
    "tegenargumenteren": "Tegenargumenteren",
    "wegwuiven": "Wegwuiven",
    "druk": "Druk zetten",
    "zorg-negeren": "Zorg negeren",
}

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

# Hints --------------------------------------------------------------------------------------------
HINT_AFTER_PUSH = (
    "Je laatste reactie kwam over als {move}. Zet een stap terug: erken de zorg en vraag wat "
    "{name} nodig heeft."
)
HINT_ACKNOWLEDGE = (
    "De weerstand is nog hoog. Erken eerst wat {name} voelt, bijvoorbeeld: 'Ik hoor dat je hier "
    "niet blij mee bent.' Je argumenten komen later."
)
HINT_OPEN_QUESTION = (
    "Je hebt nog geen open vraag gesteld. Vraag door met wat, hoe of waarom, bijvoorbeeld: "
    "'Wat maakt dit voor jou lastig?'"
)
HINT_PROPOSE = (
    "De weerstand zakt. Stel nu een kleine, concrete stap voor: een proef, een kop koffie "
    "volgende week of één keer meekijken."
)
HINT_NO_MORE = (
    "Je hebt alle tips gehad. Houd het bij LSD: luister, vat samen wat je hoort en vraag door."
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

NEXT_TIME: dict[str, str] = {
    "tegenargumenteren": (
        "Zeg geen 'ja, maar' en ga niet in discussie. Vraag eerst: 'Wat maakt dat je het zo ziet?'"
    ),
    "wegwuiven": (
        "Neem de zorg serieus in plaats van hem weg te wuiven: 'Ik hoor dat je je zorgen maakt "
        "over …'"
    ),
    "druk": "Zet geen druk. Vraag wat de ander nodig heeft om ja te kunnen zeggen.",
    "zorg-negeren": (
        "Reageer eerst op wat de ander net zei, voordat je over je eigen plan begint."
    ),
    "doorvragen": "Stel minstens één open vraag, bijvoorbeeld: 'Wat maakt dit lastig voor je?'",
    "luisteren": "Begin met erkennen, bijvoorbeeld: 'Ik hoor dat …' of 'Dat snap ik.'",
    "samenvatten": (
        "Vat samen wat je hoort, inhoud én gevoel: 'Als ik je goed begrijp, ben je bang dat …'"
    ),
    "belang-ander": "Maak concreet wat het de ander oplevert: 'Voor jou betekent dit …'",
    "voorstel": (
        "Sluit af met een kleine, concrete stap: een proef, een kop koffie of één keer meekijken."
    ),
}

TECHNIQUE_TIPS: dict[str, str] = {
    "luisteren": "Erken het gevoel achter het bezwaar voordat je iets uitlegt.",
    "samenvatten": "Een samenvatting laat zien dat je luistert en checkt of je het goed hebt.",
    "doorvragen": "Open vragen (wat, hoe, waarom) brengen de echte zorg boven tafel.",
    "belang-ander": "Denk vanuit de ander: wat levert het hem of haar op? (What's in it for me?)",
    "voorstel": "Een kleine stap is makkelijker om ja op te zeggen dan een groot plan.",
    "tegenargumenteren": (
        "Tegenargumenten maken de weerstand groter. Eerst begrijpen, dan pas uitleggen."
    ),
    "wegwuiven": (
        "Een zorg die je wegwuift, verdwijnt niet. De ander zegt hem alleen niet meer hardop."
    ),
    "druk": "Druk levert hooguit schijnbare instemming op, geen echte medewerking.",
    "zorg-negeren": "Ga in op wat de ander net zei. Anders voelt die zich niet gehoord.",
}

# History ------------------------------------------------------------------------------------------
HISTORY_EMPTY = "Je hebt nog geen oefening afgerond. Start er een en kijk hoe het gaat!"
HISTORY_HEADER = "Je oefeningen ({count}):"
HISTORY_LINE = "- {date}: {title}: {score}/100 ({outcome})"
HISTORY_PROGRESS = "Eerste score {first}, laatste score {latest}: {trend}."
TREND_UP = "je gaat vooruit"
TREND_DOWN = "iets lager dan je eerste keer, oefenen loont"
TREND_SAME = "even hoog"
HISTORY_PER_SCENARIO = "Gemiddeld per oefening:"
HISTORY_AVERAGE_LINE = "- {title}: {average}/100 ({count}x)"
HISTORY_MORE = "… en nog {count} eerdere."

# Terminal (wijkwijs oefen) ------------------------------------------------------------------------
CLI_USER = "jij> {text}"
CLI_PERSONA = "{name}> {line}   [weerstand {resistance}]"
CLI_HINT = "tip> {hint}"
CLI_NO_SCENARIO = "Geef een oefening op (zie: wijkwijs oefen --list) of 'verras'."
