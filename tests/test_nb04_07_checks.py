"""Checks for notebooks 04-07 accept the reference and reject realistic wrong answers."""

import torch
from checkhelpers import wrong
from torch.nn import functional as F

from cnncourse.exercises import CORRECT, NOT_ATTEMPTED


def verdict(check, answer):
    return check.verdict(answer)


def assert_accepts_reference(check):
    result = check.verdict(check.reference)
    assert result.status == CORRECT, result


def stub(*args, **kwargs):
    raise NotImplementedError("Hint: ...")


# Notebook 04 ---------------------------------------------------------------------------------
from cnncourse.checks import nb04  # noqa: E402


def test_nb04_max_pool2d():
    check = nb04.max_pool2d
    assert_accepts_reference(check)
    assert verdict(check, stub).status == NOT_ATTEMPTED

    def avg(x, kernel_size=2, stride=None):
        return F.avg_pool2d(x, kernel_size, stride)

    def stride_one(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size, 1)

    def across_channels(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size, stride).amax(dim=1, keepdim=True)

    def ceil(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size, stride, ceil_mode=True)

    def ignores_stride(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size)

    wrong(check, avg, "average pooling")
    wrong(check, stride_one, "windows overlap (stride 1)")
    wrong(check, across_channels, "max across channels")
    wrong(check, ceil, "you rounded up")
    wrong(check, ignores_stride, "ignored the stride")


def test_nb04_stack_output_size():
    check = nb04.stack_output_size
    assert_accepts_reference(check)

    def true_division(size, layers):
        for _kind, k, s, p in layers:
            size = (size + 2 * p - k) / s + 1
        return size

    def no_padding(size, layers):
        for _kind, k, s, _p in layers:
            size = (size - k) // s + 1
        return size

    def no_stride(size, layers):
        for _kind, k, _s, p in layers:
            size = size + 2 * p - k + 1
        return size

    def last_only(size, layers):
        out = size
        for _kind, k, s, p in layers:
            out = (size + 2 * p - k) // s + 1
        return out

    wrong(check, true_division, "Use // (floor division)")
    wrong(check, no_padding, "left out the padding")
    wrong(check, no_stride, "ignored the stride")
    wrong(check, last_only, "previous layer's output size")


# Notebook 05 ---------------------------------------------------------------------------------
from cnncourse.checks import nb05  # noqa: E402


def test_nb05_relu():
    check = nb05.relu
    assert_accepts_reference(check)
    assert verdict(check, stub).status == NOT_ATTEMPTED

    def in_place(x):
        x[x < 0] = 0
        return x

    wrong(check, in_place, "in place")
    wrong(check, lambda x: x > 0, "True/False mask")
    wrong(check, lambda x: x.clamp(max=0), "clamp(min=0)")
    wrong(check, lambda x: x.abs(), "|x|")
    wrong(check, torch.sigmoid, "sigmoid")


def test_nb05_relu_grad():
    check = nb05.relu_grad
    assert_accepts_reference(check)
    wrong(check, lambda x: x > 0, "True/False mask")
    wrong(check, torch.relu, "returned relu(x) itself")
    wrong(check, torch.sign, "sign of x")
    wrong(check, lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)), "sigmoid's")


def test_nb05_compose_kernels():
    check = nb05.compose_kernels
    assert_accepts_reference(check)

    def matmul(k1, k2):
        return k1 @ k2

    def unflipped(k1, k2):
        a, b = k2.shape
        return F.conv2d(F.pad(k1[None, None], (b - 1, b - 1, a - 1, a - 1)), k2[None, None])[0, 0]

    def elementwise_padded(k1, k2):
        return F.pad(k1 * k2, (1, 1, 1, 1))

    def fixed_padding(k1, k2):  # right for 3x3 + 3x3 only
        return F.conv2d(k1[None, None], torch.flip(k2, dims=(0, 1))[None, None], padding=2)[0, 0]

    wrong(check, matmul, "must be 5x5")
    wrong(check, unflipped, "mirrored")
    wrong(check, elementwise_padded, "does not reproduce the two steps")
    wrong(check, fixed_padding, "3x3 followed by a 2x2")


# Notebook 06 ---------------------------------------------------------------------------------
from cnncourse.checks import nb06  # noqa: E402


def test_nb06_flatten_size():
    check = nb06.flatten_size
    assert_accepts_reference(check)

    def no_channels(h, w, c, p):
        return (h // 2 ** p) * (w // 2 ** p)

    def divides_by_2p(h, w, c, p):
        return c * (h // (2 * p)) * (w // (2 * p))

    def square_only(h, w, c, p):
        return c * (h // 2 ** p) ** 2

    def rounds_up(h, w, c, p):
        return c * -(-h // 2 ** p) * -(-w // 2 ** p)

    def float_division(h, w, c, p):
        return c * (h / 2 ** p) * (w / 2 ** p)

    wrong(check, no_channels, "forgot the channels")
    wrong(check, divides_by_2p, "not by 2*p")
    wrong(check, square_only, "used one side twice")
    wrong(check, rounds_up, "rounded up")
    wrong(check, float_division, "use // 2")


def test_nb06_softmax_cross_entropy():
    check = nb06.softmax_cross_entropy
    assert_accepts_reference(check)
    assert verdict(check, stub).status == NOT_ATTEMPTED

    def naive(logits, y):
        p = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
        return -p[torch.arange(len(y)), y].log().mean()

    def per_example(logits, y):
        return F.cross_entropy(logits, y, reduction="none")

    def no_log(logits, y):
        return -F.softmax(logits, dim=1)[torch.arange(len(y)), y].mean()

    def summed(logits, y):
        return F.cross_entropy(logits, y, reduction="sum")

    def batch_dim(logits, y):
        return -F.log_softmax(logits, dim=0)[torch.arange(len(y)), y].mean()

    wrong(check, naive, "exp(1000) overflows")
    wrong(check, per_example, ".mean()")
    wrong(check, no_log, "take the log first")
    wrong(check, summed, "summed over the batch")
    wrong(check, batch_dim, "dim=1")


# Notebook 07 ---------------------------------------------------------------------------------
from cnncourse.checks import nb07  # noqa: E402


def test_nb07_simple_cnn_forward():
    check = nb07.simple_cnn_forward
    assert_accepts_reference(check)

    def layers(model, x):
        x = model.pool(F.relu(model.conv1(x)))
        return model.pool(F.relu(model.conv2(x)))

    def seed_view(model, x):
        return model.fc2(F.relu(model.fc1(layers(model, x).view(-1, 32 * 8 * 8))))

    def softmax_out(model, x):
        return F.softmax(model.fc2(F.relu(model.fc1(torch.flatten(layers(model, x), 1)))), dim=1)

    def relu_out(model, x):
        return F.relu(model.fc2(F.relu(model.fc1(torch.flatten(layers(model, x), 1)))))

    def no_relu(model, x):
        x = model.pool(model.conv2(model.pool(model.conv1(x))))
        return model.fc2(model.fc1(torch.flatten(x, 1)))

    wrong(check, seed_view, "torch.flatten(x, 1)")
    wrong(check, softmax_out, "probabilities (softmax)")
    wrong(check, relu_out, "no activation after the last layer")
    wrong(check, no_relu, "left out the ReLUs")


def test_nb07_train_step():
    check = nb07.train_step
    assert_accepts_reference(check)

    def no_zero_grad(model, X, y, optimizer, loss_fn):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def no_step(model, X, y, optimizer, loss_fn):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        return loss.item()

    def returns_tensor(model, X, y, optimizer, loss_fn):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    def loss_after_step(model, X, y, optimizer, loss_fn):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss_fn(model(X), y).item()

    def step_before_backward(model, X, y, optimizer, loss_fn):
        loss = loss_fn(model(X), y)
        optimizer.step()
        optimizer.zero_grad()
        loss.backward()
        return loss.item()

    wrong(check, no_zero_grad, "optimizer.zero_grad()")
    wrong(check, no_step, "optimizer.step()")
    wrong(check, returns_tensor, "loss.item()")
    wrong(check, loss_after_step, "not one computed after the step")
    wrong(check, step_before_backward, "order of the steps")


def test_nb07_accuracy():
    check = nb07.accuracy
    assert_accepts_reference(check)
    wrong(check, lambda logits, y: (logits.argmax(dim=1) == y).float().mean(),
                   "Python float")
    wrong(check, lambda logits, y: float((logits.argmax(dim=1) == y).sum()),
                   "number of correct predictions")
    wrong(check, lambda logits, y: (logits.argmax(dim=0) == y).float().mean().item(),
                   "dim=0")
    wrong(check, lambda logits, y: (logits.argmax() == y).float().mean().item(),
                   "argmax without dim")
