"""The one whole-number check and the one positive-number check: the same message everywhere,
bools refused."""

import pytest

from cnncourse.validate import positive_number, whole_number, whole_numbers


@pytest.mark.parametrize("value", [0, -1, 1.0, True, "3", None])
def test_whole_number_refuses_what_is_not_a_positive_int(value):
    with pytest.raises(ValueError, match=r"^f: n must be a positive int, got "):
        whole_number(value, "n", "f")


def test_whole_number_minimum_and_hint_are_in_the_message():
    assert whole_number(0, "seed", "f", minimum=0) == 0
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        whole_number(-1, "seed", "f", minimum=0)
    with pytest.raises(ValueError, match=r"k must be an int >= 2 \(two at least\), got 1"):
        whole_number(1, "k", "f", minimum=2, hint="two at least")


def test_whole_numbers_checks_each_item_and_the_length():
    assert whole_numbers([2, 3], "size", "f", length=2) == (2, 3)
    for bad in [(), (2,), (2, 0), (2, True), "23", 5]:
        with pytest.raises(ValueError, match="size must be a tuple of 2 positive ints"):
            whole_numbers(bad, "size", "f", length=2)
    with pytest.raises(ValueError, match="widths must be a non-empty tuple of positive ints"):
        whole_numbers((), "widths", "f")


@pytest.mark.parametrize("value", [0, -0.5, float("nan"), float("inf"), True, "3", None])
def test_positive_number_refuses_what_is_not_a_finite_positive_number(value):
    with pytest.raises(ValueError, match=r"^f: lr must be a positive number \(a rate\), got "):
        positive_number(value, "lr", "f", hint="a rate")


def test_positive_number_returns_ints_and_floats_as_given():
    assert positive_number(3, "seconds", "f") == 3 and positive_number(1e-4, "lr", "f") == 1e-4
