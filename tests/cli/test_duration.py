import pytest

from helmpy.cli.duration import parse_duration
from helmpy.errors import UsageError


@pytest.mark.parametrize("text,seconds", [("5m0s", 300), ("90s", 90), ("1h", 3600), ("300ms", 0.3),
                                          ("1h2m3s", 3723), ("45", 45), ("2.5", 2.5)])
def test_go_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5 minutes", "5x", "m5", "1h 2m"])
def test_bad_durations_are_usage_errors(text):
    with pytest.raises(UsageError, match="invalid duration"):
        parse_duration(text)
