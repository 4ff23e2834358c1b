"""Reading interval history (planner.io.read_history): mapping, cleaning, errors."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from planner import InputError, read_history
from planner.sample import SAMPLE_PATH


def read(text: str, **kw):
    return read_history(io.StringIO(text), **kw)


def test_common_export_headers_are_recognised():
    h = read(
        "Interval,Calls Offered,Handled,Abandoned,Answered Within Threshold,Avg Handle Time\n"
        "2026-03-02 08:00,40,38,2,30,310\n"
        "2026-03-02 08:15,55,50,5,41,290\n"
    )
    assert h.interval == 900
    assert list(h.frame.columns) == ["calls", "handled", "abandoned", "answered_within", "aht"]
    assert h.frame["aht"].tolist() == [310, 290]
    assert h.notes == () and len(h.filled) == 0


def test_explicit_mapping_and_handle_time_seconds():
    h = read(
        "Zeit;Anrufe;Bearbeitet;Bearbeitungszeit\n".replace(";", ",")
        + "2026-03-02T08:00,40,40,12000\n2026-03-02T08:30,0,0,0\n",
        columns={"Zeit": "interval_start", "Anrufe": "calls", "Bearbeitet": "handled",
                 "Bearbeitungszeit": "handle_time"},
    )  # fmt: skip
    assert h.frame["aht"].iloc[0] == 300
    assert np.isnan(h.frame["aht"].iloc[1])  # nothing handled: no AHT, not 0
    assert "AHT computed as handle time over handled calls" in h.notes


def test_dataframe_with_a_datetime_index_and_timezone():
    stamps = pd.date_range("2026-03-29 08:00", periods=4, freq="30min", tz="Europe/Berlin")
    df = pd.DataFrame({"Offered": [10, 20, 30, 40], "AHT": [200, 210, 220, 230]}, index=stamps)
    h = read_history(df)
    assert h.frame.index[0] == pd.Timestamp("2026-03-29 08:00")  # local wall clock kept
    assert h.frame.index.tz is None


def test_utc_offsets_keep_local_wall_clock():
    h = read(
        "interval,offered,aht\n2026-10-24 09:00+02:00,10,200\n2026-10-24 09:30+02:00,12,200\n"
        "2026-10-25 09:00+01:00,11,200\n2026-10-25 09:30+01:00,9,200\n"
    )
    assert [t.hour for t in h.frame.index] == [9, 9, 9, 9]


def test_missing_intervals_are_filled_with_zero_and_reported():
    h = read(
        "interval,offered,aht\n2026-03-02 08:00,40,310\n2026-03-02 09:30,61,300\n"
        "2026-03-04 08:00,12,300\n2026-03-04 08:30,14,300\n"
    )
    assert len(h.filled) == 2  # 08:30 and 09:00 on the 2nd
    assert h.frame.loc["2026-03-02 09:00", "calls"] == 0
    assert h.missing_days == (pd.Timestamp("2026-03-03").date(),)
    assert any("2 missing intervals" in n for n in h.notes)
    assert any("2026-03-03" in n for n in h.notes)


def test_notes_tell_closed_weekdays_from_missing_days():
    # Sundays never have rows (closed); one Wednesday is missing (a lost export).
    from planner.sample import generate_history

    raw = generate_history(weeks=6, country=None, seed=2)
    stamps = pd.to_datetime(raw["Interval"])
    h = read_history(raw[stamps.dt.normalize() != pd.Timestamp("2026-01-21")])
    assert "closed on Sundays: no rows in (nearly) every week" in h.notes
    lost = [n for n in h.notes if "weekdays otherwise open" in n]
    assert len(lost) == 1 and lost[0].startswith("1 day(s)") and "2026-01-21 (Wed)" in lost[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interval,offered,aht\n2026-03-02 08:00,40,310\nyesterday,5,300\n",
         r"line 3: column 'interval' is not a date and time: 'yesterday'"),
        ("interval,offered,aht\n2026-03-02 08:00,forty,310\n2026-03-02 08:30,5,300\n",
         r"line 2: column 'offered' must be a number >= 0"),
        ("interval,offered,aht\n2026-03-02 08:00,-4,310\n2026-03-02 08:30,5,300\n",
         r"line 2: column 'offered' must be a number >= 0"),
        ("interval,offered,aht\n2026-03-02 08:00,4,310\n2026-03-02 08:30,,300\n",
         r"line 3: column 'offered' must be a number >= 0 \(it may not be blank\)"),
        ("interval,offered,aht\n2026-03-02 08:00,4\n",
         r"line 2: expected 3 fields, got 2"),
        ("interval,offered,aht\n2026-03-02 08:00,4,300\n2026-03-02 08:30,5,300\n"
         "2026-03-02 08:00,6,300\n",
         r"line 4: interval 2026-03-02 08:00:00 appears twice \(also line 2\)"),
        ("interval,offered,aht\n2026-03-02 08:00,4,300\n2026-03-02 08:30,5,300\n"
         "2026-03-02 09:10,6,300\n",
         r"line 4: 2026-03-02 09:10:00 is not on the 30-minute grid"),
        ("interval,offered,aht\n2026-03-02 08:00,4,-5\n2026-03-02 08:30,5,300\n",
         r"line 2: column 'aht' must be a number >= 0: '-5'"),
        ("interval,offered\n2026-03-02 08:00,4\n",
         r"no column for \['aht \(or handle_time\)'\]"),
        ("interval,calls,offered,aht\n2026-03-02 08:00,4,4,300\n",
         r"columns 'calls' and 'offered' both read as 'calls'"),
        ("", "empty file"),
    ],
)  # fmt: skip
def test_bad_rows_name_the_line_and_column(text, message):
    with pytest.raises(InputError, match=message):
        read(text)


def test_bad_mapping_and_interval():
    text = "t,n,a\n2026-03-02 08:00,4,300\n2026-03-02 08:30,5,300\n"
    with pytest.raises(InputError, match="unknown history column 'volume'"):
        read(text, columns={"n": "volume"})
    with pytest.raises(InputError, match="the mapping names column 'x'"):
        read(text, columns={"x": "calls"})
    with pytest.raises(InputError, match=r"unknown history column 'offered'.*'calls'"):
        read(text, columns={"t": "interval_start", "n": "offered", "a": "aht"})
    ok = {"t": "interval_start", "n": "calls", "a": "aht"}
    assert read(text, columns=ok).interval == 1800
    with pytest.raises(InputError, match="not on the 60-minute grid"):
        read(text, columns=ok, interval=3600)
    with pytest.raises(InputError, match="interval must divide a day"):
        read(text, columns=ok, interval=7 * 60)


def test_the_bundled_sample_reads_cleanly():
    h = read_history(SAMPLE_PATH)
    assert h.interval == 1800
    assert len(h.filled) == 0
    days = pd.DatetimeIndex(h.frame.index).normalize().unique()
    # 20 weeks, Sundays closed, two holidays closed and two weekdays lost from the export
    assert len(days) == 20 * 6 - 2 - 2
    assert all(d.weekday() != 6 for d in days)
    weekdays = [d for d in h.missing_days if d.weekday() != 6]
    assert len(weekdays) == 4 and pd.Timestamp("2026-01-19").date() in weekdays  # MLK Day


def test_the_sample_file_is_what_the_script_writes():
    from planner.sample import SAMPLE, generate_history

    assert generate_history(**SAMPLE).to_csv(index=False) == SAMPLE_PATH.read_text()


def test_interval_must_be_a_number():
    with pytest.raises(InputError, match="'interval' must be a number of seconds: 'half hour'"):
        read("interval,offered,aht\n2026-03-02 08:00,4,300\n", interval="half hour")


def test_a_single_row_per_day_needs_an_interval():
    text = "interval,offered,aht\n2026-03-02 08:00,4,300\n2026-03-03 08:00,5,300\n"
    with pytest.raises(InputError, match="cannot infer the interval length"):
        read(text)
    assert read(text, interval=1800).interval == 1800


def test_constant_aht_for_an_export_without_one():
    h = read("Interval,Offered\n2026-03-02 08:00,4\n2026-03-02 08:30,6\n", aht=240)
    assert h.frame["aht"].tolist() == [240.0, 240.0]
    assert any("AHT 240 s" in n for n in h.notes)
    with pytest.raises(InputError, match="not both"):
        read("interval,offered,aht\n2026-03-02 08:00,4,300\n2026-03-02 08:30,5,300\n", aht=240)
    with pytest.raises(InputError, match="'aht' must be > 0"):
        read("Interval,Offered\n2026-03-02 08:00,4\n2026-03-02 08:30,6\n", aht=0)


def test_time_zone_turns_instants_into_local_wall_clock():
    # 07:00 and 07:30 UTC are 08:00 and 08:30 in London in winter, 09:00 and 09:30 in Berlin
    text = "interval,offered,aht\n2026-03-02T07:00Z,4,300\n2026-03-02T07:30Z,5,300\n"
    assert str(read(text, timezone="Europe/London").frame.index[0]) == "2026-03-02 07:00:00"
    assert str(read(text, timezone="Europe/Berlin").frame.index[0]) == "2026-03-02 08:00:00"
    naive = "interval,offered,aht\n2026-07-01 07:00,4,300\n2026-07-01 07:30,5,300\n"
    assert str(read(naive, timezone="Europe/London").frame.index[0]) == "2026-07-01 08:00:00"
    with pytest.raises(InputError, match="zone name"):
        read(text, timezone="Mars/Olympus")


def test_messages_name_the_file_not_the_stream():
    with pytest.raises(InputError, match=r"^export\.csv: line 3"):
        read("interval,offered,aht\n2026-03-02 08:00,4,300\nyesterday,5,300\n", name="export.csv")


def test_rollup_sums_counts_and_weights_aht_by_handled_calls():
    rows = ["Interval,Offered,Handled,AHT"]
    rows += [f"2026-03-02 08:{m:02d},{2 + m // 5},{1 + m // 5},{100 + m}" for m in range(0, 60, 5)]
    h = read("\n".join(rows) + "\n")
    assert h.interval == 300
    half = h.rollup(1800)
    assert half.interval == 1800 and len(half.frame) == 2
    first = h.frame.iloc[:6]
    assert half.frame["calls"].iloc[0] == first["calls"].sum()
    assert half.frame["handled"].iloc[0] == first["handled"].sum()
    weighted = (first["aht"] * first["handled"]).sum() / first["handled"].sum()
    assert half.frame["aht"].iloc[0] == pytest.approx(weighted)
    assert h.rollup(300) is h
    for bad in (600 + 60, 240, 7 * 3600):
        with pytest.raises(InputError, match="whole multiple"):
            h.rollup(bad)


def test_a_handled_interval_with_0_s_aht_is_a_note_and_a_missing_aht():
    h = read_history(io.StringIO(
        "interval,offered,aht\n2026-03-02 08:00,4,0\n2026-03-02 08:30,5,300\n"
        "2026-03-02 09:00,6,\n"
    ))  # fmt: skip
    assert np.isnan(h.frame["aht"].iloc[0]) and np.isnan(h.frame["aht"].iloc[2])
    assert h.frame["aht"].iloc[1] == 300
    assert any("2 interval(s) with handled calls but no AHT" in n and "line 2" in n
               for n in h.notes)  # fmt: skip


def test_utc_offsets_without_a_timezone_are_named_in_the_notes():
    text = "interval,offered,aht\n2026-03-02T13:00:00Z,4,200\n2026-03-02T13:30:00Z,5,300\n"
    kept = read_history(io.StringIO(text))
    assert kept.frame.index[0] == pd.Timestamp("2026-03-02 13:00")
    assert any("carry a UTC offset" in n for n in kept.notes)
    local = read_history(io.StringIO(text), timezone="America/New_York")
    assert local.frame.index[0] == pd.Timestamp("2026-03-02 08:00")
    assert not any("carry a UTC offset" in n for n in local.notes)


def test_a_rollup_drops_an_interval_the_export_cuts_short():
    # 5-minute data, 08:00-09:55 every day; the export ends at 09:35 on the last day:
    # its 09:30 half hour would hold one 5-minute count of 6. It is dropped and said.
    stamps = [
        pd.Timestamp(f"2026-03-0{d}") + pd.Timedelta(minutes=5 * i)
        for d in (2, 3, 4)
        for i in range(96, 120)
    ][:-4]
    frame = pd.DataFrame({"Interval": stamps, "Offered": 3, "AHT": 200})
    half = read_history(frame).rollup(1800)
    assert half.frame.index[-1] == pd.Timestamp("2026-03-04 09:00")
    assert half.frame["calls"].tolist()[-3:] == [18.0, 18.0, 18.0]
    assert any(
        "the last 30-minute interval (2026-03-04 09:30:00) dropped: it holds 2 of the usual 6" in n
        for n in half.notes
    ), half.notes


def test_an_interval_shorter_than_the_exports_is_refused():
    # 30-minute data read as quarter hours would be half empty intervals and NaN AHT
    with pytest.raises(InputError, match=r"intervals are 30 minutes apart; interval=900 would"):
        read_history(SAMPLE_PATH, interval=900)
    assert read_history(SAMPLE_PATH, interval=1800).interval == 1800
    with pytest.raises(InputError, match="'interval' must be a number of seconds: True"):
        read_history(SAMPLE_PATH, interval=True)
