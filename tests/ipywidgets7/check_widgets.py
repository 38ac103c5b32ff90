"""Build and drive the course widgets under ipywidgets 7 (run by tests/unit/test_ipywidgets7.py).

Run with the ipywidgets-7 folder first on PYTHONPATH; exits non-zero on the first failure
and prints one ``OK`` line per widget checked.
"""

import importlib
import pkgutil
import sys

import ipywidgets

import cnncourse.lessons
from cnncourse.course.quiz import Quiz


def check_version() -> None:
    assert ipywidgets.__version__.startswith("7."), (
        f"expected ipywidgets 7 first on sys.path, got {ipywidgets.__version__} "
        f"from {ipywidgets.__file__}")
    print(f"OK ipywidgets {ipywidgets.__version__} from {ipywidgets.__file__}")


def course_quizzes() -> list[tuple[str, Quiz]]:
    """Every quiz of every lesson module (``cnncourse.lessons.<concept>.quiz``)."""
    found = []
    for info in pkgutil.iter_modules(cnncourse.lessons.__path__):
        module = importlib.import_module(f"cnncourse.lessons.{info.name}")
        found += [(f"{info.name}.{k}", v) for k, v in module.quiz.items()]
    return found


def check_quiz(name: str, quiz: Quiz) -> None:
    box = quiz.widget()
    assert isinstance(box, ipywidgets.VBox), type(box)
    assert len(box.buttons) == len(quiz.options)
    before = box.feedback.value
    wrong = next((i for i, o in enumerate(quiz.options) if not o.correct), None)
    right = next(i for i, o in enumerate(quiz.options) if o.correct)
    if wrong is not None:
        box.buttons[wrong].click()
        assert "Not quite" in box.feedback.value and box.feedback.value != before
        assert box.buttons[wrong].button_style == "danger" and quiz.answer == wrong
    box.buttons[right].click()
    assert "Right" in box.feedback.value and box.buttons[right].button_style == "success"
    assert quiz.answer == right
    if wrong is not None:
        assert box.buttons[wrong].button_style == "", "the earlier pick must be cleared"
    print(f"OK quiz {name}: built {len(box.buttons)} buttons, clicks update the feedback")


def check_kernel_playground() -> None:
    """Notebook 03's kernel playground: a preset, then a hand-typed kernel, redraw the photo."""
    import torch

    from cnncourse.viz.conv import kernel_playground

    box = kernel_playground(size=48)
    assert isinstance(box, ipywidgets.VBox) and isinstance(box.image, ipywidgets.Image)
    first_png, first = box.image.value, box.result.clone()
    assert len(first_png) > 100, "the playground drew nothing"
    other = next(o for o in box.dropdown.options if o not in (box.dropdown.value, "custom"))
    box.dropdown.value = other                      # pick another preset kernel
    assert box.image.value != first_png and not torch.equal(box.result, first)
    box.cells[4].value = box.cells[4].value + 1.0   # edit one number by hand
    assert box.dropdown.value == "custom", "editing a number must switch to 'custom'"
    assert box.kernel()[1, 1].item() == box.cells[4].value
    print(f"OK kernel_playground: {len(box.dropdown.options)} kernels, preset and custom redraw")


def check_conv_stepper() -> None:
    import torch

    from cnncourse.conv import kernel
    from cnncourse.viz.conv import conv_stepper

    box = conv_stepper(torch.rand(5, 5), kernel("sobel_x"))
    before, cell = box.image.value, (box.state["row"], box.state["col"])
    box.slider.value = box.slider.max
    assert box.image.value != before and (box.state["row"], box.state["col"]) != cell
    print(f"OK conv_stepper: slider 0..{box.slider.max} redraws")


def check_pooling_widget() -> None:
    import torch

    from cnncourse.viz.pooling import pooling_widget

    box = pooling_widget(torch.arange(16.0).reshape(4, 4))
    assert isinstance(box, ipywidgets.VBox) and isinstance(box.image, ipywidgets.Image)
    before = box.image.value
    box.row.value = box.row.max
    assert box.image.value != before and f"({box.row.max}, 0)" in box.alt
    box.mode.value = "avg"
    assert "mean" in box.alt
    print("OK pooling_widget: sliders and the mode switch redraw")


def main() -> int:
    check_version()
    quizzes = course_quizzes() or [("inline", Quiz("2 + 2?", [("4", True), ("5", False)], "Sum."))]
    for name, quiz in quizzes:
        check_quiz(name, quiz)
    print(f"OK {len(quizzes)} quizzes")
    check_kernel_playground()
    check_conv_stepper()
    check_pooling_widget()
    print("OK all widgets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
