"""Rendering of the assignment checklists for Telegram: texts (HTML) and inline keyboards.

The handlers (bot.telegram.assignments) decide what to show; this module only turns the
service's `AssignmentProgress` / `ItemView` into a message and its buttons (callback data
``a:…``, listed in bot.telegram.assignments).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.assignments import Assignment, AssignmentProgress, ItemView
from bot.assignments import texts as t
from bot.knowledge.models import ChecklistItem
from bot.telegram.common import ASSIGNMENTS as CB
from bot.telegram.render import esc

PAGE_SIZE = 12
MAX_SHOWN_ANSWER = 2500
MAX_BUTTON_LABEL = 48
MAX_ITEM_TOKEN = 40


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _short(text: str, limit: int = MAX_BUTTON_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def item_token(assignment: Assignment, item: ChecklistItem) -> str:
    """The item id, or '#<index>' when the id would make callback data too long."""
    if len(item.id) <= MAX_ITEM_TOKEN:
        return item.id
    return f"#{assignment.index(item.id)}"


def resolve_token(assignment: Assignment, token: str) -> str:
    if token.startswith("#"):
        try:
            return assignment.items[int(token[1:])].id
        except (ValueError, IndexError):
            return token  # unknown: the service says so in Dutch
    return token


def pages(total: int) -> tuple[int, int]:
    """(number of pages, items per page), balanced: 16 items -> 2 pages of 8."""
    count = max(1, math.ceil(total / PAGE_SIZE))
    return count, max(1, math.ceil(total / count))


# Rendering ------------------------------------------------------------------------------------
def render_overview(progress: list[AssignmentProgress]) -> tuple[str, InlineKeyboardMarkup]:
    if not progress:
        return t.NO_ASSIGNMENTS_YET, InlineKeyboardMarkup([])
    lines = [t.OVERVIEW_HEADER]
    rows = []
    for p in progress:
        lines.append(f"\n<b>{esc(p.assignment.heading)}</b>\n{p.bar} · {esc(p.counts)}")
        rows.append([_button(t.BTN_ASSIGNMENT.format(n=p.assignment.number, bar=p.bar),
                             CB.data("open", p.assignment.number))])
    lines += ["", f"<i>{t.LEGEND}</i>"]
    rows.append([_button(t.BTN_EXPORT, CB.data("exps"))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def render_assignment(p: AssignmentProgress, page: int) -> tuple[str, InlineKeyboardMarkup]:
    a = p.assignment
    count, size = pages(len(p.items))
    page = min(max(page, 0), count - 1)
    lines = [f"📝 <b>{esc(a.heading)}</b>", f"{p.bar} · {esc(p.counts)}", "", t.PICK_ITEM,
             f"<i>{t.LEGEND}</i>"]
    if count > 1:
        lines.append(t.PAGE_OF.format(page=page + 1, pages=count))
    rows = [[_button(_short(f"{t.STATUS_ICONS[s.status]} {s.item.label}"),
                     CB.data("item", a.number, item_token(a, s.item)))]
            for s in p.items[page * size:(page + 1) * size]]
    nav = []
    if page > 0:
        nav.append(_button(t.BTN_PREV_PAGE, CB.data("open", a.number, page - 1)))
    if page < count - 1:
        nav.append(_button(t.BTN_NEXT_PAGE, CB.data("open", a.number, page + 1)))
    if nav:
        rows.append(nav)
    rows.append([_button(t.BTN_BACK, CB.data("list")),
                 _button(t.BTN_EXPORT, CB.data("exp", a.number))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def check_lines(view: ItemView, complete: str = t.LOOKS_COMPLETE) -> list[str]:
    lines = [complete] if not view.check else [
        f"<b>{t.MISSING_HEADER}</b>", *(f"• {esc(c)}" for c in view.check)]
    if view.answer.strip() and view.advice:
        lines += ["", f"<b>{t.ADVICE_HEADER}</b>", *(f"💡 {esc(a)}" for a in view.advice)]
    return lines


def confirm_markup(view: ItemView) -> InlineKeyboardMarkup:
    a, tok = view.assignment, item_token(view.assignment, view.item)
    return InlineKeyboardMarkup([
        [_button(t.BTN_TICK_ANYWAY, CB.data("done", a.number, tok, "2"))],
        [_button(t.BTN_IMPROVE_FIRST, CB.data("write", a.number, tok))],
        [_button(t.BTN_BACK, CB.data("item", a.number, tok))],
    ])


def render_confirm(view: ItemView) -> str:
    lines = [t.TICK_CONFIRM.format(label=esc(view.item.label)), "",
             *(f"• {esc(c)}" for c in view.check), "", t.TICK_CONFIRM_QUESTION]
    return "\n".join(lines)


def item_markup(view: ItemView) -> InlineKeyboardMarkup:
    a, tok = view.assignment, item_token(view.assignment, view.item)
    _, size = pages(len(a.items))
    rows = [
        [_button(t.BTN_REPLACE if view.answer.strip() else t.BTN_WRITE,
                 CB.data("write", a.number, tok))],
        [_button(t.BTN_UNDONE, CB.data("done", a.number, tok, "0")) if view.done
         else _button(t.BTN_DONE, CB.data("done", a.number, tok, "1"))],
    ]
    nav = [_button(t.BTN_BACK, CB.data("open", a.number, (view.position - 1) // size))]
    if view.position < len(a.items):
        nxt = a.items[view.position]
        nav.append(_button(t.BTN_NEXT, CB.data("item", a.number, item_token(a, nxt))))
    rows.append(nav)
    return InlineKeyboardMarkup(rows)


def render_item(view: ItemView) -> str:
    a, item = view.assignment, view.item
    position = t.ITEM_POSITION.format(position=view.position, total=len(a.items))
    lines = [f"📝 <b>Opdracht {a.number}</b> · {position}"]
    if item.group:
        lines.append(f"<b>{esc(item.group)}</b>")
    lines.append(f"<b>{esc(view.field_label)}</b>")
    if item.help.strip():
        lines.append(f"<i>{esc(item.help.strip())}</i>")
    lines += ["", f"<b>{t.YOUR_ANSWER}</b>"]
    answer = view.answer.strip()
    if len(answer) > MAX_SHOWN_ANSWER:
        answer = answer[:MAX_SHOWN_ANSWER].rstrip() + " …"
    lines.append(esc(answer) if answer else f"<i>{t.NO_ANSWER}</i>")
    status = view.status
    lines += ["", *check_lines(view), "",
              t.STATUS_LINE.format(icon=t.STATUS_ICONS[status], label=t.STATUS_LABELS[status])]
    return "\n".join(lines)


def export_markup(assignments: Iterable[Assignment]) -> InlineKeyboardMarkup:
    """One button per assignment: send it as .docx and .md."""
    return InlineKeyboardMarkup([[_button(_short(a.heading), CB.data("exp", a.number))]
                                 for a in assignments])


def cancel_markup() -> InlineKeyboardMarkup:
    """Under "write your answer": stop waiting."""
    return InlineKeyboardMarkup([[_button(t.BTN_CANCEL, CB.data("cancel"))]])
