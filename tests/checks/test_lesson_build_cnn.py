"""Lesson 08 (build_cnn): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import assert_accepts_reference, wrong
from torch.nn import functional as F

from cnncourse.lessons.build_cnn import check


def test_nb07_simple_cnn_forward():
    c = check.simple_cnn_forward
    assert_accepts_reference(c)

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

    wrong(c, seed_view, "torch.flatten(x, 1)")
    wrong(c, softmax_out, "probabilities (softmax)")
    wrong(c, relu_out, "no activation after the last layer")
    wrong(c, no_relu, "left out the ReLUs")

    def flatten_all(model, x):
        return model.fc2(F.relu(model.fc1(torch.flatten(layers(model, x)))))

    wrong(c, flatten_all, "torch.flatten(x, 1)")


def test_nb07_train_step():
    c = check.train_step
    assert_accepts_reference(c)

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

    wrong(c, no_zero_grad, "optimizer.zero_grad()")
    wrong(c, no_step, "optimizer.step()")
    wrong(c, returns_tensor, "loss.item()")
    wrong(c, loss_after_step, "not one computed after the step")
    wrong(c, step_before_backward, "order of the steps")

    def zero_grad_between_backward_and_step(model, X, y, optimizer, loss_fn):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        return loss.item()

    def no_backward(model, X, y, optimizer, loss_fn):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        optimizer.step()
        return loss.item()

    # not "call optimizer.step()": the learner did call it, after erasing the gradients
    wrong(c, zero_grad_between_backward_and_step, "zero_grad() ran between loss.backward() "
          "and optimizer.step()", "erased the fresh gradients")
    wrong(c, no_backward, "loss.backward() was never called")


def test_nb07_accuracy():
    c = check.accuracy
    assert_accepts_reference(c)
    wrong(c, lambda logits, y: (logits.argmax(dim=1) == y).float().mean(),
                   "Python float")
    wrong(c, lambda logits, y: float((logits.argmax(dim=1) == y).sum()),
                   "number of correct predictions")
    wrong(c, lambda logits, y: (logits.argmax(dim=0) == y).float().mean().item(),
                   "dim=0")
    wrong(c, lambda logits, y: (logits.argmax() == y).float().mean().item(),
                   "argmax without dim")
    wrong(c, lambda logits, y: (logits.argmax(dim=1) == y).mean().item(),
                   "True/False (bool) tensor")
