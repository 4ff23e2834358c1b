"""Channels a scenario staffs beside its calls, each worked by its own team.

- :class:`ChatChannel` (``[channels.chat]``): chats per interval on the
  :class:`~planner.models.Chat` model (:mod:`planner.channels.chat`).

The email channel (:class:`planner.DeferredChannel`) is in
:mod:`planner.deferred_work` until the channel protocol gathers them here.
"""

from planner.channels.chat import ChatChannel, chat_requirements

__all__ = ["ChatChannel", "chat_requirements"]
