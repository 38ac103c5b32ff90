"""Self-checking exercises: a check gives one of three verdicts and never breaks the notebook.

A notebook exercise is a stub the learner fills in, followed by a check call::

    def conv_output_size(size, kernel_size, padding=0, stride=1):
        raise NotImplementedError("Hint: (size + 2*padding - kernel_size) // stride + 1")

    check.conv_output_size()                  # prints a verdict on the notebook's conv_output_size
    conv_output_size = check.conv_output_size.pick()  # later cells are safe, even if skipped
    check.conv_output_size.solution()         # show the reference solution
    check.conv_output_size.passed()           # the verdict in code: True or False

Each lesson module ``cnncourse.lessons.<concept>`` holds the reference solutions, the checks
beside them (collected in its ``check`` namespace) and its quizzes (``quiz``). A check body
calls the learner's answer on test cases and raises :class:`Mistake` with a specific message
when something is off.
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "wrong", "not attempted"
_UNSET = object()  # no answer passed: look the exercise's name up in the notebook


class Mistake(AssertionError):
    """Raised inside a check body to report one specific mistake to the learner."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``status`` is correct, wrong or not attempted."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        icon = {CORRECT: "✅ Correct", WRONG: "❌ Not yet", NOT_ATTEMPTED: "⏳ Not attempted yet"}
        return f"{icon[self.status]}: {self.message}"


class Check:
    """One exercise check. Call it with the learner's answer to print and return a verdict."""

    def __init__(self, body: Callable[[Any], Any], reference: Any, name: str | None = None):
        self.body = body
        self.reference = reference
        self.name = name or body.__name__
        self.__doc__ = body.__doc__

    def __repr__(self) -> str:
        return f"Check({self.name!r})"

    def verdict(self, answer: Any) -> Verdict:
        """Run the check without printing and return the :class:`Verdict`."""
        if answer is None or answer is Ellipsis:
            return Verdict(NOT_ATTEMPTED, f"`{self.name}` has no answer yet. Fill it in and "
                                          "run this cell again.")
        try:
            with _own_random_state():
                note = self.body(answer)
        except NotImplementedError:
            return Verdict(NOT_ATTEMPTED, f"`{self.name}` still raises NotImplementedError. "
                           "Replace that line with your code (the hint says where to start).")
        except Mistake as err:
            return Verdict(WRONG, str(err))
        except Exception as err:  # the learner's code crashed: say where, never re-raise
            return Verdict(WRONG, f"your code raised {type(err).__name__}: {err}")
        return Verdict(CORRECT, note or f"`{self.name}` passes every test case.")

    def _answer(self, answer: Any, frame: Any) -> Any:
        # ``check.NAME()`` reads the learner's ``NAME`` from the notebook's namespace, so a
        # skipped exercise cell (the name was never defined) is "not attempted", not a NameError.
        if answer is not _UNSET:
            return answer
        namespace = frame.f_back.f_globals if frame is not None and frame.f_back else {}
        return namespace.get(self.name)

    def __call__(self, answer: Any = _UNSET) -> None:
        """Print the verdict on ``answer`` (default: the notebook's own ``NAME``).

        Returns nothing, so a check cell shows only the message; use :meth:`verdict` (or
        :meth:`passed`) to get the outcome in code.
        """
        result = self.verdict(self._answer(answer, inspect.currentframe()))
        print(result)
        if not result.passed:
            print(f"   (Stuck? `check.{self.name}.solution()` shows a reference answer.)")

    def passed(self, answer: Any = _UNSET) -> bool:
        """True when ``answer`` (default: the notebook's own ``NAME``) passes, without printing."""
        return self.verdict(self._answer(answer, inspect.currentframe())).passed

    def pick(self, answer: Any = _UNSET) -> Any:
        """Return the learner's answer if it passes, otherwise the reference (and say so).

        ``NAME = check.NAME.pick()`` reads ``NAME`` from the notebook, so it also works when
        the exercise cell was never run.
        """
        answer = self._answer(answer, inspect.currentframe())
        result = self.verdict(answer)
        if result.passed:
            return answer
        print(f"ℹ️  Using the reference `{self.name}` for the cells below "
              f"(yours: {result.status}). Your own version is untouched above.")
        return self.reference

    def solution(self, show: bool = True) -> str | None:
        """Print the source of the reference solution (``show=False`` returns it instead)."""
        try:
            source = textwrap.dedent(inspect.getsource(self.reference))
        except (OSError, TypeError):
            source = f"{self.name} = {self.reference!r}\n"
        if show:
            print(source)
            return None  # printed once; returning it too would show it twice in a notebook
        return source


def check(reference: Any, name: str | None = None) -> Callable[[Callable[[Any], Any]], Check]:
    """Decorator that turns a check body into a :class:`Check` bound to its reference."""

    def wrap(body: Callable[[Any], Any]) -> Check:
        return Check(body, reference, name)

    return wrap


@contextlib.contextmanager
def _own_random_state() -> Iterator[None]:
    # A check draws test inputs and builds small models: it must leave the learner's random
    # state (torch's global generator) as it found it, so their later results don't change.
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        yield


class Checks:
    """A lesson's checks by exercise name: ``check.conv2d_single(conv2d_single)``.

    In a lesson module, ``@check.of(reference)`` above a check body registers it under the
    reference's name, so the reference and its check sit side by side.
    """

    def __init__(self, lesson: str):
        self._lesson = lesson
        self._checks: dict[str, Check] = {}

    def of(self, reference: Any, name: str | None = None
           ) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        """Decorator: register the body below as the check of ``reference``."""
        key = name or getattr(reference, "__name__", None)
        if not key:
            raise ValueError("Checks.of: pass name=... when the reference is not a function.")

        def wrap(body: Callable[[Any], Any]) -> Callable[[Any], Any]:
            if key in self._checks:
                raise ValueError(f"Checks.of: {self._lesson} already has a check {key!r}.")
            self._checks[key] = Check(body, reference, key)
            return body

        return wrap

    def __getattr__(self, name: str) -> Check:
        checks = self.__dict__.get("_checks", {})
        if name in checks:
            return checks[name]
        raise AttributeError(f"lesson {self.__dict__.get('_lesson')!r} has no check {name!r}; "
                             f"its checks are: {', '.join(sorted(checks)) or 'none'}.")

    def __iter__(self):
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __dir__(self) -> list[str]:
        return sorted(self._checks)

    def __repr__(self) -> str:
        return f"Checks({self._lesson!r}: {', '.join(self._checks)})"


# Helpers for check bodies --------------------------------------------------------------------

def expect_tensor(value: Any, shape: tuple[int, ...] | None = None, dtype: Any = None,
                  what: str = "your result") -> None:
    """Raise :class:`Mistake` unless ``value`` is a tensor with the given shape and dtype."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise Mistake(f"{what} should be a torch.Tensor, but it is a {type(value).__name__}.")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise Mistake(f"{what} has shape {tuple(value.shape)}; expected {tuple(shape)}.")
    if dtype is not None and value.dtype != dtype:
        raise Mistake(f"{what} has dtype {value.dtype}; expected {dtype}.")


def expect_close(value: Any, expected: Any, what: str = "your result", atol: float = 1e-4,
                 rtol: float = 1e-4, hint: str = "") -> None:
    """Raise :class:`Mistake` unless ``value`` matches ``expected`` in shape and values."""
    import torch

    expected = torch.as_tensor(expected)
    expect_tensor(value, tuple(expected.shape), what=what)
    if not torch.allclose(value.detach().double().cpu(), expected.double().cpu(),
                          atol=atol, rtol=rtol):
        worst = (value.detach().double().cpu() - expected.double().cpu()).abs().max().item()
        extra = f" {hint}" if hint else ""
        raise Mistake(f"{what} has the right shape but wrong values "
                      f"(largest difference {worst:.3g}).{extra}")


class _Forbidden:
    """Stands in for a built-in while a check runs: calling it raises :class:`Mistake`."""

    def __init__(self, name: str, why: str):
        self.name, self.why = name, why

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise Mistake(f"you called {self.name}, which does the whole job for you. {self.why}")


@contextlib.contextmanager
def forbid(*targets: tuple[Any, str], why: str = "The exercise is to write it yourself "
           "from simpler tensor operations.") -> Iterator[None]:
    """Inside this block, calling any of ``targets`` raises :class:`Mistake` (a shortcut).

    Each target is ``(owner, "attribute")``, e.g. ``(torch, "softmax")`` or
    ``(torch.nn.functional, "conv2d")``; tensor methods work too: ``(torch.Tensor, "softmax")``.
    The originals are restored afterwards, even when the learner's code raises.
    """
    saved = []
    try:
        for owner, attribute in targets:
            original = getattr(owner, attribute)
            label = f"{getattr(owner, '__name__', type(owner).__name__)}.{attribute}"
            label = label.replace("torch.nn.functional.", "F.")
            saved.append((owner, attribute, original))
            setattr(owner, attribute, _Forbidden(label, why))
        yield
    finally:
        for owner, attribute, original in reversed(saved):
            setattr(owner, attribute, original)
