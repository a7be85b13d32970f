"""Dutch interface texts (not course content: that lives in knowledge/).

Informal "je", short sentences. Placeholders use str.format names.
"""

EMPTY_QUESTION = "Je bericht is leeg. Typ je vraag, bijvoorbeeld: Wat doet een community librarian?"
NO_WORDS = (
    "Ik zie geen woorden in je bericht. Typ je vraag in een zin, bijvoorbeeld: "
    "Wat doet een community librarian?"
)
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
TERMINAL_WELCOME = (
    "Hoi! Ik ben Wijkwijs, je cursusmaatje voor 'Aan de slag als Community Librarian'.\n"
    "Probeer eerst:\n"
    "  - een vraag, bijvoorbeeld: Wat is een wijkschouw?\n"
    "  - /oefenen     oefen een gesprek met een partner\n"
    "  - /opdrachten  werk aan je opdrachten\n"
    "  - /help        dit overzicht\n"
    "Stoppen: /exit of Ctrl-D."
)
TERMINAL_SCENARIOS = "Kies een oefening (typ het nummer):"
TERMINAL_ROLEPLAY_KEYS = "(Typ je reactie. /tip geeft een tip, /stop stopt en geeft feedback.)"
TERMINAL_UNKNOWN = (
    "Die opdracht ken ik niet. Probeer /oefenen, /tip, /stop, /opdrachten, /herinnering of /exit."
)
TERMINAL_ASSIGNMENT_KEYS = (
    "Zo werk je aan een opdracht:\n"
    "  /opdracht 3                      de onderdelen van opdracht 3, met nummers\n"
    "  /antwoord 3 2 <je antwoord>      antwoord op onderdeel 2 opslaan (vervangt het vorige)\n"
    "  /klaar 3 2                       onderdeel 2 afvinken\n"
    "  /exporteer 3                     Word- en Markdown-bestand maken\n"
    "  /herinnering 19:30 | uit         dagelijkse herinnering"
)
TERMINAL_SAVED = "Opgeslagen."
TERMINAL_EXPORTED = "Bewaard: {path}"
TERMINAL_BYE = "Tot de volgende keer!"
RUN_CHAT_WITHOUT_TOKEN = (
    "Geen Telegram-token: je praat nu in de terminal met Wijkwijs. Telegram koppelen: "
    "cp .env.example .env, zet WIJKWIJS_TELEGRAM_TOKEN en start opnieuw met make run."
)

# Telegram ------------------------------------------------------------------------------------
WELCOME = (
    "Hoi {name}! 👋 Ik ben <b>Wijkwijs</b>, je cursusmaatje bij "
    "<i>Aan de slag als Community Librarian</i>.\n\n"
    "Dit kan ik voor je doen:\n{features}\n\n"
    "Stel gerust meteen een vraag, bijvoorbeeld: <i>Wat is een krachtenveldanalyse?</i>"
)
FEATURE_QA = "❓ Vragen over de cursus beantwoorden, met de bronnen erbij"
FEATURE_ROLEPLAY = "🎭 Oefenen met lastige gesprekken (weerstanden)"
FEATURE_ASSIGNMENTS = "📝 Je vier opdrachten bijhouden en exporteren"
FEATURE_REMINDERS = "⏰ Je dagelijks herinneren aan je volgende stap"
MENU_ASK = "❓ Vraag stellen"
MENU_ROLEPLAY = "🎭 Oefenen"
MENU_ASSIGNMENTS = "📝 Opdrachten"
MENU_REMINDERS = "⏰ Herinneringen"
ASK_PROMPT = "Typ je vraag maar. Bijvoorbeeld: <i>Hoe maak ik een elevator pitch?</i>"
HELP = (
    "<b>Zo werkt Wijkwijs</b>\n\n"
    "Typ gewoon je vraag, of gebruik een opdracht:\n{commands}\n\n"
    "<b>Voorbeelden</b>\n"
    "• Wat doet een community librarian?\n"
    "• Hoe ga ik om met een collega die geen zin heeft in veranderingen?\n"
    "• /vraag Wat is de participatieladder?\n"
    "• Wanneer moet opdracht 3 af?"
)
BTN_MORE = "📖 Meer hierover"
BTN_UP = "👍"
BTN_DOWN = "👎"
THANKS_FEEDBACK = "Dank je voor je feedback!"
STALE_BUTTON = "Deze knop werkt niet meer. Stel je vraag gerust opnieuw."
VRAAG_EMPTY = "Zet je vraag achter /vraag, bijvoorbeeld: /vraag Wat is een wijkschouw?"
UNSUPPORTED_MEDIA = (
    "Dat kan ik helaas niet lezen. Ik begrijp alleen tekst. "
    "Typ je vraag gerust in een bericht."
)
UNKNOWN_COMMAND = "Die opdracht ken ik niet. Met /help zie je wat ik kan."
FLOOD = (
    "Rustig aan 🙂 Je stelt veel vragen tegelijk. "
    "Wacht even een minuutje en probeer het dan opnieuw."
)
NOT_ALLOWED = (
    "Sorry, deze bot is alleen voor deelnemers van de cursus. "
    "Vraag je trainer om de uitnodigingslink."
)
INVITE_OK = "Welkom! Je bent aangemeld voor de cursus."
INVITE_WRONG = (
    "Deze uitnodigingscode klopt niet of is verlopen. "
    "Gebruik de link die je van je trainer kreeg."
)
INVITE_LOCKED = (
    "Te veel verkeerde codes. Ik controleer even geen codes meer. "
    "Probeer het over {wait} opnieuw met de link van je trainer."
)
WAIT_SECONDS = "{n} seconden"
WAIT_MINUTES = "{n} minuten"
WAIT_HOURS = "{n} uur"
CLI_TOKEN_REJECTED = (
    "Telegram weigert het bot-token. Controleer WIJKWIJS_TELEGRAM_TOKEN in .env "
    "(het token van @BotFather)."
)
CLI_INVITE_NEW = (
    "Uitnodigingscode: {code}\n"
    "Link voor de deelnemers: {link}\n"
    "Geldig tot: {expires}\n"
    "Bewaar de code nu: ik sla alleen een hash op en kan hem niet opnieuw tonen."
)
CLI_INVITE_NO_EXPIRY = "geen einddatum (trek hem in met: wijkwijs invite revoke <nummer>)"
CLI_INVITE_OPEN_BOT = (
    "Let op: de bot is nu open voor iedereen. Zet WIJKWIJS_INVITE_ONLY=true "
    "om alleen mensen met een uitnodiging toe te laten."
)
ERROR = "Sorry, er ging iets mis aan mijn kant. Probeer het zo nog eens."
PRIVACY = (
    "<b>Wat bewaart Wijkwijs?</b>\n\n"
    "• Je Telegram-id, voornaam en gebruikersnaam\n"
    "• Je vragen, de antwoorden en je 👍/👎\n"
    "• Je antwoorden bij de opdrachten en je oefengesprekken\n"
    "• De naam van je bibliotheek, als je die met /bibliotheek hebt opgegeven\n"
    "• Je instellingen voor herinneringen\n\n"
    "Alles staat op de server van je cursusaanbieder en wordt niet gedeeld. "
    "Je trainer ziet alleen je voortgang per opdracht.\n\n"
    "Wil je dat alles over jou wordt gewist? Gebruik /vergeet. {erasure}"
)
PRIVACY_ERASURE = (
    "Ik wis het dan meteen, ook uit de tijdelijke databasebestanden. "
    "Was je aangemeld met een uitnodigingslink, dan onthoud ik alleen dat je deelnemer bent."
)
PRIVACY_ERASURE_POSTGRES = (
    "Ik wis het dan meteen. De database (PostgreSQL) ruimt de oude kopieën op de schijf op "
    "bij de volgende VACUUM, die automatisch draait (meestal binnen een dag). "
    "Was je aangemeld met een uitnodigingslink, dan onthoud ik alleen dat je deelnemer bent."
)
FORGET_CONFIRM = (
    "Weet je het zeker? Ik wis dan <b>alles</b> wat ik over je bewaar: je vragen, "
    "je opdrachten, je oefengesprekken en je herinneringen. Dit kun je niet terugdraaien."
)
BTN_FORGET_YES = "🗑 Ja, wis alles"
BTN_FORGET_NO = "Nee, toch niet"
FORGET_DONE = "Klaar. Alles wat ik over je bewaarde is gewist. Met /start begin je opnieuw."
FORGET_KEPT_MEMBERSHIP = (
    "Je blijft aangemeld als deelnemer, dus je hebt de uitnodigingslink niet opnieuw nodig."
)
FORGET_CANCELLED = "Oké, er is niets gewist."
# Command descriptions (Telegram's command menu, /help, the terminal's /help). The list itself,
# per feature and in order, is `bot.features.REGISTRY`.
CMD_START = "Begin en bekijk het menu"
CMD_VRAAG = "Stel een vraag over de cursus"
CMD_NIEUW = "Begin een nieuw gesprek (ik vergeet de vorige vragen)"
CMD_OEFENEN = "Oefen een gesprek met weerstand"
CMD_STOP = "Stop het oefengesprek en krijg feedback"
CMD_MIJNOEFENINGEN = "Je oefeningen en scores"
CMD_OPDRACHTEN = "Werk aan je opdrachten"
CMD_EXPORTEER = "Download een opdracht als Word-bestand"
CMD_BIBLIOTHEEK = "Zet de naam van je bibliotheek op je downloads"
CMD_HERINNERING = "Stel je dagelijkse herinnering in"
CMD_LESDAGEN = "Je lesdagen: datums en wat je wanneer doet"
CMD_OEFENVRAAG = "Krijg een oefenvraag over de lesstof"
CMD_MIJNVOORTGANG = "Hoeveel oefenvragen zitten vast"
CMD_HELP = "Uitleg en voorbeelden"
CMD_PRIVACY = "Wat ik over je bewaar"
CMD_VERGEET = "Wis alles wat ik over je bewaar"
NEW_CONVERSATION = (
    "Oké, we beginnen opnieuw. Ik kijk niet meer terug naar je vorige vragen. "
    "Waar wil je het over hebben?"
)

# Role-play (Telegram) ------------------------------------------------------------------------
RP_CHOOSE = (
    "🎭 <b>Oefenen met weerstanden</b>\n\n"
    "Kies een gesprek. Ik speel de ander, jij reageert zoals in het echt. "
    "Na afloop krijg je feedback."
)
RP_BTN_HINT = "💡 Tip"
RP_BTN_STOP = "⏹ Stop"
RP_BTN_AGAIN = "🎭 Nog een keer"
RP_BTN_HISTORY = "📈 Mijn oefeningen"
RP_NOT_ACTIVE = "Je bent nu niet aan het oefenen. Start een gesprek met /oefenen."

# Terminal chat: command list and unknown commands (issue 16) ---------------------------------
TERMINAL_UNKNOWN_COMMAND = "Dat commando ken ik niet. Typ /help voor alle commando's."
TERMINAL_HELP_HEADER = "Dit kun je typen (of stel gewoon je vraag):"
# Terminal-only commands (what Telegram does with buttons); the registry's commands are listed
# with their own descriptions (bot.features). Shown as "<usage> – <description>".
TERMINAL_EXTRA_OPDRACHT = ("/opdracht 3", "de onderdelen van opdracht 3, met nummers")
TERMINAL_EXTRA_ANTWOORD = ("/antwoord 3 2 <tekst>", "antwoord op onderdeel 2 van opdracht 3")
TERMINAL_EXTRA_KLAAR = ("/klaar 3 2", "onderdeel 2 van opdracht 3 afvinken")
TERMINAL_EXTRA_TIP = ("/tip", "een tip tijdens het oefengesprek")
TERMINAL_EXTRA_ANNULEER = ("/annuleer", "de open oefenvraag overslaan")
TERMINAL_EXTRA_EXIT = ("/exit", "stoppen")
TERMINAL_HELP_LINE = "  {usage} – {description}"
TERMINAL_FORGET_CONFIRM = "Echt alles wissen? Typ dan: /vergeet ja"
TERMINAL_ITEM_LINE = "  {number}. {icon} {label}"
