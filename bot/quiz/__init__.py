"""Practice questions with spaced repetition ("Oefenvraag van de dag", issue 17)."""
