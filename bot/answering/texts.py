"""Dutch interface texts of composed answers (labels, buttons)."""

UNDERNEATH = "Wat er vaak onder zit:"
APPROACH = "Zo pak je het aan:"
EXAMPLE = "Zeg bijvoorbeeld:"
AVOID = "Vermijd:"
MORE_STEPS = "Verder helpt:"
MORE_AVOID = "Ook niet:"
READ_ALSO = "Lees ook:"
BTN_PRACTICE = "🎭 Oefen dit gesprek"
BTN_WHOLE_CASE = "📖 Hele casus"
BTN_CHECKLIST = "📋 Open de checklist"

ADVICE_LABELS = {"underneath": UNDERNEATH, "approach": APPROACH, "example": EXAMPLE,
                 "avoid": AVOID, "more_steps": MORE_STEPS, "more_avoid": MORE_AVOID}

# Greetings and thanks (bot/answering/social.py): folded words (lowercase, no accents).
GREETINGS = frozenset({
    "hoi", "hallo", "hey", "hei", "hee", "hi", "hello", "dag", "daag", "goeiedag", "goedendag",
    "goedemorgen", "goeiemorgen", "goedemiddag", "goeiemiddag", "goedenavond", "goeienavond",
    "morgen", "middag", "avond", "yo", "hiya", "welkom",
})
THANKS = frozenset({
    "bedankt", "dankjewel", "dankuwel", "dank", "thanks", "thank", "thx", "merci", "tof", "top",
    "super", "fijn", "chapeau", "perfect", "geweldig", "nice", "cool",
})
SOCIAL_FILLERS = frozenset({
    "je", "jij", "u", "wel", "wijkwijs", "bot", "daar", "allemaal", "iedereen", "hoor", "nog",
    "eens", "even", "zeer", "heel", "erg", "veel", "vriendelijk", "you", "so", "much", "very",
    "voor", "de", "het", "hulp", "antwoord", "beste", "lieve", "ok", "oke", "okay", "oki", "ja",
    "zo", "echt",
})
# Questions about the bot itself ("wat kun je?", "hoe werkt deze bot?", "what can you do?";
# bot/answering/social.py): folded words. A message is about the bot when it addresses the bot
# (BOT_ADDRESS) and every other word is one of BOT_ASKS, or when it is only "help".
BOT_NAME = "wijkwijs"
BOT_ADDRESS = frozenset({
    "je", "jij", "jou", "u", "ge", "gij", "you", "bot", "chatbot", "wijkwijs", "app",
})
BOT_ASKS = frozenset({
    "wat", "hoe", "wie", "waarmee", "waarvoor", "waarbij", "kan", "kun", "kunt", "kunnen",
    "allemaal", "zoal", "precies", "eigenlijk", "doen", "doe", "doet",
    "voor", "me", "mij", "ons", "ik", "we", "wij", "met", "bij", "helpen", "help", "helpt",
    "werkt", "werk", "werken", "gebruik", "gebruiken", "ben", "bent", "is", "zijt", "deze",
    "dit", "die", "de", "het", "een", "mee", "waar", "goed", "dienen", "dient", "nut",
    "what", "how", "who", "can", "could", "do", "does", "are", "this", "for", "with",
    "use", "work", "works", "the", "a", "i", "us", "exactly", "all", "things",
    "hey", "hoi", "hallo", "hi", "hello",
})
BOT_HELP_ONLY = frozenset({"help", "hulp", "helpen"})

GREETING_REPLY = ("Hoi! Stel gerust een vraag over de cursus, bijvoorbeeld: Wat is een "
                  "wijkschouw? Oefenen kan met /oefenen, je opdrachten vind je bij /opdrachten.")
THANKS_REPLY = "Graag gedaan! Vraag gerust verder als je nog iets wilt weten."
LINK_REPLY = ("Links kan ik niet openen. Stel je vraag in een zin, dan zoek ik het antwoord in "
              "het cursusmateriaal.")
