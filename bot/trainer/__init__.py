"""Trainer overview and broadcast recipients. No Telegram here."""

from bot.trainer.service import CSV_DELIMITER, ParticipantRow, TrainerService

__all__ = ["CSV_DELIMITER", "ParticipantRow", "TrainerService"]
