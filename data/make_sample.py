"""Write data/sample_history.csv: 20 weeks of 30-minute history from a known process.

The process (weekly and intraday seasonality, a trend of +0.4% a week, US
public holidays at 30% of a Monday's volume with a Saturday-like profile,
the day after a holiday 20% busier, negative-binomial noise, AHT longer early
and late in the day) is documented in planner/sample.py, which draws it.
Run from the repository root: ``.venv/bin/python data/make_sample.py``.
The file is committed; running this again reproduces it byte for byte.
"""

from planner.sample import SAMPLE_PATH, generate_history

if __name__ == "__main__":
    generate_history().to_csv(SAMPLE_PATH, index=False)
    print(f"wrote {SAMPLE_PATH}")
