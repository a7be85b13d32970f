"""Telegram adapter for the assignment checklists (/opdrachten, /exporteer, /annuleer).

Callback data (always ≤ 64 bytes; ``<tok>`` is the item id, or ``#<index>`` for a long id):

    a:list                  overview of the four assignments
    a:open:<n>[:<page>]     items of assignment n
    a:item:<n>:<tok>        one item: label, help, answer, check
    a:write:<n>:<tok>       the next plain text message becomes the answer
    a:done:<n>:<tok>:<0|1|2> reopen / tick off (asks "toch afvinken?" when the checks still
                            see something missing) / tick off anyway
    a:cancel                stop waiting for an answer
    a:exps                  choose an assignment to export
    a:exp:<n>               send assignment n as .docx and .md

Rendering (texts and keyboards) is in bot.telegram.assignments_view. An edited message that was
an assignment answer updates that answer (not a new question).
In a group, /opdrachten and /exporteer answer in the private chat: progress is personal.

Waiting for an answer is a `WaitingConversation` ("assignment-answer", bot.telegram.flows): its
state is persisted (survives restarts, holds across replicas); which item it is for is in the user
state ``awaiting``. /annuleer or the Annuleer button stops it, and so does any other command.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import features
from bot.assignments import AssignmentError, AssignmentService, ItemView
from bot.assignments import texts as t
from bot.store.participants import ParticipantStore
from bot.telegram.assignments_view import (
    cancel_markup,
    check_lines,
    confirm_markup,
    export_markup,
    item_markup,
    render_assignment,
    render_confirm,
    render_item,
    render_overview,
    resolve_token,
)
from bot.telegram.common import ASSIGNMENTS as CB
from bot.telegram.common import (
    MENU,
    TelegramFeature,
    chat_of,
    reply_plain,
    send_html,
    send_new,
    show,
)
from bot.telegram.flows import Preloaded, WaitingConversation, not_text_reply
from bot.telegram.render import esc

log = logging.getLogger(__name__)

AWAITING = "awaiting"
"""User-state key: the item the answer is for, {"kind": "answer", "n": 3, "item": "keuze"}."""
KIND_ANSWER = "answer"
ANSWER = "answer"
"""The state of the "assignment-answer" conversation: waiting for the answer text."""


# Handlers -------------------------------------------------------------------------------------
class AssignmentHandlers:
    def __init__(self, assignments: AssignmentService, participants: ParticipantStore) -> None:
        self.assignments = assignments
        self.participants = participants

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """For group 0, before the fallbacks (the answer conversation must precede Q&A text)."""
        private_text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
        edited = filters.UpdateType.EDITED_MESSAGE & private_text
        stored_answer = Preloaded("edited-answer", self._is_stored_answer, applies=edited)
        return [
            self.conversation(),
            CommandHandler("opdrachten", self.overview),
            CommandHandler("exporteer", self.export_command),
            CommandHandler("bibliotheek", self.library_command),
            CallbackQueryHandler(self.overview, pattern=MENU.pattern("opdrachten", exact=True)),
            CallbackQueryHandler(self.button, pattern=CB.pattern()),
            # An edit of a stored answer updates it (before the Q&A takes it as a question).
            MessageHandler(edited & stored_answer, self.edited_answer),
        ]

    def conversation(self) -> WaitingConversation:
        """"✏️ Schrijf antwoord" -> the next text message is the answer."""
        private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
        return WaitingConversation(
            "assignment-answer",
            entry_points=[CallbackQueryHandler(self.write, pattern=CB.pattern("write"))],
            states={ANSWER: [
                MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.answer),
                not_text_reply(t.ANSWER_NOT_TEXT, ANSWER, private),
                CallbackQueryHandler(self.cancel_button, pattern=CB.pattern("cancel", exact=True)),
            ]},
            fallbacks=[CommandHandler("annuleer", self.cancel_command)],
            ends_on=filters.COMMAND,  # any other command: the participant moved on
            on_end=self._forget_item)

    def _is_stored_answer(self, message: Message) -> bool:
        """Runs in a worker thread (bot.telegram.flows.Preloaded)."""
        return message.from_user is not None and message.chat.type == Chat.PRIVATE and \
            self.assignments.answer_for_message(message.from_user.id,
                                                message.message_id) is not None

    def _forget_item(self, user_id: int) -> None:
        state = self.participants.get_state(user_id, AWAITING)
        if isinstance(state, dict) and state.get("kind") == KIND_ANSWER:
            self.participants.set_state(user_id, AWAITING, None)

    async def _state(self, user_id: int) -> Any:
        return await asyncio.to_thread(self.participants.get_state, user_id, AWAITING)

    async def _set_state(self, user_id: int, value: Any) -> None:
        await asyncio.to_thread(self.participants.set_state, user_id, AWAITING, value)

    # Overview ---------------------------------------------------------------------------------
    async def in_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                       text: str, markup: InlineKeyboardMarkup | None) -> bool:
        """In a group, send personal screens privately and say so in the group.

        True when the update came from a group (and was dealt with here).
        """
        chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
        if chat is None or user is None or chat.type == Chat.PRIVATE:
            return False
        try:
            await context.bot.send_message(user.id, text, reply_markup=markup)
            notice = t.SENT_PRIVATELY
        except (Forbidden, BadRequest):  # the user never opened a private chat with the bot
            notice = t.PRIVATE_ONLY.format(bot=context.bot.username or "")
        if update.callback_query is not None:  # a button in a group: answer only the presser
            await update.callback_query.answer(notice, show_alert=True)
        elif msg is not None:
            await reply_plain(msg, notice)
        return True

    async def overview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        progress = await asyncio.to_thread(self.assignments.overview, user.id)
        text, markup = render_overview(progress)
        if await self.in_group(update, context, text, markup):
            return
        query = update.callback_query
        if query is not None:
            await query.answer()
            # From the /start menu: keep the menu, answer below it.
            from_menu = query.data == MENU.data("opdrachten")
            await (send_new if from_menu else show)(query, text, markup)
        elif update.effective_message is not None:
            await send_html(update.effective_message, text, markup)

    async def export_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return
        if await self.in_group(update, context, t.DOWNLOAD_PICK, self.export_markup()):
            return
        if context.args:
            try:
                n = int(context.args[0])
                self.assignments.get(n)
            except ValueError:
                n = -1
            except AssignmentError as exc:
                await reply_plain(msg, str(exc))
                return
            if n > 0:
                await self.export(context, msg.chat_id, user.id, n)
                return
        await send_html(msg, t.DOWNLOAD_PICK, self.export_markup())

    def export_markup(self) -> InlineKeyboardMarkup:
        return export_markup(self.assignments.assignments)

    async def export(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int,
                     n: int) -> None:
        a = self.assignments
        try:
            docx = await asyncio.to_thread(a.export_docx, user_id, n)
            markdown = await asyncio.to_thread(a.export_markdown, user_id, n)
        except AssignmentError as exc:  # nothing filled in yet
            await context.bot.send_message(chat_id, str(exc), parse_mode=None)
            return
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        caption = t.DOWNLOAD_DOCX.format(heading=esc(a.get(n).heading))
        if not await asyncio.to_thread(a.library, user_id):
            caption += "\n" + t.LIBRARY_HINT
        await context.bot.send_document(
            chat_id, docx, filename=a.export_filename(n, "docx"), caption=caption)
        await context.bot.send_document(
            chat_id, markdown.encode("utf-8"), filename=a.export_filename(n, "md"),
            caption=t.DOWNLOAD_MD, parse_mode=None)

    async def library_command(self, update: Update,
                              context: ContextTypes.DEFAULT_TYPE) -> None:
        """/bibliotheek [naam]: show or set the library printed on exports ('-' clears it)."""
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return
        name = " ".join(context.args or []).strip()
        try:
            if name:
                name = await asyncio.to_thread(self.assignments.set_library, user.id,
                                               "" if name == "-" else name)
                text = t.LIBRARY_SAVED.format(name=esc(name)) if name else t.LIBRARY_CLEARED
            else:
                current = await asyncio.to_thread(self.assignments.library, user.id)
                text = t.LIBRARY_CURRENT.format(name=esc(current)) if current else t.LIBRARY_UNKNOWN
        except AssignmentError as exc:
            text = esc(str(exc))
        await send_html(msg, text)

    # Buttons ----------------------------------------------------------------------------------
    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        user_id = query.from_user.id
        if query.message is not None and query.message.chat.type != Chat.PRIVATE:
            # Personal screens never open in a group: send the overview privately instead.
            everything = await asyncio.to_thread(self.assignments.overview, user_id)
            await self.in_group(update, context, *render_overview(everything))
            return
        data = CB.parse(query.data)
        action, args = (data.action, list(data.args)) if data is not None else ("", [])
        try:
            if action == "list" and not args:
                await self.overview(update, context)
            elif action == "open" and len(args) in (1, 2):
                page = int(args[1]) if len(args) == 2 else 0
                progress = await asyncio.to_thread(self.assignments.progress, user_id,
                                                   int(args[0]))
                await query.answer()
                await show(query, *render_assignment(progress, page))
            elif action == "item" and len(args) == 2:
                view = await self._item(user_id, int(args[0]), args[1])
                await query.answer()
                await show(query, render_item(view), item_markup(view))
            elif action == "done" and len(args) == 3 and args[2] in ("0", "1", "2"):
                await self._done(query, user_id, int(args[0]), args[1], args[2] != "0",
                                 force=args[2] == "2")
            elif action == "cancel" and not args:  # not waiting (any more)
                await query.answer()
                await show(query, t.WAITING_CANCELLED, None)
            elif action == "exps" and not args:
                await query.answer()
                await show(query, t.DOWNLOAD_PICK, self.export_markup())
            elif action == "exp" and len(args) == 1:
                self.assignments.get(int(args[0]))
                await query.answer()
                await self.export(context, chat_of(query), user_id, int(args[0]))
            else:
                raise ValueError(query.data)
        except AssignmentError as exc:
            await query.answer(str(exc), show_alert=True)
        except ValueError:
            await query.answer(t.STALE_BUTTON, show_alert=True)

    async def _item(self, user_id: int, n: int, token: str) -> ItemView:
        assignment = self.assignments.get(n)
        return await asyncio.to_thread(self.assignments.item, user_id, n,
                                       resolve_token(assignment, token))

    async def _write(self, query: CallbackQuery, user_id: int, n: int, token: str) -> None:
        view = await self._item(user_id, n, token)
        await self._set_state(user_id, {"kind": KIND_ANSWER, "n": n, "item": view.item.id})
        await query.answer()
        text = t.WRITE_PROMPT.format(label=esc(view.item.label),
                                   replace=t.WRITE_REPLACES if view.answer.strip() else "")
        await send_new(query, text, cancel_markup())

    async def _done(self, query: CallbackQuery, user_id: int, n: int, token: str,
                    done: bool, force: bool = False) -> None:
        view = await self._item(user_id, n, token)
        if done and not force and view.check and not view.done:
            await query.answer()  # "toch afvinken?" with the open warnings
            await show(query, render_confirm(view), confirm_markup(view))
            return
        view = await asyncio.to_thread(self.assignments.set_done, user_id, n, view.item.id, done)
        await query.answer(t.MARKED_DONE if done else t.MARKED_OPEN)
        await show(query, render_item(view), item_markup(view))

    # Waiting for text (the "assignment-answer" conversation) ----------------------------------
    async def write(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        """``a:write:<n>:<tok>``: ask for the answer and wait for it."""
        query = update.callback_query
        if query is None or query.data is None:
            return None
        if query.message is not None and query.message.chat.type != Chat.PRIVATE:
            await self.button(update, context)  # personal screens open privately
            return None
        data = CB.parse(query.data)
        try:
            if data is None or len(data.args) != 2:
                raise ValueError(query.data)
            await self._write(query, query.from_user.id, int(data.args[0]), data.args[1])
        except AssignmentError as exc:
            await query.answer(str(exc), show_alert=True)
            return None  # None: the conversation stays as it was
        except ValueError:
            await query.answer(t.STALE_BUTTON, show_alert=True)
            return None
        return ANSWER

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return None
        state = await self._state(user.id)
        n = int(state.get("n", 0)) if isinstance(state, dict) else 0
        item_id = str(state.get("item", "")) if isinstance(state, dict) else ""
        if not self._exists(n, item_id):  # the course material changed meanwhile
            await self._set_state(user.id, None)
            await reply_plain(msg, t.ITEM_GONE)
            return ConversationHandler.END
        try:
            view = await asyncio.to_thread(self.assignments.save_answer, user.id, n, item_id,
                                           msg.text or "", msg.message_id)
        except AssignmentError as exc:  # empty or too long: keep waiting for a better try
            await reply_plain(msg, str(exc))
            return ANSWER
        await self._set_state(user.id, None)
        lines = [t.ANSWER_SAVED.format(label=esc(view.item.label)), ""]
        lines += check_lines(view, t.ANSWER_SAVED_COMPLETE)
        await send_html(msg, "\n".join(lines), item_markup(view))
        return ConversationHandler.END

    async def edited_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The participant edited a message that was an answer: store the new text."""
        msg, user = update.effective_message, update.effective_user
        if msg is None or user is None:
            return
        try:
            view = await asyncio.to_thread(self.assignments.update_from_edit, user.id,
                                           msg.message_id, msg.text or "")
        except AssignmentError as exc:  # emptied or too long: the old answer stays
            await reply_plain(msg, str(exc))
            return
        if view is None:
            return
        lines = [t.ANSWER_UPDATED.format(label=esc(view.item.label)), ""]
        lines += check_lines(view, t.ANSWER_SAVED_COMPLETE)
        await send_html(msg, "\n".join(lines), item_markup(view))

    def _exists(self, n: int, item_id: str) -> bool:
        try:
            return self.assignments.get(n).get(item_id) is not None
        except AssignmentError:
            return False

    async def cancel_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        msg, user = update.effective_message, update.effective_user
        if msg is not None and user is not None:
            await self._cancel(user.id, lambda text: reply_plain(msg, text))
        return ConversationHandler.END

    async def cancel_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        query = update.callback_query
        if query is not None:
            await query.answer()
            await self._cancel(query.from_user.id, lambda text: show(query, text, None))
        return ConversationHandler.END

    async def _cancel(self, user_id: int, reply: Callable[[str], Awaitable[object]]) -> None:
        await asyncio.to_thread(self._forget_item, user_id)
        await reply(t.WAITING_CANCELLED)


def register(assignments: AssignmentService, participants: ParticipantStore
             ) -> TelegramFeature:
    """/opdrachten, /exporteer, /bibliotheek and the checklist buttons."""
    h = AssignmentHandlers(assignments, participants)
    return TelegramFeature(features.ASSIGNMENTS, h.handlers())
