"""The shape tracer: run one dummy batch through a model and list every layer's output shape.

``trace(model, (1, 3, 32, 32))`` attaches forward hooks to the leaf modules (the ones with no
children), so it also follows models whose ``forward`` uses ``F.relu`` or ``x.view``. It
reports each layer's output shape and parameter count, stops at the first layer that fails
with a plain-language reason, and warns when the batch size changes inside the model (the
silent ``x.view(-1, ...)`` bug).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from cnncourse.modelutils import check_model, eval_mode, model_device
from cnncourse.validate import whole_numbers


@dataclass
class LayerRow:
    """One call of one leaf layer: its name, type, output shape and parameter count."""

    name: str
    kind: str
    output_shape: tuple[int, ...] | None
    params: int
    note: str = ""


@dataclass
class Trace:
    """The result of :func:`trace`: one row per layer call, plus any error and warnings."""

    input_shape: tuple[int, ...]
    rows: list[LayerRow] = field(default_factory=list)
    output_shape: tuple[int, ...] | None = None
    total_params: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the model ran and the batch size was preserved."""
        return self.error is None and not self.warnings

    def _cells(self) -> list[tuple[str, str, str, str, str]]:
        # (layer, type, output shape, params, note) as text: the input row, then each call.
        return [("input", "", _fmt(self.input_shape), "", "")] + [
            (r.name, r.kind, _fmt(r.output_shape), f"{r.params:,}", r.note) for r in self.rows]

    def table(self) -> str:
        """The trace as a plain-text table."""
        head = ("layer", "type", "output shape", "params")
        body = self._cells()
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(4)]
        line = "  ".join(h.ljust(w) for h, w in zip(head, widths))
        out = [line, "-" * len(line)]
        for *row, note in body:
            text = "  ".join(c.ljust(w) if i < 3 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(row, widths)))
            out.append(text + (f"   <- {note}" if note else ""))
        out.append("-" * len(line))
        out.append(f"total parameters: {self.total_params:,}")
        if self.output_shape is not None:
            out.append(f"output shape: {_fmt(self.output_shape)}")
        out += [f"WARNING: {w}" for w in self.warnings]
        if self.error:
            out.append(f"STOPPED: {self.error}")
        return "\n".join(out)

    def __repr__(self) -> str:   # print(trace(...)) and plain-text displays show the table
        return self.table()

    def _repr_html_(self) -> str:
        # Every column has a named header, so a screen reader says which one a cell is in.
        head = "".join(f"<th scope='col'>{h}</th>"
                       for h in ("layer", "type", "output shape", "params", "note"))
        align = ["", "", "", " style='text-align:right'", ""]   # params, right-aligned
        body = "".join("<tr>" + "".join(f"<td{a}>{html.escape(c)}</td>" for a, c in zip(align, row))
                       + "</tr>" for row in self._cells())
        extra = "".join(f"<p>⚠️ <b>Warning:</b> {html.escape(w)}</p>" for w in self.warnings)
        if self.error:
            extra += f"<p>⛔ <b>Stopped:</b> {html.escape(self.error)}</p>"
        out = f"<p>output shape: {_fmt(self.output_shape)}</p>" if self.output_shape else ""
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>total parameters: {self.total_params:,}</p>{out}{extra}")


def _fmt(shape: tuple[int, ...] | None) -> str:
    return "—" if shape is None else "(" + ", ".join(str(s) for s in shape) + ")"


def _first_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def _explain(module: nn.Module, x: torch.Tensor | None, last_4d: tuple[int, ...] | None,
             input_shape: tuple[int, ...], err: Exception) -> str:
    """A plain-language reason why ``module`` failed on input ``x``."""
    kind = type(module).__name__
    got = None if x is None else tuple(x.shape)
    if isinstance(module, nn.Linear) and x is not None and x.shape[-1] != module.in_features:
        want, have = module.in_features, x.shape[-1]
        msg = f"Linear expects {want} features but got {have}"
        if last_4d is not None and len(input_shape) == 4:
            _, c, h, w = last_4d
            if c * h * w == have:
                msg += f" (the feature map before it is {c}×{h}×{w})"
            ratio = math.sqrt(want / have)
            H, W = input_shape[2], input_shape[3]
            side_h, side_w = H * ratio, W * ratio
            if abs(side_h - round(side_h)) < 1e-6 and abs(side_w - round(side_w)) < 1e-6:
                msg += (f": your input is {H}×{W}, not {round(side_h)}×{round(side_w)}. "
                        f"Resize the images to {round(side_h)}×{round(side_w)}, or put an "
                        "nn.AdaptiveAvgPool2d before flattening so any size works")
            else:
                msg += (f": the input size {H}×{W} does not match what this layer was built "
                        "for. Resize the images, or add nn.AdaptiveAvgPool2d before flattening")
        return msg + "."
    if isinstance(module, nn.modules.conv._ConvNd) and x is not None and x.dim() >= 3:
        channels = x.shape[1] if x.dim() == module.weight.dim() else x.shape[0]
        if channels != module.in_channels:
            return (f"{kind} expects {module.in_channels} input channels but got {channels} "
                    f"(input shape {got}). Check the channel count of the images (e.g. "
                    "grayscale 1 vs RGB 3) or the previous layer's out_channels.")
    return f"{kind} failed on an input of shape {got}: {err}"


def trace(model: nn.Module, input_size: tuple[int, ...] | list[int] | torch.Tensor) -> Trace:
    """Run one dummy batch through ``model`` and return a :class:`Trace` of layer shapes.

    Args:
        model: any ``nn.Module``.
        input_size: the input shape including the batch, e.g. ``(1, 3, 32, 32)``, or a tensor.

    Example:
        >>> print(trace(SimpleCNN(), (1, 3, 32, 32)))
    """
    check_model(model, "trace")
    if isinstance(input_size, torch.Tensor):
        x = input_size
    else:
        whole_numbers(input_size, "input_size", "trace",
                      hint="the batch included, e.g. (1, 3, 32, 32)")
        first = next(model.parameters(), None)
        dtype = first.dtype if first is not None and first.is_floating_point() else torch.float32
        x = torch.randn(*input_size, device=model_device(model), dtype=dtype)
    input_shape = tuple(x.shape)
    result = Trace(input_shape=input_shape,
                   total_params=sum(p.numel() for p in model.parameters()))
    names = {m: (n or type(m).__name__) for n, m in model.named_modules()}
    leaves = [m for m in model.modules() if not list(m.children())]
    state: dict[str, Any] = {"active": None, "input": None, "seen": set(), "last_4d": None}
    batch = input_shape[0] if input_shape else None

    def pre_hook(module: nn.Module, inputs: tuple) -> None:
        state["active"], state["input"] = module, _first_tensor(inputs)

    def post_hook(module: nn.Module, inputs: tuple, output: Any) -> None:
        state["active"] = None
        out = _first_tensor(output)
        params = 0
        if module not in state["seen"]:  # a layer used twice holds its weights once
            state["seen"].add(module)
            params = sum(p.numel() for p in module.parameters(recurse=False))
        shape = None if out is None else tuple(out.shape)
        note = ""
        inp = _first_tensor(inputs)
        if inp is not None and inp.dim() > 0 and inp.shape[0] != batch:
            note = f"batch is {inp.shape[0]} here, but the input batch was {batch}"
        result.rows.append(LayerRow(names.get(module, type(module).__name__),
                                    type(module).__name__, shape, params, note))
        if shape is not None and len(shape) == 4:
            state["last_4d"] = shape

    handles = []
    for leaf in leaves:
        handles.append(leaf.register_forward_pre_hook(pre_hook))
        handles.append(leaf.register_forward_hook(post_hook))
    try:
        with torch.no_grad(), eval_mode(model):
            output = model(x)
    except Exception as err:  # turn the failure into a plain message at the failing layer
        failed = state["active"]
        if failed is not None:
            name = names.get(failed, type(failed).__name__)
            reason = _explain(failed, state["input"], state["last_4d"], input_shape, err)
            result.rows.append(LayerRow(name, type(failed).__name__, None, 0, "FAILED here"))
            result.error = f"layer `{name}`: {reason}"
        else:
            after = f"after layer `{result.rows[-1].name}`" if result.rows else "before any layer"
            result.error = (f"the model's forward code failed {after} (not inside a layer): "
                            f"{type(err).__name__}: {err}")
        return result
    finally:
        for handle in handles:
            handle.remove()
    out = _first_tensor(output)
    result.output_shape = None if out is None else tuple(out.shape)
    if out is not None and out.dim() > 0 and batch is not None and out.shape[0] != batch:
        result.warnings.append(
            f"the output batch is {out.shape[0]} but the input batch was {batch}: the model "
            "returns the wrong number of predictions. A reshape like x.view(-1, features) "
            "folded the extra size into the batch; use torch.flatten(x, 1) so a wrong input "
            "size fails loudly instead.")
    return result
