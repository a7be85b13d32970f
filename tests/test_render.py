from __future__ import annotations

from bot.telegram.render import esc, markdown_to_html, split_message


def test_escape() -> None:
    assert esc("<b>&") == "&lt;b&gt;&amp;"
    assert markdown_to_html("**LSD** <3") == "<b>LSD</b> &lt;3"


def test_split_at_paragraphs_within_limit() -> None:
    paras = [f"alinea {i} " * 40 for i in range(30)]
    text = "\n\n".join(p.strip() for p in paras)
    parts = split_message(text, 4096)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    # Every part is made of whole paragraphs: nothing is cut in the middle of one.
    for part in parts:
        assert all(para.strip() in [p.strip() for p in paras] for para in part.split("\n\n"))
    assert "\n\n".join(parts) == text


def test_split_never_cuts_entities_or_tags() -> None:
    text = "<b>" + "x" * 10 + "</b>" + "&amp;" * 2000
    for part in split_message(text, 1000):
        assert len(part) <= 1000
        assert not part.endswith("&am") and "&" not in part[-4:].replace("&amp;", "")
