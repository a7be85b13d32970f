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
GREETING_REPLY = ("Hoi! Stel gerust een vraag over de cursus, bijvoorbeeld: Wat is een "
                  "wijkschouw? Oefenen kan met /oefenen, je opdrachten vind je bij /opdrachten.")
THANKS_REPLY = "Graag gedaan! Vraag gerust verder als je nog iets wilt weten."
LINK_REPLY = ("Links kan ik niet openen. Stel je vraag in een zin, dan zoek ik het antwoord in "
              "het cursusmateriaal.")
