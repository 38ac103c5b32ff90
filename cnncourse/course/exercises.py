"""Self-checking exercises: a check gives one of three verdicts and never breaks the notebook.

``check.NAME()`` prints a verdict on the notebook's ``NAME``; ``check.NAME.pick()`` returns it,
or the reference solution while it is unfinished; ``.solution()`` shows the reference and
``.passed()`` gives the verdict as True or False. A check body raises :class:`Mistake` with a
specific message when something is off.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import pkgutil
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cnncourse.course import room

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

    def __init__(self, body: Callable[[Any], Any], reference: Any, name: str | None = None,
                 shortcuts: Sequence[str] = (), why: str = "", causes: Sequence[tuple] = ()):
        self.body = body
        self.reference = reference
        self.name = name or body.__name__
        self.__doc__ = body.__doc__
        self.shortcuts, self.why = tuple(shortcuts), why or _WHY  # forbidden while it runs
        self.causes = tuple(causes)  # (fragments, cause) read before the general _CAUSES
        self.own: Verdict | None = None  # the last verdict on the learner's own answer
        self.lesson = ""  # set by Checks.of; names the exercise in a workshop room's records

    def __repr__(self) -> str:
        return f"Check({self.name!r})"

    def verdict(self, answer: Any) -> Verdict:
        """Run the check without printing and return the :class:`Verdict`."""
        if answer is None or answer is Ellipsis:
            return Verdict(NOT_ATTEMPTED, f"`{self.name}` has no answer yet. Fill it in and "
                                          "run this cell again.")
        import torch

        try:
            # A check draws test inputs and builds small models: it leaves torch's global
            # generator as it found it, so the learner's later results don't change.
            with torch.random.fork_rng(devices=[]):
                note = self.body(self._record_calls(answer))
        except NotImplementedError:
            return Verdict(NOT_ATTEMPTED, f"`{self.name}` still raises NotImplementedError. "
                           "Replace that line with your code (the hint comment above it says where "
                           "to start).")
        except Mistake as err:
            return Verdict(WRONG, str(err))
        except Exception as err:  # the learner's code crashed: say where and why, never re-raise
            return Verdict(WRONG, diagnose(err, self.name, self.reference, self.causes))
        return Verdict(CORRECT, note or f"`{self.name}` passes every test case.")

    def _answer(self, answer: Any, frame: Any) -> Any:
        # ``check.NAME()`` reads the learner's ``NAME`` from the notebook's namespace, so a
        # skipped exercise cell (the name was never defined) is "not attempted", not a NameError.
        if answer is not _UNSET:
            return answer
        namespace = frame.f_back.f_globals if frame is not None and frame.f_back else {}
        return namespace.get(self.name)

    def _own_verdict(self, answer: Any) -> Verdict | None:
        # The learner's own verdict, recorded in ``own``; None for the reference pick() handed
        # out: a check never grades (or records) what the learner did not write.
        if answer is self.reference:
            return None
        self.own = self.verdict(answer)
        room.record("check", lesson=self.lesson, item=self.name, status=self.own.status,
                    message=self.own.message)  # in a workshop room only (cnncourse.course.room)
        return self.own

    def __call__(self, answer: Any = _UNSET) -> None:
        """Print the verdict on ``answer`` (default: the notebook's own ``NAME``).

        Returns nothing, so a check cell shows only the message; use :meth:`verdict` (or
        :meth:`passed`) to get the outcome in code.
        """
        result = self._own_verdict(self._answer(answer, inspect.currentframe()))
        if result is None:
            last = f" Your last own answer: {self.own.status}." if self.own else ""
            print(f"ℹ️  `{self.name}` now holds the reference that `pick()` put in place for the "
                  "cells below, so there is nothing of yours to check here. To check your own "
                  f"answer, re-run your exercise cell (`{self.name}`), then this cell.{last}")
            return
        print(result)
        if not result.passed:
            print(f"   (Stuck? `check.{self.name}.solution()` shows a reference answer.)")

    def passed(self, answer: Any = _UNSET) -> bool:
        """True when ``answer`` (default: the notebook's own ``NAME``) passes, without printing.

        On the reference that :meth:`pick` handed out it is your last own verdict instead.
        """
        result = self._own_verdict(self._answer(answer, inspect.currentframe()))
        return (result or self.own or Verdict(NOT_ATTEMPTED, "")).passed

    def pick(self, answer: Any = _UNSET) -> Any:
        """Return the learner's answer if it passes, otherwise the reference (and say so).

        ``NAME = check.NAME.pick()`` reads ``NAME`` from the notebook, so it also works when
        the exercise cell was never run.
        """
        answer = self._answer(answer, inspect.currentframe())
        if answer is self.reference:  # a re-run pick() cell: the reference is already in place
            print(f"ℹ️  `{self.name}` is still the reference for the cells below; re-run your "
                  "exercise cell to use your own.")
            return answer
        result = self._own_verdict(answer)
        if result.passed:
            return answer
        print(f"ℹ️  Using the reference `{self.name}` for the cells below "
              f"(yours: {result.status}). Your own version is untouched above.")
        return self.reference

    def solution(self) -> None:
        """Print the source of the reference solution (returning it would show it twice)."""
        try:
            print(textwrap.dedent(inspect.getsource(self.reference)))
        except (OSError, TypeError):
            print(f"{self.name} = {self.reference!r}\n")

    def _record_calls(self, answer: Any) -> Any:
        """Wrap a learner's function: while it runs, this exercise's shortcuts raise, and an
        exception it raises remembers the input it was called with.

        Anything that is not a plain function (a class, a module, a value) is passed through.
        """
        if not inspect.isfunction(answer):
            return answer

        @functools.wraps(answer)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            try:
                with forbid(*self.shortcuts, why=self.why):
                    return answer(*args, **kwargs)
            except Exception as err:
                if not hasattr(err, _CALL):
                    with contextlib.suppress(AttributeError, TypeError):
                        setattr(err, _CALL, (args, kwargs))
                raise

        return recorded


# When the learner's code raises ----------------------------------------------------------------

_CALL = "_cnncourse_call"  # attribute set on an exception raised inside the learner's function


def describe(value: Any, limit: int = 60) -> str:
    """A short description of one input: a tensor by its shape and dtype, others by a short repr."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        dtype = "" if value.dtype == torch.float32 else str(value.dtype).replace("torch.", "") + " "
        article = "an" if dtype.startswith("int") else "a"   # an int64, a uint8, a float64 tensor
        return f"{article} {dtype}tensor of shape {tuple(value.shape)}"
    if torch is not None and isinstance(value, torch.nn.Module):
        return f"a {type(value).__name__} model"
    if callable(value) and hasattr(value, "__name__"):
        return "<lambda>" if value.__name__ == "<lambda>" else value.__name__
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# (fragment of the error message, likely cause) for the errors learners hit most often.
_CAUSES = [
    (("transpose() takes 2 positional arguments", "swapaxes() takes 2",  # torch >= 2.4
      "transpose() received an invalid combination", "swapaxes() received an invalid"),
     "a NumPy habit: NumPy's .transpose(2, 0, 1) reorders every axis, but a torch tensor's "
     ".transpose swaps exactly two dims. Reorder all of them with .permute(2, 0, 1)."),
    (("Boolean value of Tensor with more than one value is ambiguous",),
     "Python's own max, min, if, and/or look at a whole tensor as one True/False, which is "
     "ambiguous for many values. Work element by element with tensor operations instead: "
     "x.clamp(min=0) or torch.maximum(a, b) for max(0, x), torch.where(cond, a, b) for if."),
    (("No module named",),
     "a module that is not installed here. The exercise needs only torch and Python's "
     "standard library (e.g. the csv module instead of pandas)."),
    (("stack expects each tensor to be equal size", "Sizes of tensors must match"),
     "the pieces you stacked or concatenated (torch.stack / torch.cat) have different shapes. "
     "Print the shape of each piece: a window or slice that runs past an edge comes back "
     "smaller than the others."),
    (("must match the size of tensor",),
     "two tensors in one operation have shapes that do not broadcast. Print both shapes: "
     "usually a sum or max over the wrong dim, or a missing keepdim=True."),
    (("cannot be multiplied", "size mismatch", "shapes cannot be"),
     "a matrix product got shapes that do not line up: the inner sizes must be equal."),
    (("positional argument", "takes from", "unexpected keyword argument",
      "required keyword-only argument"),
     "your function takes a different number of arguments than the check passes. Keep the "
     "signature from the exercise cell: {signature}."),
    (("NoneType", "None"),
     "a value is None where a number or tensor is needed: a parameter left at its default "
     "None (replace it first, e.g. stride = kernel_size if stride is None), or a helper "
     "that forgot to return its result."),
    (("division by zero", "divided by zero", "modulo by zero"),
     "a division by zero: a denominator in your formula is 0 for this input. Check the formula "
     "and that each value comes from the right place (e.g. the order of items in a tuple)."),
    (("values to unpack",),
     "the number of names on the left of = (or after `for`) differs from the number of items "
     "being unpacked. Print one item to see how many it holds, and in which order."),
    (("out of range", "out of bounds"),
     "an index past the end: check the loop bounds and which dimension you index."),
    (("is not defined",),
     "a name that does not exist when the check runs: a typo, or a cell above that was not run."),
    (("Expected all tensors to be on the same device",),
     "tensors on different devices: move them to the same one with .to(device)."),
    (("could not infer output dtype",),
     "the mean of a True/False (bool) tensor: PyTorch averages only floats. Convert first, "
     "e.g. (a == b).float().mean()."),
    (("expected scalar type", "dtype"),
     "tensors of different dtypes: convert with .float() (or .long() for labels)."),
]


# NumPy and pandas names a torch tensor does not have, and what to use instead.
_TENSOR_HABITS = {"astype": ".to(torch.float32) or .float()", "values": "the tensor itself",
                  "iloc": "plain indexing, t[i]", "loc": "plain indexing, t[i]",
                  "copy": ".clone()", "apply": "a whole-tensor operation",
                  "nunique": "len(t.unique())", "value_counts": "torch.bincount(t)"}


def _likely_cause(err: Exception, reference: Any, causes: Sequence[tuple] = ()) -> str:
    text = f"{type(err).__name__}: {err}"
    habit = text.rsplit("has no attribute ", 1)[-1].strip("'\"")
    if "'Tensor' object has no attribute" in text and habit in _TENSOR_HABITS:
        return (f"a NumPy/pandas habit: a torch tensor has no .{habit}; use "
                f"{_TENSOR_HABITS[habit]}.")
    if isinstance(err, ZeroDivisionError):
        text += " division by zero"
    for fragments, cause in [*causes, *_CAUSES]:  # the exercise's own causes first
        if any(f in text for f in fragments):
            try:
                signature = f"def {reference.__name__}{inspect.signature(reference)}"
            except (TypeError, ValueError, AttributeError):
                signature = "the one given"
            return cause.replace("{signature}", signature)
    return "read the error below, then print the shapes and values of what you compute."


def _where(err: Exception) -> str:
    """The last line of the learner's own code in the traceback (not the package, not torch)."""
    import os
    import traceback

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # cnncourse/
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if not os.path.abspath(f.filename).startswith(package)
              and "site-packages" not in f.filename and "dist-packages" not in f.filename]
    if not frames or not frames[-1].line:
        return ""
    return f"\n   (raised at `{frames[-1].line.strip()}`)"


def diagnose(err: Exception, name: str, reference: Any = None, causes: Sequence[tuple] = ()
             ) -> str:
    """The message for a check whose answer raised: the input, the likely cause, the error."""
    call = getattr(err, _CALL, None)
    if call is not None:
        args, kwargs = call
        parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
        head = f"your `{name}` raised an error when called as {name}({', '.join(parts)})."
    else:
        head = (f"running your `{name}` led to an error (in what it returned, or in a model "
                "or helper it built).")
    return (f"{head} Likely cause: {_likely_cause(err, reference, causes)}\n"
            f"   Original error: {type(err).__name__}: {err}{_where(err)}")


class ByName:
    """A lesson's checks or quizzes by name: ``check.conv2d_single``, ``quiz.padding``."""

    kind, kinds = "check", "checks"   # what one item is called in messages, and many

    def __init__(self, lesson: str):
        self._lesson = lesson

    def _all(self) -> dict[str, Any]:
        raise NotImplementedError   # a subclass's items by name, in the lesson's order

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not an item: copy, pickle and IPython probe such names
            raise AttributeError(name)
        found = self._all()
        if name in found:
            return found[name]
        raise AttributeError(f"lesson {self._lesson!r} has no {self.kind} {name!r}; its "
                             f"{self.kinds} are: {', '.join(found) or 'none'}.")

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all().values())

    def items(self) -> list[tuple[str, Any]]:
        """``(name, item)`` pairs in the lesson's order."""
        return list(self._all().items())

    def __len__(self) -> int:
        return len(self._all())

    def __dir__(self) -> list[str]:
        return list(self._all())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._lesson!r}: {', '.join(self._all())})"


class Checks(ByName):
    """A lesson's checks by exercise name: ``check.conv2d_single(conv2d_single)``.

    In a lesson module, ``@check.of(reference)`` above a check body registers it under the
    reference's name, so the reference and its check sit side by side.
    """

    def __init__(self, lesson: str):
        super().__init__(lesson)
        self._checks: dict[str, Check] = {}

    def _all(self) -> dict[str, Check]:
        return self._checks

    def of(self, reference: Any, forbid: Sequence[str] = (), why: str = "",
           causes: Sequence[tuple[tuple[str, ...], str]] = ()
           ) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        """Decorator: register the body below as the check of ``reference``.

        Args:
            forbid: dotted names of the built-ins that would do the whole exercise, e.g.
                ``"torch.nn.functional.conv2d"``; they raise :class:`Mistake` (saying ``why``)
                while the learner's function runs (see :func:`forbid`).
            causes: ``(fragments of an error message, likely cause)`` pairs for errors this
                exercise's slips raise, read before the course-wide ones.
        """
        key = reference.__name__

        def wrap(body: Callable[[Any], Any]) -> Callable[[Any], Any]:
            if key in self._checks:
                raise ValueError(f"Checks.of: {self._lesson} already has a check {key!r}.")
            self._checks[key] = Check(body, reference, key, forbid, why, causes)
            self._checks[key].lesson = self._lesson
            return body

        return wrap


# Helpers for check bodies --------------------------------------------------------------------

def photo_like(h: int, w: int, c: int = 3, seed: int = 0) -> Any:
    """A random uint8 image (H, W, C) that uses the full 0..255 range, like a decoded photo."""
    import torch

    g = torch.Generator().manual_seed(seed)
    img = torch.randint(0, 256, (h, w, c), generator=g, dtype=torch.uint8)
    img[0, 0, 0], img[-1, -1, -1] = 0, 255
    return img


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
                 rtol: float = 1e-4, hint: str = "", mistakes: Sequence[tuple[Any, str]] = ()
                 ) -> None:
    """Raise :class:`Mistake` unless ``value`` matches ``expected`` in shape and values.

    ``mistakes`` lists ``(what a known slip computes, the message naming it)``: when
    ``value`` is off, the first slip it matches (within the same tolerance) is the message.
    A slip can also be a test, ``lambda value: ...``, that says whether ``value`` shows it.
    """
    import torch

    expected = torch.as_tensor(expected)
    expect_tensor(value, tuple(expected.shape), what=what)
    value = value.detach().double().cpu()
    if torch.allclose(value, expected.double().cpu(), atol=atol, rtol=rtol):
        return
    for slip, message in mistakes:
        if callable(slip):
            if slip(value):
                raise Mistake(message)
            continue
        slip = torch.as_tensor(slip).detach().double().cpu()
        if slip.shape == value.shape and torch.allclose(value, slip, atol=atol, rtol=rtol):
            raise Mistake(message)
    worst = (value - expected.double().cpu()).abs().max().item()
    extra = f" {hint}" if hint else ""
    raise Mistake(f"{what} has the right shape but wrong values "
                  f"(largest difference {worst:.3g}).{extra}")


def expect_size(got: Any, call: str, hint: str = "Use // (floor division), which drops a "
                "last window that would not fit.") -> int:
    """Raise :class:`Mistake` unless ``got``, what ``call`` returned, is a whole number (an int).

    Returns it, a one-element integer tensor as its int. A float is named with ``hint``:
    ``/`` instead of ``//`` is the usual slip when computing sizes.
    """
    import torch

    if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_floating_point():
        got = int(got.item())
    if isinstance(got, float):
        raise Mistake(f"{call} returned the float {got}; it should be a whole number (an "
                      f"int). {hint}")
    if isinstance(got, bool) or not isinstance(got, int):
        raise Mistake(f"{call} should be a whole number (an int), got {type(got).__name__} "
                      f"{got!r}.")
    return got


_WHY = "The exercise is to write it yourself from simpler tensor operations."


def _forbidden(original: Any, label: str, why: str) -> Any:
    """Stands in for a built-in while a check runs: calling it raises :class:`Mistake`. It
    keeps the original's name, so library code that reads it (torchvision's v2 dispatch reads
    ``__name__``) reaches the call and the learner gets the friendly message."""

    @functools.wraps(original, updated=())
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise Mistake(f"you called {label}, which does the whole job for you. {why}")

    return refuse


@contextlib.contextmanager
def forbid(*names: str, why: str = _WHY) -> Iterator[None]:
    """Inside this block, calling any of the built-ins ``names`` raises :class:`Mistake`.

    Each name is dotted, e.g. ``"torch.softmax"``, ``"torch.nn.functional.conv2d"`` or a
    tensor method, ``"torch.Tensor.softmax"``; names that do not exist here are skipped.
    The originals are restored afterwards, even when the learner's code raises.
    """
    saved = []
    try:
        for name in names:
            path, attribute = name.rsplit(".", 1)
            try:   # the module or class that holds it: torch.nn.functional, torch.Tensor
                owner = pkgutil.resolve_name(path)
            except (ImportError, AttributeError):
                continue   # not here: an optional library, or an older torchvision layout
            if not hasattr(owner, attribute):
                continue
            label = name.replace("torch.nn.functional.", "F.").replace("torch.Tensor.", "Tensor.")
            saved.append((owner, attribute, getattr(owner, attribute)))
            setattr(owner, attribute, _forbidden(getattr(owner, attribute), label, why))
        yield
    finally:
        for owner, attribute, original in reversed(saved):
            setattr(owner, attribute, original)
