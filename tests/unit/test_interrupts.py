"""Interrupted training is never scored, the test split is scored once, and cells give
directions instead of tracebacks (issue 28, items 2 to 4)."""

import pytest
import torch
from torch import nn

from cnncourse.course import directions
from cnncourse.train import Unfinished, evaluate, finished, fit, score_test


def _batches(n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(8, 6, generator=g), torch.randint(0, 3, (8,), generator=g))
            for _ in range(n)]


class _Stop(nn.Module):
    """A model whose forward raises KeyboardInterrupt on the given call, like Ctrl-C."""

    def __init__(self, at):
        super().__init__()
        self.layer, self.calls, self.at = nn.Linear(6, 3), 0, at

    def forward(self, X):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return self.layer(X)


def test_an_interrupted_fit_leaves_a_model_that_is_not_scored():
    torch.manual_seed(0)
    model = _Stop(at=3)
    with pytest.raises(KeyboardInterrupt):
        fit(model, _batches(), val_data=_batches(2, 1), epochs=2, progress=False)
    assert not finished(model)
    with pytest.raises(Unfinished, match="interrupted.*re-run the cell that trains it"):
        evaluate(model, _batches(2, 1))
    with pytest.raises(Unfinished):
        score_test(model, _batches(2, 2))
    model.at = -1                                   # trained again, to the end
    fit(model, _batches(), val_data=_batches(2, 1), epochs=1, progress=False)
    assert finished(model) and 0 <= evaluate(model, _batches(2, 1))["accuracy"] <= 1


def test_the_test_split_is_scored_once_and_a_score_after_retraining_says_so(capsys):
    torch.manual_seed(0)
    model = nn.Linear(6, 3)
    fit(model, _batches(), epochs=1, progress=False)
    test = _batches(2, 2)
    first = score_test(model, test, "the model")
    assert capsys.readouterr().out == ""
    assert score_test(model, test, "the model") == first            # the cell run again
    out = capsys.readouterr().out
    assert "already scored on the test split" in out and f"{first['accuracy']:.1%}" in out
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)          # trained by hand (00)
    nn.functional.cross_entropy(model(test[0][0]), test[0][1]).backward()
    optimizer.step()
    assert score_test(model, test, "the model") == evaluate(model, test)
    assert "test split has already been seen" in capsys.readouterr().out
    other = nn.Linear(6, 3)                          # another model on the same split
    score_test(other, test, "another model")
    assert "test split has already been seen" in capsys.readouterr().out
    test = _batches(2, 2)
    first = score_test(model, test, "the model")
    assert score_test(model, test, "the model") == first
    assert "already scored on the test split" in capsys.readouterr().out
    fit(model, _batches(), epochs=1, progress=False)
    again = score_test(model, test, "the model")
    assert "test split has already been seen" in capsys.readouterr().out
    assert 0 <= again["accuracy"] <= 1


def test_models_compared_together_use_the_test_split_once(capsys):
    torch.manual_seed(0)
    models = {"a": nn.Linear(6, 3), "b": nn.Linear(6, 3)}
    test = _batches(2, 3)
    first = score_test(models, test, "the comparison")
    assert set(first) == {"a", "b"} and capsys.readouterr().out == ""   # no note between them
    assert first["b"] == evaluate(models["b"], test)
    assert score_test(models, test, "the comparison") == first
    out = capsys.readouterr().out
    best = max(first["a"]["accuracy"], first["b"]["accuracy"])
    assert "already scored on the test split" in out and f"best {best:.1%}" in out
    fit(models["a"], _batches(), epochs=1, progress=False)             # a re-run comparison
    again = score_test(models, test, "the comparison")
    assert "test split has already been seen" in capsys.readouterr().out
    assert again["a"] == evaluate(models["a"], test)


class _Shell:
    """What the handler needs of IPython's shell: the user namespace and showtraceback."""

    def __init__(self, **names):
        self.user_ns = dict(names)
        self.tracebacks = []

    def showtraceback(self, exc_tuple, tb_offset=None):
        self.tracebacks.append(exc_tuple[0].__name__)


def _said(shell, err, capsys):
    directions._stopped.clear()
    directions.handle(shell, type(err), err, None)
    return capsys.readouterr().err


def test_a_name_an_earlier_section_makes_gets_its_section(capsys):
    from cnncourse.lessons.build_cnn import check

    shell = _Shell(check=check)
    line = _said(shell, NameError("name 'history' is not defined", name="history"), capsys)
    assert "`history` is made in section 5 (Training with" in line and not shell.tracebacks
    line = _said(_Shell(), NameError("name 'cc' is not defined", name="cc"), capsys)
    assert "setup cell" in line
    line = _said(_Shell(), NameError("x", name="train_loader"), capsys)   # notebook unknown
    assert "earlier cell of this notebook" in line


def test_a_typo_keeps_pythons_error(capsys):
    from cnncourse.lessons.build_cnn import check

    shell = _Shell()
    assert _said(shell, NameError("name 'histroy' is not defined", name="histroy"), capsys) == ""
    assert shell.tracebacks == ["NameError"]
    shell = _Shell(check=check)       # a name another notebook makes is a typo here
    assert _said(shell, NameError("name 'bn_runs' is not defined", name="bn_runs"), capsys) == ""
    assert shell.tracebacks == ["NameError"]


class _Info:
    def __init__(self, raw_cell):
        self.raw_cell = raw_cell


class _Result:
    def __init__(self, raw_cell, success=True):
        self.info, self.success = _Info(raw_cell), success


def test_an_interrupt_and_a_refusal_are_one_line_and_later_cells_point_back(capsys):
    from cnncourse.course.claims import claim, compare
    from cnncourse.lessons.build_cnn import check

    training = "torch.manual_seed(0)\nmodel = SimpleCNN()\nhistory = fit(model, train_loader)"
    shell = _Shell(In=["", training], check=check)
    line = _said(shell, KeyboardInterrupt(), capsys)
    assert line.count("\n") == 1 and "training did not finish" in line
    assert "⏹ fit: stopped" in _said(shell, Unfinished("fit: stopped"), capsys)
    # A later cell that uses what the stopped cell made: an error points back to its section,
    directions.handle(shell, KeyboardInterrupt, KeyboardInterrupt(), None)
    capsys.readouterr()
    directions._before_cell(_Info("best = max(history['val_acc'])"))
    directions.handle(shell, IndexError, IndexError("list index out of range"), None)
    assert shell.tracebacks == []                   # one line of the error, then where from
    said = capsys.readouterr().err
    assert said.startswith("IndexError: list index out of range\n")
    assert "uses `history` from section 5 (Training with" in said
    # claims and comparisons refuse it, a cell that succeeds says it shows an unfinished run,
    with pytest.raises(directions.Unfinished, match="`history` comes from section 5"):
        claim("it learned", True)
    with pytest.raises(directions.Unfinished):
        compare("a", 0.5, "b", 0.4, 100)
    directions._after_cell(_Result("best = max(history['val_acc'])"))
    assert "This shows an unfinished run: `history`" not in capsys.readouterr().err  # refused
    directions._before_cell(_Info("plot(history)"))
    directions._after_cell(_Result("plot(history)"))
    assert "This shows an unfinished run: `history`" in capsys.readouterr().err
    # cells that use none of it are left alone, and running the stopped cell to the end clears it.
    directions._before_cell(_Info("x = 1"))
    claim("unrelated", True)
    directions._before_cell(_Info(training))
    directions._after_cell(_Result(training))
    assert not directions._stopped
    directions._before_cell(_Info("print(history)"))
    claim("finished", True)


def test_a_stopped_cell_is_named_by_most_of_its_names_and_own_names_are_not_its(capsys):
    from cnncourse.course.claims import claim
    from cnncourse.lessons.deeper_networks import check

    # 10's optimiser comparison: `h` and `name` were first made in section 3, the rest in 5.
    optimisers = ("opt_runs = {}\nfor name, opt in OPTS:\n    h = opt_run(opt)\n"
                  "    opt_runs[name] = h")
    shell = _Shell(In=["", optimisers], check=check)
    directions._stopped.clear()
    directions.handle(shell, KeyboardInterrupt, KeyboardInterrupt(), None)
    capsys.readouterr()
    below = "for name, h in opt_runs.items():\n    print(name, h['val_acc'][-1])"
    directions._before_cell(_Info(below))
    assert directions._stopped["touched"] == {"opt_runs"}       # not its own loop variables
    with pytest.raises(directions.Unfinished, match=r"`opt_runs` comes from section 5 \(Opt"):
        claim("refused", True)
    directions._before_cell(_Info("h = 1\nfig = [r for r in range(h)]\nclaim('own', fig)"))
    claim("a cell that makes what it uses is not refused", True)
    directions._stopped.clear()


def test_a_cell_with_a_claim_on_unfinished_names_is_refused_before_it_prints(capsys):
    import ast

    from cnncourse.lessons.build_cnn import check

    cell = "print('accuracy', model(X))\nclaim('it learned', True)"
    directions._stopped.clear()
    directions._before_cell(_Info(cell))
    assert len(directions._EarlyRefusal().visit(ast.parse(cell)).body) == 2          # nothing stopped
    shell = _Shell(In=["", "model = SimpleCNN()\nhistory = fit(model, train_loader)"],
                   check=check)
    directions.handle(shell, KeyboardInterrupt, KeyboardInterrupt(), None)
    directions._before_cell(_Info(cell))
    tree = directions._EarlyRefusal().visit(ast.parse(cell))
    assert "refuse_unfinished('claim')" in ast.unparse(tree.body[0])     # before the print
    with pytest.raises(directions.Unfinished, match="`model` comes from section"):
        exec(compile(tree, "cell", "exec"), {"model": None, "X": None})
    directions._before_cell(_Info("print(model)"))                        # no claim: runs
    assert len(directions._EarlyRefusal().visit(ast.parse("print(model)")).body) == 1
    directions._stopped.clear()
    capsys.readouterr()


def test_a_file_an_earlier_cell_wrote_is_named_with_its_section(capsys, tmp_path):
    from cnncourse.lessons.build_cnn import check

    folder = tmp_path / "cnncourse-x"
    shell = _Shell(check=check, folder=folder, path=folder / "simple_cnn.pt")
    gone = FileNotFoundError(2, "No such file or directory", str(folder / "simple_cnn.pt"))
    line = _said(shell, gone, capsys)
    assert f"{folder / 'simple_cnn.pt'} is gone" in line
    assert "is made in section 7 (Save and load the weights), which writes it" in line
    line = _said(shell, RuntimeError(f"Parent directory {folder} does not exist."), capsys)
    assert f"{folder} is gone" in line and "section 7" in line and not shell.tracebacks
