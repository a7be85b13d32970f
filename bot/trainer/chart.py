"""The progress picture for trainers: participants × assignments, coloured by status (PNG).

matplotlib is imported inside `render_png` (Agg backend, no display): importing this module
costs nothing, and callers run the rendering in a worker thread (it takes ~0.1-0.5 s).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.trainer import texts
from bot.trainer.service import ParticipantRow

MAX_CHART_ROWS = 200
MAX_LABELLED_ROWS = 60
"""Above this many participants the cells carry only their colour (the CSV has the numbers)."""
COLOURS = ("#d9d9d9", "#f4b942", "#3a9b5c")
"""Not started, busy, done (colour-blind safe enough: grey / amber / green, plus labels)."""


def status(done: int, total: int) -> int:
    """0 not started, 1 busy, 2 done."""
    if total and done >= total:
        return 2
    return 1 if done else 0


def render_png(rows: Sequence[ParticipantRow], numbers: Sequence[int], title: str) -> bytes:
    """A PNG heat map: one row per participant, one column per assignment, 'done/total' in
    each cell and a legend with the three statuses."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    shown = list(rows[:MAX_CHART_ROWS])
    grid = [[status(*r.progress.get(n, (0, 0))) for n in numbers] for r in shown] or [[0]]
    height = 1.6 + 0.32 * max(len(shown), 1)
    width = 2.8 + 0.9 * max(len(numbers), 1)
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot()
    ax.imshow(grid, cmap=ListedColormap(COLOURS), vmin=0, vmax=2, aspect="auto")
    ax.set_xticks(range(len(numbers)), [texts.COL_ASSIGNMENT.format(n=n) for n in numbers])
    ax.set_yticks(range(len(shown)), [r.name[:24] for r in shown])
    ax.xaxis.tick_top()
    for y, row in enumerate(shown):
        for x, n in enumerate(numbers):
            if len(shown) <= MAX_LABELLED_ROWS:
                ax.text(x, y, row.progress_text(n), ha="center", va="center", fontsize=8)
    ax.set_title(title, fontsize=10, pad=24)
    fig.legend(handles=[Patch(color=c, label=label) for c, label in
                        zip(COLOURS, texts.CHART_LEGEND, strict=True)],
               loc="lower center", ncol=3, fontsize=8, frameon=False)
    # Fixed margins in inches (tight_layout measures every label: slow for long lists).
    fig.subplots_adjust(left=2.2 / width, right=1 - 0.2 / width, bottom=0.55 / height,
                        top=1 - 0.9 / height)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
