"""Theme and topic slugs with their Dutch labels, read from ``knowledge/taxonomy.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

TAXONOMY_FILE = "taxonomy.yaml"


@dataclass(frozen=True)
class Taxonomy:
    theme_labels: dict[str, str]
    topic_labels: dict[str, str]
    topic_theme: dict[str, str]

    def topics_of(self, theme: str) -> list[str]:
        return [t for t, th in self.topic_theme.items() if th == theme]

    def label(self, topic: str) -> str:
        return self.topic_labels.get(topic, topic)

    @classmethod
    def load(cls, knowledge_dir: Path) -> Taxonomy:
        raw = yaml.safe_load((knowledge_dir / TAXONOMY_FILE).read_text(encoding="utf-8"))
        theme_labels: dict[str, str] = {}
        topic_labels: dict[str, str] = {}
        topic_theme: dict[str, str] = {}
        for theme, spec in raw["themes"].items():
            theme_labels[theme] = str(spec["label"])
            for topic, label in spec["topics"].items():
                topic_labels[topic] = str(label)
                topic_theme[topic] = theme
        return cls(theme_labels, topic_labels, topic_theme)
