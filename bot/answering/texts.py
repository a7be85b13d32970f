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
