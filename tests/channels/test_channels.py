"""The channel protocol: every registered channel is staffed, evaluated, summarised,
varied and saved the same way, and a scenario's every-team table loops over them."""

from __future__ import annotations

from dataclasses import fields as fields_of

import numpy as np
import pandas as pd
import pytest

from planner import CallsChannel, ChatChannel, EmailChannel, ErlangA, InputError, Scenario
from planner.channels import CHANNELS, Day
from planner.scenario import file as sf

BANK = Scenario.load("scenarios/retail_bank.toml")


def _channels() -> list:
    thirds = [c / 3 for c in BANK.calls]
    return [
        CallsChannel(calls=BANK.calls, aht=BANK.aht, model=ErlangA(patience=120)),
        ChatChannel(chats=thirds, handle=(180, 210, 240), patience=90),
        EmailChannel(items=thirds, aht=480, deadline=4 * 3600, open_hours=("08:00", "20:00")),
    ]


@pytest.mark.parametrize("channel", _channels(), ids=lambda c: c.name)
def test_every_channel_answers_the_protocol(channel):
    day = BANK.as_day()
    table = channel.requirements(day)
    assert list(table.columns[:2]) == ["interval_start", channel.offered]
    for col in ("agents", "scheduled", *channel.columns):
        assert col in table, col
    assert table["interval_start"].tolist() == list(day.starts)
    # a plan of the requirement gives the requirement's figures
    again = channel.evaluate(day, table["agents"].to_numpy())
    for col in ("agents", "scheduled", *channel.columns):
        np.testing.assert_allclose(again[col], table[col], rtol=1e-12, err_msg=col)
    # the day: hours and the headline measure weighted by the contacts
    summary = channel.day_summary(table, day.interval)
    assert summary["agent_hours"] == pytest.approx(table["agents"].sum() * day.interval / 3600)
    assert 0 <= summary[channel.service] <= 1
    # twice the contacts need at least as many agents
    doubled = channel.scaled(2.0)
    assert np.allclose(doubled.contacts(), 2 * np.asarray(channel.contacts()))
    assert (doubled.requirements(day)["agents"] >= table["agents"]).all()


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_every_registered_channel_round_trips_through_its_file_section(name):
    channel = next(c for c in _channels() if c.name == name)
    table = sf.channel_table(channel)
    assert sf.channel_from_table(name, table) == channel
    with pytest.raises(InputError, match=f"unknown key 'channels.{name}.colour'"):
        sf.channel_from_table(name, table | {"colour": 1})


def test_the_every_team_table_loops_over_the_channels():
    chat, email = _channels()[1:]
    s = BANK.with_changes(chat=chat, email=email)
    assert [c.name for c in s.teams()] == ["calls", "chat", "email"]
    staff = s.staff_requirements()
    parts = [staff[f"{c.name}_agents"] for c in s.teams()]
    assert (staff["total_agents"] == sum(parts)).all()
    assert staff["chat_agents"].tolist() == s.channel_requirements("chat")["agents"].tolist()
    # chat=None takes a channel away; a second of a kind is refused
    assert [c.name for c in s.with_changes(chat=None).channels] == ["email"]
    with pytest.raises(InputError, match="one channel of each kind"):
        s.with_changes(channels=(chat, chat))
    with pytest.raises(InputError, match="unknown channel 'fax'"):
        s.channel("fax")


def test_a_channel_that_does_not_fit_the_day_is_named():
    short = ChatChannel(chats=[1.0, 2.0], handle=(180,))
    with pytest.raises(InputError, match="the chat channel has 2 intervals"):
        BANK.with_changes(chat=short)
    late = EmailChannel(items=BANK.calls, aht=300, deadline=600)
    with pytest.raises(InputError, match="shorter than the interval"):
        BANK.with_changes(email=late)


def test_calls_taken_as_another_channel():
    chat = ChatChannel.from_calls([10, 20], 180, concurrency=2, patience=60)
    assert chat.handle == (180.0, 180.0) and chat.chats == (10.0, 20.0)
    email = EmailChannel.from_calls([10, 20], [300, 300], deadline=7200, target=0.8)
    assert email.items == (10.0, 20.0) and email.aht == 300 and email.target == 0.8
    with pytest.raises(InputError, match="need a 'deadline'"):
        EmailChannel.from_calls([10], 300)
    with pytest.raises(InputError, match="one handle time"):
        EmailChannel.from_calls([10, 20], [300, 200], deadline=7200)


def test_a_day_is_what_the_scenario_says():
    day = BANK.as_day()
    assert isinstance(day, Day) and day.interval == BANK.interval
    assert day.targets == BANK.targets and day.shrinkage == BANK.shrinkage
    assert isinstance(day.frame(), pd.DataFrame) and len(day.frame()) == len(BANK.calls)


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_every_channel_brings_its_command_line_options(name, capsys):
    """The CLI's ``--channel NAME`` flags are the channel's own options: listed in the
    help under its name, turned into its fields by the channel, and refused with any
    other channel."""
    from planner.cli import main

    kind = CHANNELS[name]
    with pytest.raises(SystemExit):
        main(["requirements", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for option in kind.options:
        assert f"--{option.replace('_', '-')}" in shown
        assert f"{name}: {' '.join(kind.options[option].help.split())[:30]}" in shown
    # the options (as the command line gives them) build the channel with the calls
    given = {"chat": {"handle": "180,210,240"}, "email": {"deadline": 7200.0,
             "open_hours": "08:00-20:00", "clock": "calendar"}}[name]  # fmt: skip
    fields = kind.option_fields(given | {o: None for o in kind.options if o not in given}, 180.0)
    channel = kind.from_calls(BANK.calls, 180.0, **fields)
    assert isinstance(channel, kind) and set(fields) <= {f.name for f in fields_of(channel)}
    other = next(n for n in ("calls", *CHANNELS) if n != name)
    flag = f"--{next(iter(given)).replace('_', '-')}"
    assert main(["requirements", "--channel", other, "--calls", "5", "--aht", "300",
                 flag, str(next(iter(given.values())))]) == 2  # fmt: skip
    assert f"are for --channel {name}" in capsys.readouterr().err
