"""HTTP request class for fetching updates: cleans lone surrogates as updates arrive.

A Telegram update is JSON, and JSON may carry a lone surrogate as an escape (``"\\ud800"``).
``json.loads`` turns it into a Python string that every encoder downstream refuses (the embedder's
tokenizer, the database driver), so a single odd message would crash whichever handler gets it.
Each lone surrogate becomes U+FFFD here, before any handler sees the update. The replacement is
one UTF-16 unit like the surrogate, so entity offsets stay valid. (`parse_json_payload` is PTB's
documented hook for this.)
"""

from __future__ import annotations

import re
from typing import Any

from telegram.request import HTTPXRequest

from bot.sanitize import clean_surrogates

_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean_surrogates(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    return value


class CleaningRequest(HTTPXRequest):
    """`HTTPXRequest` whose parsed responses contain no lone surrogates."""

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        data = HTTPXRequest.parse_json_payload(payload)
        if _ESCAPED_SURROGATE.search(payload.decode("utf-8", "replace")):
            data = clean_json(data)  # only when an escape is there: the common case costs a scan
        return data
