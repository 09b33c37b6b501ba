"""The benchmarks' number options refuse what they cannot mean, in one line, before any work starts."""

import argparse

import common
import intake
import pytest
import seed


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (common.count, "0", 0),
        (common.count, "200", 200),
        (common.positive, "1", 1),
        (common.duration, "0", 0.0),
        (common.duration, "2.5", 2.5),
    ],
)
def test_a_number_in_range_is_read(kind, text, value):
    assert kind(text) == value


@pytest.mark.parametrize(
    ("kind", "text", "says"),
    [
        (common.count, "-1", "must be 0 or more, not -1"),
        (common.count, "1.5", "'1.5' is not a number"),
        (common.positive, "0", "must be 1 or more, not 0"),
        (common.duration, "-0.5", "must be 0 or more, not -0.5"),
        (common.duration, "nan", "must be 0 or more, not nan"),
        (common.duration, "soon", "'soon' is not a number"),
    ],
)
def test_a_number_out_of_range_is_refused_with_what_to_enter(kind, text, says):
    with pytest.raises(argparse.ArgumentTypeError, match=says):
        kind(text)


@pytest.mark.parametrize(
    ("main", "argv", "says"),
    [
        (seed.main, ["--orders", "-3"], "argument --orders: must be 1 or more, not -3"),
        (intake.main, ["--statement-times", "-1"], "argument --statement-times: must be 0 or more, not -1"),
    ],
)
def test_a_benchmark_stops_at_a_bad_count_with_one_line(main, argv, says, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert says in capsys.readouterr().err
