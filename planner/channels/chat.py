"""The chat channel: chats per interval staffed by a team of their own.

A scenario's ``[channels.chat]`` (:class:`ChatChannel`) holds the chats per
interval, the handle times by concurrency, a patience and its own targets; its
requirement is the one staffing search under the :class:`~planner.models.Chat`
model (:func:`chat_requirements`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from numpy.typing import ArrayLike

from planner import _validate as v
from planner.errors import InputError
from planner.models.chats import Chat, handle_times
from planner.report import requirements
from planner.targets import Targets, check_search_targets, check_targets

__all__ = ["ChatChannel", "chat_requirements"]


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
    :class:`~planner.models.Chat` model), ``scheduled`` (after ``shrinkage``) and the chat
    measures at that staffing: ``service_level``, ``asa``, ``virtual_wait``,
    ``abandon_rate``, ``occupancy`` (slots in use) and ``mean_concurrency``.

    Examples
    --------
    >>> day = pd.DataFrame({"chats": [120, 240]})
    >>> chat_requirements(day, [180, 210, 240], 3600, Targets(), 0.2, 60)[["agents", "scheduled"]]
       agents  scheduled
    0       4          5
    1       6          8
    """
    if not isinstance(df, pd.DataFrame) or "chats" not in df.columns:
        raise InputError("the chat workload needs a 'chats' column (chats per interval)")
    model = Chat(handle=tuple(handle_times(handle).tolist()), patience=patience)
    work = df.assign(calls=df["chats"], aht=model.handle[0])
    table = requirements(work, targets, interval, shrinkage, model=model)
    out = df.copy()
    for name in ("agents", "scheduled", *model.columns):
        out[name] = table[name].to_numpy()
    return out


@dataclass(frozen=True, kw_only=True)
class ChatChannel:
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

    def to_table(self) -> dict[str, Any]:
        """The ``[channels.chat]`` table of a scenario file."""
        out: dict[str, Any] = {"chats": list(self.chats), "handle": list(self.handle)}
        if self.patience is not None:
            out["patience"] = self.patience
        if self.targets is not None:
            out["targets"] = self.targets.to_table()
        return out

    @classmethod
    def from_table(cls, table: object) -> ChatChannel:
        """From a scenario file's ``[channels.chat]`` table."""
        if not isinstance(table, dict):
            raise InputError("[channels.chat] must be a table of keys")
        known = {"chats", "handle", "patience", "targets"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise InputError(
                f"unknown key 'channels.chat.{unknown[0]}'; allowed: {', '.join(sorted(known))}"
            )
        for key in ("chats", "handle"):
            if key not in table:
                raise InputError(f"[channels.chat] needs '{key}'")
        targets = table.get("targets")
        if targets is not None and not isinstance(targets, dict):
            raise InputError("'channels.chat.targets' must be a table")
        chosen = None if targets is None else Targets.from_table(targets, "channels.chat.targets")
        return cls(
            chats=table["chats"], handle=table["handle"], patience=table.get("patience"),
            targets=chosen,
        )  # fmt: skip
