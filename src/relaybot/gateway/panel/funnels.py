"""Dialog funnels from the journal: for each step of a bot's dialogs, how many people reached
it, moved on, went back or left there, and the median time they spent on it.

`message_logs` holds the step each message was answered in, `dialog_outcomes` how each dialog
ended. A step's place in the funnel is where people meet it on average, so "moved on" means to
a later step and "went back" to an earlier one, whatever the flow's own names.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from sqlalchemy import select

from relaybot.store.db import SessionMaker
from relaybot.store.models import DialogOutcome, MessageLog

MAX_ROWS = 200_000
FIRST_STEP = "start"  # the step a message is logged in before any dialog began


@dataclass
class StepFigures:
    step: str
    entered: int = 0
    moved_on: int = 0
    went_back: int = 0
    left: int = 0
    median_seconds: float | None = None
    _times: list[float] = field(default_factory=list, repr=False)


@dataclass
class Funnel:
    bot: str
    flow: str | None
    steps: list[StepFigures]
    completed: int
    abandoned: int
    flows: list[str]


async def funnel(
    sessions: SessionMaker, bot: str, *, since: datetime, until: datetime, flow: str | None = None
) -> Funnel:
    async with sessions() as session:
        outcomes = list(
            (
                await session.execute(
                    select(
                        DialogOutcome.chat_id,
                        DialogOutcome.flow,
                        DialogOutcome.completed,
                        DialogOutcome.dropoff_state,
                    ).where(
                        DialogOutcome.bot == bot,
                        DialogOutcome.finished_at >= since,
                        DialogOutcome.finished_at < until,
                    )
                )
            ).all()
        )
        logs = list(
            (
                await session.execute(
                    select(MessageLog.chat_id, MessageLog.dialog_state, MessageLog.created_at)
                    .where(
                        MessageLog.bot == bot,
                        MessageLog.created_at >= since,
                        MessageLog.created_at < until,
                    )
                    .order_by(MessageLog.chat_id, MessageLog.id)
                    .limit(MAX_ROWS)
                )
            ).all()
        )
    flows = sorted({row.flow for row in outcomes})
    if flow is not None:
        outcomes = [row for row in outcomes if row.flow == flow]
        chats = {row.chat_id for row in outcomes}
        logs = [row for row in logs if row.chat_id in chats]
    visits: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for chat_id, state, at in logs:
        path = visits[chat_id]
        if not path or path[-1][0] != state:
            path.append((state, at))
    places: dict[str, list[int]] = defaultdict(list)
    for path in visits.values():
        seen: set[str] = set()
        for index, (state, _at) in enumerate(path):
            if state not in seen:
                seen.add(state)
                places[state].append(index)
    rank = {state: statistics.fmean(at) for state, at in places.items()}
    figures = {state: StepFigures(state) for state in rank}
    for path in visits.values():
        for state in {s for s, _ in path}:
            figures[state].entered += 1
        for (state, at), (after, then) in pairwise(path):
            if after == FIRST_STEP:
                continue  # a new dialog began: how the last one ended is in its outcome
            step = figures[state]
            if rank[after] >= rank[state]:
                step.moved_on += 1
            else:
                step.went_back += 1
            step._times.append((then - at).total_seconds())
    for row in outcomes:
        if not row.completed and row.dropoff_state:
            figures.setdefault(row.dropoff_state, StepFigures(row.dropoff_state)).left += 1
            rank.setdefault(row.dropoff_state, float(len(rank)))
    for step in figures.values():
        step.median_seconds = statistics.median(step._times) if step._times else None
    ordered = sorted(figures.values(), key=lambda s: (rank.get(s.step, 0.0), s.step))
    completed = sum(1 for row in outcomes if row.completed)
    return Funnel(bot, flow, ordered, completed, len(outcomes) - completed, flows)
