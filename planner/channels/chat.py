"""The chat channel: chats per interval staffed by a team of their own.

A scenario's ``[channels.chat]`` (:class:`ChatChannel`) holds the chats per
interval, the handle times by concurrency, a patience and its own targets; its
requirement is the one staffing search under the :class:`~planner.models.Chat`
model (:func:`chat_requirements`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner import _validate as v
from planner.channels.base import Channel, Day, Option
from planner.errors import InputError
from planner.models.chats import Chat, handle_times
from planner.report import evaluate_plan, requirements
from planner.targets import Targets, check_search_targets, check_targets

__all__ = ["ChatChannel", "chat_requirements"]


def _chat_table(df: pd.DataFrame, model: Chat) -> pd.DataFrame:
    """A workload of ``chats`` per interval as the search reads it (one chat at a time
    takes the first handle time)."""
    if not isinstance(df, pd.DataFrame) or "chats" not in df.columns:
        raise InputError("the chat workload needs a 'chats' column (chats per interval)")
    return df.assign(calls=df["chats"], aht=model.handle[0])


def _laid_out(df: pd.DataFrame, table: pd.DataFrame, model: Chat) -> pd.DataFrame:
    out = df.copy()
    for name in ("agents", "scheduled", *model.columns):
        out[name] = table[name].to_numpy()
    return out


def chat_requirements(
    df: pd.DataFrame,
    handle: ArrayLike,
    interval: float,
    targets: Targets,
    shrinkage: float = 0.0,
    patience: float | None = None,
) -> pd.DataFrame:
    """The chat requirement for every interval of a table with ``chats`` per interval.

    Returns a copy of ``df`` with ``agents`` (the fewest meeting ``targets`` under the
    :class:`~planner.models.Chat` model), ``scheduled`` (after ``shrinkage``) and the
    chat measures at that staffing: ``service_level``, ``asa``, ``virtual_wait``,
    ``abandon_rate``, ``occupancy`` (slots in use) and ``mean_concurrency``.

    Examples
    --------
    >>> day = pd.DataFrame({"chats": [120, 240]})
    >>> chat_requirements(day, [180, 210, 240], 3600, Targets(), 0.2, 60)[["agents", "scheduled"]]
       agents  scheduled
    0       4          5
    1       6          8
    """
    model = Chat(handle=tuple(handle_times(handle).tolist()), patience=patience)
    work = _chat_table(df, model)
    return _laid_out(df, requirements(work, targets, interval, shrinkage, model=model), model)


@dataclass(frozen=True, kw_only=True)
class ChatChannel(Channel):
    """A scenario's chat channel (a scenario file's ``[channels.chat]``).

    Attributes
    ----------
    chats : chats offered per interval (the scenario's intervals).
    handle : seconds per chat when an agent holds 1, 2, ... k chats.
    patience : mean patience of a waiting chat, seconds (None: nobody leaves).
    targets : the chat targets (None: the scenario's).
    """

    chats: tuple[float, ...]
    handle: tuple[float, ...]
    patience: float | None = None
    targets: Targets | None = None

    name: ClassVar[str] = "chat"
    offered: ClassVar[str] = "chats"
    service: ClassVar[str] = "service_level"
    options: ClassVar[Mapping[str, Option]] = {
        "handle": Option("seconds per chat at 1, 2, ... k chats held, comma-separated "
                         "(e.g. 180,210,240)"),
        "concurrency": Option("most chats an agent holds, each taking --aht seconds at any "
                              "concurrency (instead of --handle)", int),
    }  # fmt: skip

    def __post_init__(self) -> None:
        chats = v.nonnegative("chats", self.chats)
        if chats.ndim != 1 or chats.size == 0:
            raise InputError(f"'chats' must be one count per interval: {self.chats!r}")
        object.__setattr__(self, "chats", tuple(chats.tolist()))
        object.__setattr__(self, "handle", tuple(handle_times(self.handle).tolist()))
        if self.patience is not None:
            object.__setattr__(self, "patience", v.single("patience", self.patience, v.positive))
        if self.targets is not None:
            if not isinstance(self.targets, Targets):
                raise InputError(f"chat 'targets' must be Targets: {self.targets!r}")
            check_targets(self.targets)
            check_search_targets(self.targets, self.patience is not None)

    @classmethod
    def from_calls(
        cls,
        calls: ArrayLike,
        aht: ArrayLike,
        *,
        handle: ArrayLike | None = None,
        concurrency: int | None = None,
        patience: float | None = None,
        **options: Any,
    ) -> ChatChannel:
        """Calls taken as chats (the CLI's ``--channel chat`` and the Chat page): the
        handle times by concurrency, or ``concurrency`` chats at the calls' one AHT;
        ``options`` are its other fields (``targets``)."""
        if (handle is None) == (concurrency is None):
            raise InputError("give the handle times by chats held, or a concurrency, not both")
        fields = cls.option_fields({"handle": handle, "concurrency": concurrency}, aht)
        return cls(chats=tuple(np.ravel(calls).tolist()), patience=patience, **fields, **options)

    @classmethod
    def option_fields(cls, given: Mapping[str, Any], aht: ArrayLike) -> dict[str, Any]:
        """``handle`` (seconds by chats held, or text such as ``"180,210,240"``), or
        ``concurrency`` k chats at the calls' one ``aht`` (seconds)."""
        fields = super().option_fields(given, aht)
        if "handle" in fields and "concurrency" in fields:
            raise InputError("give 'handle' or 'concurrency', not both")
        if isinstance(fields.get("handle"), str):
            try:
                fields["handle"] = tuple(float(x) for x in str(fields["handle"]).split(","))
            except ValueError:
                raise InputError(
                    f"'handle' must be seconds separated by commas: {given['handle']!r}"
                ) from None
        if "concurrency" in fields:
            most = v.whole("concurrency", fields.pop("concurrency"), 1, 64)
            seconds = np.asarray(v.positive("aht", aht), dtype=np.float64)
            if np.ptp(seconds) > 0:
                raise InputError("'concurrency' takes one AHT for every interval: give 'handle'")
            fields["handle"] = (float(seconds.ravel()[0]),) * most
        return fields

    @property
    def model(self) -> Chat:
        """The :class:`~planner.models.Chat` model of its agents and chats."""
        return Chat(handle=self.handle, patience=self.patience)

    @property
    def columns(self) -> tuple[str, ...]:
        return Chat.columns

    def contacts(self) -> tuple[float, ...]:
        return self.chats

    def requirements(self, day: Day) -> pd.DataFrame:
        frame = day.frame().assign(chats=list(self.chats))
        table = requirements(
            _chat_table(frame, self.model), self.targets or day.targets, day.interval,
            day.shrinkage, model=self.model,
        )  # fmt: skip
        return _laid_out(frame, table, self.model)

    def evaluate(self, day: Day, agents: ArrayLike) -> pd.DataFrame:
        frame = day.frame().assign(chats=list(self.chats))
        table = evaluate_plan(
            _chat_table(frame, self.model), agents, self.targets or day.targets, day.interval,
            day.shrinkage, model=self.model,
        )  # fmt: skip
        return _laid_out(frame, table, self.model)

    def scaled(self, factor: float) -> ChatChannel:
        share = v.single("factor", factor, v.nonnegative)
        return replace(self, chats=tuple((np.asarray(self.chats) * share).tolist()))
