"""Lesson 00 (overview): the warm-up check, its quizzes and the pipeline diagram."""

import pytest

from cnncourse.course.exercises import CORRECT, WRONG
from cnncourse.lessons import overview
from cnncourse.lessons.overview import check


def test_reference_passes():
    assert check.pixel_count.verdict(overview.pixel_count).status == CORRECT


@pytest.mark.parametrize("wrong,message", [
    (lambda h, w, c: h * w, "forgets that each pixel has 3 colour channels"),
    (lambda h, w, c: h + w + c, "should be multiplied, not added"),
    (lambda h, w, c: float(h * w * c), "should be a whole number"),
    (lambda h, w, c: h * w * 3, "pixel_count(28, 28, 1) returned 2352"),
])
def test_realistic_mistakes_are_named(wrong, message):
    verdict = check.pixel_count.verdict(wrong)
    assert verdict.status == WRONG
    assert message in verdict.message


def test_pipeline_diagram():
    from cnncourse.viz.pipeline import SIMPLE_CNN_STAGES, plot_pipeline

    fig = plot_pipeline()
    ax = fig.axes[0]
    assert ax.get_title() and len(ax.patches) == len(SIMPLE_CNN_STAGES)
