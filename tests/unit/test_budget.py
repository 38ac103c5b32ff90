"""The budgeted trainer (``fit(budget_s=...)`` and ``capstone.train_within_budget``) on a fake
clock: it never overshoots the budget, sizes its schedule to the steps it plans, leaves
scoring out of the time, and ``meets_brief`` agrees with it and says why a run misses."""

import random

import pytest
import torch
from torch import nn

from cnncourse.data.loader import TensorLoader
from cnncourse.recipes import capstone
from cnncourse.train import fit


class FakeClock:
    """Time moves only when a step (a call of the loss) is charged: ``dt()`` seconds each."""

    def __init__(self, dt):
        self.now, self.dt, self.charged = 0.0, dt, 0

    def __call__(self):
        return self.now

    def charge(self):
        self.now += self.dt()
        self.charged += 1


def timed_loss(clock):
    def loss(logits, y):
        clock.charge()
        return nn.functional.cross_entropy(logits, y)
    return loss


def tiny(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X, y = torch.randn(n, 1, 8, 8, generator=g), torch.randint(0, 3, (n,), generator=g)
    return TensorLoader(X, y, 8, shuffle=True), TensorLoader(X, y, 32)


def tiny_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 3))


@pytest.mark.parametrize("schedule", [None, "warmup", "one_cycle"])
@pytest.mark.parametrize("jitter", [0.0, 0.5], ids=["steady", "jittery"])
def test_a_budgeted_run_never_ends_past_its_budget(schedule, jitter):
    rng = random.Random(1)
    for budget in (0.37, 1.0, 2.5):
        clock = FakeClock(lambda: 0.02 * (1 + jitter * rng.random()))   # 20-30 ms per step
        train, _ = tiny()
        h = fit(tiny_model(), train, epochs=1000, budget_s=budget, schedule=schedule,
                loss_fn=timed_loss(clock), clock=clock, progress=False)
        assert h.seconds <= budget, (budget, h.seconds)
        assert h.seconds == pytest.approx(clock.now)       # every step's time was counted
        # ... and the budget was used, not wasted: it stops less than 3 slow steps before it
        assert h.seconds >= budget - 3 * 0.03, (budget, h.seconds)
        assert h.stopped == "budget"
        assert h.steps == len(h.lrs) == clock.charged


def test_one_cycle_spans_the_budget_even_when_the_machine_slows_down():
    clock = FakeClock(lambda: 0.01 if clock.now < 1.0 else 0.04)   # 4x slower after 1 s
    train, _ = tiny()
    h = fit(tiny_model(), train, epochs=1000, lr=0.1, budget_s=2.0, schedule="one_cycle",
            loss_fn=timed_loss(clock), clock=clock, progress=False)
    assert h.seconds <= 2.0 and h.lrs[-1] < 0.1 / 20     # it still anneals at the end
    assert max(h.lrs) == pytest.approx(0.1, rel=0.02)


def test_one_cycle_is_sized_to_the_budget():
    clock = FakeClock(lambda: 0.01)
    train, _ = tiny()
    h = fit(tiny_model(), train, epochs=1000, lr=0.1, budget_s=2.0, schedule="one_cycle",
            loss_fn=timed_loss(clock), clock=clock, progress=False)
    peak = max(h.lrs)
    assert peak == pytest.approx(0.1, rel=0.02)          # it reaches lr ...
    assert h.lrs[0] == pytest.approx(0.1 / 25)           # ... from OneCycleLR's start ...
    assert h.lrs[-1] < 0.1 / 500                         # ... and anneals by the last step
    top = h.lrs.index(peak)
    assert 0.28 < top / h.steps < 0.32                   # warm-up: 30% of the time
    assert h.steps in (198, 199)                         # 2 s at 10 ms a step, less a margin


def test_scoring_validation_is_not_counted_and_epochs_can_be_partial():
    clock = FakeClock(lambda: 0.05)
    train, val = tiny()                                   # 8 batches of training per epoch
    h = fit(tiny_model(), train, val_data=val, epochs=50, budget_s=1.0,
            loss_fn=timed_loss(clock), clock=clock, progress=False)
    scoring = clock.now - h.seconds                       # the clock also ran while scoring
    assert scoring == pytest.approx(0.05 * 2 * len(h["epoch"]))   # 2 val batches per epoch
    assert h.seconds <= 1.0 and h.steps in (18, 19)       # 2 * 50 ms must still fit
    assert h["epoch"] == [1, 2, 3]                       # the third epoch ran 3 of its 8 steps


def test_without_a_budget_fit_runs_its_epochs_and_times_them():
    clock = FakeClock(lambda: 0.01)
    train, _ = tiny()
    h = fit(tiny_model(), train, epochs=2, schedule="one_cycle", lr=0.05,
            loss_fn=timed_loss(clock), clock=clock, progress=False)
    assert h.steps == 16 and h.stopped == "epochs"
    assert h.seconds == pytest.approx(0.16)
    assert h.lrs[-1] < 0.05 / 1000


@pytest.mark.parametrize("name, cls, momentum", [("adam", torch.optim.Adam, None),
                                                 ("adamw", torch.optim.AdamW, None),
                                                 ("sgd", torch.optim.SGD, 0.0),
                                                 ("momentum", torch.optim.SGD, 0.9)])
def test_optimizers_by_name_with_weight_decay(name, cls, momentum):
    seen = []
    train, _ = tiny()
    fit(tiny_model(), train, epochs=1, optimizer=name, lr=0.01, weight_decay=1e-3,
        progress=False, callback=lambda h: seen.append(h))
    model = tiny_model()
    from cnncourse.train import make_optimizer
    opt = make_optimizer(name, model.parameters(), 0.01, 1e-3)
    assert type(opt) is cls and opt.defaults["weight_decay"] == 1e-3
    if momentum is not None:
        assert opt.defaults["momentum"] == momentum


def test_plain_sgd_stays_plain_under_one_cycle():
    train, _ = tiny()
    model = tiny_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(model, train, epochs=2, optimizer=opt, schedule="one_cycle", lr=0.1, progress=False)
    assert opt.param_groups[0]["momentum"] == 0       # one-cycle did not switch momentum on


@pytest.mark.parametrize("kwargs, match", [
    ({"budget_s": 0}, "budget_s must be a positive number"),
    ({"budget_s": "60"}, "budget_s must be a positive number"),
    ({"schedule": "cosine"}, "schedule must be None or one of"),
    ({"optimizer": "rmsprop"}, "optimizer must be a torch.optim.Optimizer or one of"),
    ({"optimizer": "adamw", "weight_decay": 5}, "weight_decay must be a number in"),
    ({"schedule": "one_cycle", "scheduler": object()}, "not both"),
])
def test_bad_budget_options_say_what_was_expected(kwargs, match):
    train, _ = tiny()
    with pytest.raises(ValueError, match=match):
        fit(tiny_model(), train, progress=False, **kwargs)


# The capstone: the trainer, the brief and the verdict agree ------------------------------------

def tiny_data():
    from cnncourse.data import make_synthetic

    return make_synthetic("mnist", n_train=200, n_test=50)


def test_train_within_budget_keeps_the_budget_and_meets_brief_agrees(monkeypatch):
    data = tiny_data()
    monkeypatch.setitem(capstone.TARGETS, "mnist", capstone.Target(
        "mnist", 0.0, 10, "", standin_accuracy=0.0, units=100))
    original = nn.CrossEntropyLoss.forward
    for budget in (0.5, 3.0):
        clock = FakeClock(lambda: 0.05)

        def charged(self, logits, y, clock=clock):
            clock.charge()
            return original(self, logits, y)

        monkeypatch.setattr(nn.CrossEntropyLoss, "forward", charged)
        torch.manual_seed(0)
        run = capstone.train_within_budget(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)),
                                           data, budget, clock=clock)
        assert run.seconds <= run.budget_s == budget
        assert run.steps > 0 and run.epochs == pytest.approx(run.steps / 2)  # 2 batches/epoch
        verdict = capstone.meets_brief("mnist", run.val_accuracy, run.seconds, True, budget)
        assert verdict and "within" in str(verdict)


def test_a_miss_says_why(monkeypatch):
    monkeypatch.setitem(capstone.TARGETS, "cifar10", capstone.Target(
        "cifar10", 0.60, 100, "", standin_accuracy=0.80, units=500))
    both = capstone.meets_brief("cifar10", 0.5, 120)
    acc = capstone.meets_brief("cifar10", 0.5, 90)
    time_ = capstone.meets_brief("cifar10", 0.7, 120)
    ok = capstone.meets_brief("cifar10", 0.7, 90)
    assert [bool(v) for v in (both, acc, time_, ok)] == [False, False, False, True]
    assert str(both).startswith("not yet (accuracy and time)")
    assert str(acc).startswith("not yet (accuracy)") and "50.0% is below the 60.0%" in str(acc)
    assert str(time_).startswith("not yet (time)") and "120 s over the 100 s" in str(time_)
    assert "70.0% reaches the 60.0%" in str(time_)
    assert str(ok).startswith("yes")
    # the budget on this machine, in seconds, replaces the nominal one
    assert capstone.meets_brief("cifar10", 0.7, 120, budget_s=150)
    assert not capstone.meets_brief("cifar10", 0.7, 120, budget_s=110)


def test_a_budget_in_baseline_steps_becomes_seconds_on_this_machine():
    t = capstone.Target("cifar10", 0.6, 100, "", units=500)
    assert t.budget(capstone.Speed(0.2, 10, 2.0)) == pytest.approx(100.0)
    assert t.budget(capstone.Speed(0.05, 10, 0.5)) == pytest.approx(25.0)
    assert t.budget() == 100                               # no speed: the nominal seconds
    with pytest.raises(TypeError, match="speed must be a Speed from measure_speed"):
        t.budget(0.05)


def test_measure_speed_times_baseline_steps_on_the_clock(monkeypatch):
    clock = FakeClock(lambda: 0.01)                    # every step takes 10 ms
    original = nn.CrossEntropyLoss.forward
    monkeypatch.setattr(nn.CrossEntropyLoss, "forward",
                        lambda self, logits, y: clock.charge() or original(self, logits, y))
    speed = capstone.measure_speed(tiny_data(), seconds=0.5, clock=clock)
    assert speed.seconds_per_step == pytest.approx(0.01)
    assert speed.steps == clock.charged - 2 >= 40                        # 2 warm-up steps
    assert speed.seconds == pytest.approx(0.5, abs=0.011)                # one step over at most
    assert f"10.0 ms per baseline step (median of {speed.steps} steps" in str(speed)


def test_measure_speed_is_not_set_by_a_cold_first_step_or_a_short_window(monkeypatch):
    """Quick mode times 0.5 s: a slow first step must neither be the figure nor eat the window."""
    costs = iter([1.0, 0.5] + [0.01] * 10_000)           # a cold start, then 10 ms steps
    clock = FakeClock(lambda: next(costs))
    original = nn.CrossEntropyLoss.forward
    monkeypatch.setattr(nn.CrossEntropyLoss, "forward",
                        lambda self, logits, y: clock.charge() or original(self, logits, y))
    speed = capstone.measure_speed(tiny_data(), seconds=0.5, clock=clock)
    assert speed.seconds_per_step == pytest.approx(0.01)
    assert speed.steps >= 5, "at least 7 steps are timed however short the window"
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        capstone.measure_speed(tiny_data(), seconds=0)


def test_the_leaderboard_judges_each_run_by_its_own_machine_budget(monkeypatch, tmp_path):
    monkeypatch.setitem(capstone.TARGETS, "cifar10", capstone.Target(
        "cifar10", 0.60, 100, "", standin_accuracy=0.80, units=500))
    capstone.record_run("slow machine", "cifar10", None, 140, 10, root=tmp_path,
                        val_accuracy=0.7, budget_s=150)
    capstone.record_run("fast machine", "cifar10", None, 140, 10, root=tmp_path,
                        val_accuracy=0.7, budget_s=50)
    capstone.record_run("no budget given", "cifar10", None, 90, 10, root=tmp_path,
                        val_accuracy=0.7)
    rows = {r["name"]: r for r in capstone.leaderboard(root=tmp_path)}
    assert rows["slow machine"]["meets_target"] and rows["slow machine"]["budget"] == 150
    assert not rows["fast machine"]["meets_target"]       # 140 s is over its 50 s
    assert rows["no budget given"]["meets_target"]        # the nominal 100 s
    with pytest.raises(ValueError, match="budget_s must be a positive number"):
        capstone.run_row("x", "cifar10", None, 1, 1, val_accuracy=0.5, budget_s=0)


def test_the_test_split_is_scored_once_per_chosen_model(capsys):
    data = tiny_data()
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    first = capstone.score_test_once(model, data, "mine")
    assert capsys.readouterr().out == ""
    assert capstone.score_test_once(model, data, "mine") == first   # the cell run again
    assert "mine was already scored on the test split" in capsys.readouterr().out
    with torch.no_grad():
        model[1].weight.zero_()                       # changed after scoring: a new score,
    capstone.score_test_once(model, data, "mine")     # which says the split was seen
    assert "test split has already been seen" in capsys.readouterr().out
    other = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))   # a new model: scored, but
    capstone.score_test_once(other, data)                     # the split was seen before
    assert "test split has already been seen" in capsys.readouterr().out


def test_lr_find_restores_the_weights_and_suggests_a_tenth_of_the_minimum():
    from cnncourse.train import lr_find

    train, _ = tiny()
    model = tiny_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    found = lr_find(model, train, start=1e-4, end=10.0, steps=60)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    lrs, losses = found["lrs"], found["losses"]
    ratios = [b / a for a, b in zip(lrs, lrs[1:])]
    assert max(ratios) == pytest.approx(min(ratios))          # geometric steps
    assert lrs[0] == pytest.approx(1e-4)
    lowest = losses.index(min(losses))
    assert found.suggestion == pytest.approx(lrs[lowest] / 10)
    with pytest.raises(ValueError, match="start .* must be below end"):
        lr_find(model, train, start=1.0, end=0.1)
