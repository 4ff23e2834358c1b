"""Channels: each stream of contacts a scenario staffs, worked by a team of its own.

One protocol (:class:`Channel`, :mod:`planner.channels.base`): the team per
interval for the targets or for a plan, its measures, its day's figures and its
what-ifs. The calls are one channel (:class:`CallsChannel`); a scenario file's
``[channels.NAME]`` sections are the others, one module each:

- ``chat`` (:class:`ChatChannel`): chats per interval on the :class:`~planner.Chat`
  model;
- ``email`` (:class:`EmailChannel`): email or back-office items against a
  deadline, on the backlog model of :mod:`planner.deferred_work`.

:data:`CHANNELS` is the registry a scenario file, a sweep, the command line and
the app read; a new channel is one module and one entry here (its command-line
options come with it, :attr:`Channel.options`).
"""

from planner.channels.base import Channel, Day, Option, team_day
from planner.channels.calls import CallsChannel
from planner.channels.chat import ChatChannel, chat_requirements
from planner.channels.email import EmailChannel, parse_open_hours

__all__ = [
    "CHANNELS",
    "CallsChannel",
    "Channel",
    "ChatChannel",
    "Day",
    "EmailChannel",
    "Option",
    "chat_requirements",
    "parse_open_hours",
    "team_day",
]

CHANNELS: dict[str, type[Channel]] = {cls.name: cls for cls in (ChatChannel, EmailChannel)}
"""The channels a scenario may hold beside its calls, by name (``[channels.NAME]``)."""
