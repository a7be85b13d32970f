"""Optional LLM features: grounded generated answers, follow-up questions, role-play personas.

Nothing here is imported unless ``WIJKWIJS_LLM_PROVIDER`` is set (see `bot.services.Services`), and
every feature falls back to the offline behaviour on any failure.
"""
