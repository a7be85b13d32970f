"""Make untrusted text safe to embed and store.

Telegram (JSON ``\\ud800`` escapes) and a terminal with undecodable bytes (``surrogateescape``)
can hand us lone surrogates; the embedder's tokenizer and the database driver reject them. NUL
and other control characters (except tab and newline) have no meaning in a question either.
"""

from __future__ import annotations

import re

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_surrogates(text: str) -> str:
    """Lone surrogates become U+FFFD; a valid pair that arrived split is joined into one char."""
    if not _SURROGATES.search(text):
        return text
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _SURROGATES.sub("\ufffd", text)


def clean_text(text: str) -> str:
    """`clean_surrogates`, and control characters (but tab/newline/CR) are dropped."""
    return _CONTROL.sub("", clean_surrogates(text))
