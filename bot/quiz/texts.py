"""Dutch interface texts of the practice questions ("Oefenvraag van de dag")."""

from __future__ import annotations

ASK = ("🧠 <b>Oefenvraag</b> ({theme})\n\n{question}\n\n"
       "<i>Typ je antwoord in je eigen woorden. /annuleer om te stoppen.</i>")
REMINDER_QUESTION = "\n\n🧠 <b>Oefenvraag van de dag</b> ({theme})\n{question}"
BTN_ANSWER = "✍️ Beantwoorden"
BTN_MORE = "📖 Meer hierover"
NO_QUESTION = "Er is nu geen oefenvraag voor je. Na de volgende lesdag komen er nieuwe vragen."
CANCELLED = "Oké, we slaan deze oefenvraag over. Typ /oefenvraag voor een nieuwe."
EMPTY_ANSWER = "Ik zie geen antwoord. Typ je antwoord als tekst, of /annuleer."
GONE = "Die oefenvraag bestaat niet meer. Typ /oefenvraag voor een nieuwe."
ANSWER_PROMPT = "✍️ Typ je antwoord op de oefenvraag:\n{question}\n\n/annuleer om te stoppen."

VERDICT = {
    "goed": "✅ Goed!",
    "half": "🟡 Half goed.",
    "fout": "❌ Dat klopt nog niet.",
    "off-topic": "🤔 Dat lijkt geen antwoord op de vraag.",
}
RIGHT = "Dit had je goed: {points}."
MISSING = "Dit mist nog: {points}."
MODEL = "💡 Modelantwoord: {answer}"
NEXT_TIME = {
    "goed": "Deze vraag komt over {days} dagen terug.",
    "half": "Deze vraag komt morgen terug.",
    "fout": "Deze vraag komt morgen terug.",
    "off-topic": "Typ /oefenvraag als je het nog eens wilt proberen.",
}
VAST = "🎉 Deze vraag zit nu vast!"

PROGRESS_TITLE = "📈 <b>Je voortgang met de oefenvragen</b>"
PROGRESS_LINE = "• {theme}: {vast} van {total} vast"
PROGRESS_NONE = "Je hebt nog geen oefenvragen beantwoord. Typ /oefenvraag om te beginnen."
PROGRESS_FOOT = ("Een vraag zit vast als je hem een paar keer na elkaar goed hebt, "
                 "met steeds langere tussenpozen.")

REMINDER_ON = "De oefenvraag van de dag zit weer in je herinnering."
REMINDER_OFF = "Je herinnering komt voortaan zonder oefenvraag."
ANNOUNCE = ("\n\nNieuw: je herinnering brengt een oefenvraag mee. "
            "Liever niet? Typ <code>/herinnering oefenvraag uit</code>.")

MISSED_TITLE = "❓ <b>Oefenvragen die het vaakst misgaan</b>"
MISSED_LINE = "• {question} ({missed}× mis, {people} deelnemer(s))"
TOGGLE_USAGE = "Typ /herinnering oefenvraag aan of /herinnering oefenvraag uit."
STALE_BUTTON = "Deze knop werkt niet meer. Typ /oefenvraag."
