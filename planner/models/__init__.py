"""Queueing models of one interval, behind one protocol (see :mod:`planner.models.base`).

Each model is a small frozen class of its own parameters whose
``measures(agents, load, targets)`` gives the interval's measures under shared
names, vectorised over intervals; the formulas behind them are functions too:

- :class:`ErlangC` (nobody hangs up) and :class:`ErlangA` (exponential patience):
  :func:`erlang_b`, :func:`erlang_c`, :func:`service_level`, :func:`asa`,
  :func:`occupancy`, :func:`erlang_a` (:mod:`planner.models.erlang`);
- :class:`ErlangX`: redials, lines, repeat contacts, forecast uncertainty
  (:func:`erlang_x`, :mod:`planner.models.erlangx`);
- :class:`Chat`: agents holding several chats (:func:`chat`, :mod:`planner.models.chats`);
- :class:`Blend`: calls with deferred items in the idle time (:func:`blend`,
  :mod:`planner.models.blending`).
"""

from planner.models.base import SHARED_MEASURES, IntervalModel, Load, Measures
from planner.models.blending import Blend, BlendResult, blend
from planner.models.chats import Chat, ChatResult, chat
from planner.models.erlang import (
    ErlangA,
    ErlangAResult,
    ErlangC,
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_model,
    occupancy,
    service_level,
    traffic,
)
from planner.models.erlangx import ErlangX, ErlangXResult, SLDefinition, erlang_x

__all__ = [
    "SHARED_MEASURES",
    "Blend",
    "BlendResult",
    "Chat",
    "ChatResult",
    "ErlangA",
    "ErlangAResult",
    "ErlangC",
    "ErlangX",
    "ErlangXResult",
    "IntervalModel",
    "Load",
    "Measures",
    "SLDefinition",
    "asa",
    "blend",
    "chat",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_model",
    "erlang_x",
    "occupancy",
    "service_level",
    "traffic",
]
