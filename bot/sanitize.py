"""Make untrusted text safe to embed and store.

Telegram (JSON ``\\ud800`` escapes) and a terminal with undecodable bytes (``surrogateescape``)
can hand us lone surrogates; the embedder's tokenizer and the database driver reject them. NUL
and other control characters (except tab and newline) have no meaning in a question either.
"""

from __future__ import annotations

import re

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Lone surrogates become U+FFFD, control characters (but tab/newline/CR) are dropped."""
    if _SURROGATES.search(text):
        # A valid pair that arrived split (e.g. '\\ud83d\\ude00') is joined back into one char.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        text = _SURROGATES.sub("\ufffd", text)
    return _CONTROL.sub("", text)
