"""Write data/sample_history.csv: 20 weeks of 30-minute history from a known process.

The process is documented in planner/sample.py, which draws it: weekly and
intraday seasonality, a trend of +0.4% a week, day-to-day noise (CV 6%)
and intraday noise beyond Poisson (variance about 3.5 times the mean at 30
minutes when the day's total is known, as a real bank's history showed), US
public holidays closed (no rows) with the next open day 25% busier, three
outlier days at 1.4 to 2 times their volume, two weekdays lost from the
export, and AHT longer early and late in the day.
It also writes data/sample_calendar.csv, the sample bank's own calendar: closed
on every US public holiday.
Run from the repository root: ``.venv/bin/python data/make_sample.py``.
The file is committed; running this again reproduces it byte for byte.
"""

from planner.sample import (
    SAMPLE,
    SAMPLE_CALENDAR_PATH,
    SAMPLE_PATH,
    generate_history,
    sample_calendar,
)

if __name__ == "__main__":
    generate_history(**SAMPLE).to_csv(SAMPLE_PATH, index=False)
    print(f"wrote {SAMPLE_PATH}")
    sample_calendar().to_csv(SAMPLE_CALENDAR_PATH, index=False)
    print(f"wrote {SAMPLE_CALENDAR_PATH}")
