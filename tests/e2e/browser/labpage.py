"""Drive one notebook in JupyterLab through Playwright: open, Run All, inspect, click.

The page is read two ways. The notebook *model* (through ``window.jupyterapp``, which the
server exposes for tests) says what ran: execution counts, error outputs, widget outputs.
The *DOM* says what the learner sees: rendered images, live widget views, error banners.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# Text that means a widget did not come alive in the front end.
WIDGET_FAILURE_TEXT = re.compile(
    r"Error displaying widget|Error rendering widget|Failed to load model class|"
    r"Loading widget\.\.\.|"   # still there after the run settled: the model never arrived
    r"Could not render content for 'application/vnd\.jupyter\.widget-view\+json'")
# Uncaught browser errors that do not affect what the learner sees.
BENIGN_PAGE_ERRORS = re.compile(r"ResizeObserver loop")
# A widget's Python repr shown as plain text (no widget front end): "VBox(children=(..."
WIDGET_REPR_TEXT = re.compile(
    r"^\s*(VBox|HBox|Box|GridBox|Dropdown|Button|Output|IntSlider|FloatSlider|SelectionSlider|"
    r"ToggleButtons|RadioButtons|HTML|Image|FloatProgress|IntProgress|Tab|Accordion|"
    r"interactive)\((children|value|options|description|layout)=")

# Finds the notebook panel for a path among the main-area widgets.
_FIND_PANEL = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) return w;
  }
  return null;
}
"""

_PANEL_STATE = """
(path) => {
  const find = __FIND_PANEL__;
  const panel = find(path);
  if (!panel) return {found: false};
  const ctx = panel.sessionContext;
  const dialog = document.querySelector('.jp-Dialog');
  return {
    found: true,
    dialog: dialog ? dialog.innerText.slice(0, 300) : null,
    ready: panel.context.isReady,
    kernelName: ctx.session && ctx.session.kernel ? ctx.session.kernel.name : null,
    status: ctx.kernelDisplayStatus,
    running: panel.content.widgets.filter(c => c.model.type === 'code' &&
        (c.model.executionState === 'running' ||
         (c.node.querySelector('.jp-InputPrompt') || {}).textContent === '[*]:')).length,
  };
}
""".replace("__FIND_PANEL__", _FIND_PANEL)

_CELL_REPORT = """
(path) => {
  const find = __FIND_PANEL__;
  const panel = find(path);
  const text = (t) => Array.isArray(t) ? t.join('') : (t || '');
  const WIDGET = '__WIDGET_MIME__';
  return panel.content.widgets.map((cell, index) => {
    const m = cell.model;
    const out = {index, type: m.type, source: m.sharedModel.getSource().slice(0, 120)};
    if (m.type !== 'code') return out;
    out.count = m.executionCount;
    out.outputs = m.outputs.toJSON().map(o => ({
      type: o.output_type, name: o.name || null, ename: o.ename || null,
      evalue: o.evalue || null, traceback: (o.traceback || []).join('\\n').slice(-3000),
      text: text(o.text).slice(0, 3000), mimes: o.data ? Object.keys(o.data) : [],
      modelId: o.data && o.data[WIDGET] ? o.data[WIDGET].model_id : null,
    }));
    const area = cell.outputArea ? cell.outputArea.node : null;
    // What each top-level output shows: its MIME type, or "widget" for a widget view (the
    // widget renderer sets no data-mime-type), or "empty" (e.g. a widget closed since).
    out.domKinds = area ? Array.from(area.querySelectorAll(
        ':scope > .jp-OutputArea-child > .jp-OutputArea-output')).map(
        e => e.getAttribute('data-mime-type') ||
             (e.querySelector(':scope > .jupyter-widgets') ? 'widget' :
              (e.innerText.trim() ? 'text' : 'empty'))) : [];
    out.domText = area ? area.innerText.slice(0, 5000) : '';
    return out;
  });
}
""".replace("__FIND_PANEL__", _FIND_PANEL).replace("__WIDGET_MIME__", WIDGET_MIME)

# Every <img> in any output (figures, and images inside widgets): loaded size and whether it is
# one flat colour (a blank figure), sampled on a small canvas.
_IMAGE_REPORT = """
(root) => Array.from(root.querySelectorAll('.jp-OutputArea-output img')).map(img => {
  const r = {src: img.src.slice(0, 40), complete: img.complete,
             width: img.naturalWidth, height: img.naturalHeight, blank: null,
             inWidget: !!img.closest('.jupyter-widgets'),
             mime: (img.closest('[data-mime-type]') || {getAttribute: () => null})
                   .getAttribute('data-mime-type')};
  if (img.complete && img.naturalWidth > 0) {
    try {
      const c = document.createElement('canvas'); c.width = 64; c.height = 64;
      const g = c.getContext('2d'); g.drawImage(img, 0, 0, 64, 64);
      const d = g.getImageData(0, 0, 64, 64).data;
      let lo = 255, hi = 0;
      for (let i = 0; i < d.length; i += 4) {
        const v = d[i] + d[i + 1] + d[i + 2];
        lo = Math.min(lo, v); hi = Math.max(hi, v);
      }
      r.blank = hi - lo < 3;
    } catch (e) { r.blank = null; }
  }
  return r;
})
"""

# SHA-256 of the bytes behind every <img> under an element (data: and blob: URLs both work).
_IMAGE_DIGESTS = """
async (root) => {
  const out = [];
  for (const img of root.querySelectorAll('img')) {
    try {
      const buf = await (await fetch(img.src)).arrayBuffer();
      const h = await crypto.subtle.digest('SHA-256', buf);
      out.push(Array.from(new Uint8Array(h)).map(b => b.toString(16).padStart(2, '0')).join(''));
    } catch (e) { out.push('src:' + img.src); }
  }
  return out;
}
"""


@dataclass
class RunReport:
    """What one Run All produced: cells, problems found, images and timing."""

    notebook: str
    seconds: float
    cells: list[dict[str, Any]]
    images: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)

    @property
    def figures(self) -> list[dict[str, Any]]:
        """Images shown as cell outputs or inside widgets that loaded with a real size."""
        return [i for i in self.images if i["complete"] and i["width"] > 0 and i["height"] > 0]

    def stdout(self) -> str:
        """Everything the cells printed to stdout, in order."""
        return "".join(out["text"] for cell in self.cells if cell["type"] == "code"
                       for out in cell["outputs"] if out["name"] == "stdout")

    def summary(self) -> str:
        code = [c for c in self.cells if c["type"] == "code"]
        return (f"{self.notebook}: {len(code)} code cells ran in {self.seconds:.1f} s, "
                f"{len(self.figures)} images rendered, {len(self.problems)} problems")


class NotebookPage:
    """One JupyterLab tab showing one notebook."""

    def __init__(self, page: Any, server: Any, notebook: str, shots: Path):
        self.page, self.server, self.notebook = page, server, notebook
        self.shots = Path(shots)
        self.stem = Path(notebook).stem
        self.console: list[str] = []        # console errors and warnings, for the log
        self.page_errors: list[str] = []    # uncaught JavaScript exceptions: a test failure
        self.reports: list[RunReport] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", self._on_page_error)

    def _on_page_error(self, error: Any) -> None:
        text = str(error)
        self.console.append(f"pageerror: {text}")
        if not BENIGN_PAGE_ERRORS.search(text):
            self.page_errors.append(text)

    # Navigation ------------------------------------------------------------------------------
    def open(self, timeout: float = 120) -> dict[str, Any]:
        """Open the notebook and wait until its kernel is idle; fail on any dialog."""
        self.page.goto(self.server.lab_url(self.notebook), wait_until="domcontentloaded")
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started",
                                    timeout=timeout * 1000)
        state = self._wait(lambda s: s.get("dialog") or (
            s.get("found") and s.get("ready") and s.get("status") == "idle"),
            timeout, "the kernel to be idle")
        if state.get("dialog"):
            self.screenshot("DIALOG")
            raise AssertionError(f"{self.notebook}: a dialog opened with the notebook "
                                 f"(missing or unknown kernelspec?): {state['dialog']!r}")
        return state

    def state(self) -> dict[str, Any]:
        """Kernel and execution state of the notebook panel."""
        return self.page.evaluate(_PANEL_STATE, self.notebook)

    def run_all(self) -> None:
        """Run > Run All Cells, through the menu bar as a learner would."""
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*Run\s*$")).click()
        self.page.locator(".lm-Menu-item:visible",
                          has_text=re.compile(r"^\s*Run All Cells")).first.click()

    def wait_until_done(self, timeout: float = 300) -> dict[str, Any]:
        """Wait until no cell is running and the kernel has stayed idle for a second."""
        idle_since = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if state.get("status") == "idle" and state.get("running") == 0:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= 1.0:
                    return state
            else:
                idle_since = None
            time.sleep(0.25)
        raise TimeoutError(f"{self.notebook}: still running after {timeout:.0f} s "
                           f"(state {self.state()}). Server log:\n{self.server.log_tail()}")

    def run_all_and_report(self, timeout: float = 300) -> RunReport:
        """Run every cell, wait, and collect problems a learner would see."""
        start = time.monotonic()
        self.run_all()
        # Give the kernel a moment to go busy, so an early idle is not mistaken for done.
        try:
            self._wait(lambda s: s.get("status") != "idle" or s.get("running"), 10, "busy")
        except TimeoutError:
            pass
        self.wait_until_done(timeout)
        self.page.wait_for_timeout(500)   # let the last display messages paint
        # Widgets may take a moment to build their views; a placeholder that stays is a failure.
        try:
            self.page.wait_for_function(
                "() => !document.querySelector('.jp-Notebook').innerText"
                ".includes('Loading widget...')", timeout=5000)
        except Exception:  # noqa: BLE001 - reported by problems() below
            pass
        seconds = time.monotonic() - start
        cells = self.page.evaluate(_CELL_REPORT, self.notebook)
        images = self.page.locator(".jp-Notebook").first.evaluate(_IMAGE_REPORT)
        found = problems(cells, images)
        found += [f"uncaught JavaScript error in the page: {e}" for e in self.page_errors]
        report = RunReport(self.notebook, seconds, cells, images, found)
        self.reports.append(report)
        return report

    def open_and_run_clean(self, timeout: float = 300) -> RunReport:
        """Open, screenshot, run all, screenshot; assert a quick+offline kernel and no problems."""
        state = self.open()
        assert state["kernelName"] == "python3", state
        self.screenshot("01-opened")
        report = self.run_all_and_report(timeout=timeout)
        print(report.summary())
        self.screenshot_notebook("02-ran")
        self.screenshot_first_figure("03-figure")
        assert "mode=quick" in report.stdout() and "network=offline" in report.stdout(), (
            "the kernel did not get CNNCOURSE_QUICK=1 and CNNCOURSE_OFFLINE=1")
        assert report.problems == [], "\n\n".join(report.problems)
        return report

    # Widgets ---------------------------------------------------------------------------------
    def live_widgets(self, css_class: str) -> Any:
        """Locator for elements of ``css_class`` that are rendered ipywidgets views."""
        # Only a widget view carries the jupyter-widgets class; static HTML fallbacks do not.
        return self.page.locator(f".jp-OutputArea-output .jupyter-widgets.{css_class}")

    def answer_quiz(self, index: int = 0, option: int = 0, timeout: float = 15) -> str:
        """Click ``option`` in quiz ``index``; return the feedback text that appears."""
        quiz = self.live_widgets("cnncourse-quiz").nth(index)
        quiz.scroll_into_view_if_needed()
        self.screenshot(f"quiz{index}-before", quiz)
        quiz.locator("button").nth(option).click()
        feedback = quiz.locator(".cnncourse-feedback")
        feedback.wait_for(state="visible", timeout=timeout * 1000)
        self.screenshot(f"quiz{index}-after", quiz)
        return feedback.inner_text()

    def answer_quiz_by_keyboard(self, index: int = 0, key: str = "Enter", timeout: float = 15,
                                max_tabs: int = 60) -> tuple[str, str]:
        """Reach quiz ``index``'s first option with Tab alone and choose it with ``key``.

        Focus starts on the notebook just above the quiz (its cell, as after a click on the
        question); no mouse touches the buttons. Returns (the focused option's text, the
        feedback that appeared).
        """
        quiz = self.live_widgets("cnncourse-quiz").nth(index)
        quiz.scroll_into_view_if_needed()
        quiz.locator(".widget-html").first.click()            # select the cell, like a reader
        self.page.locator("body").evaluate("b => document.activeElement.blur()")
        quiz.locator(".widget-html").first.evaluate(
            "e => { const c = e.closest('.jp-Cell'); c.tabIndex = c.tabIndex; c.focus(); }")
        for _ in range(max_tabs):
            focused = quiz.evaluate("q => { const a = document.activeElement; return "
                                    "q.contains(a) && a.tagName === 'BUTTON' ? a.innerText : null; }")
            if focused:
                break
            self.page.keyboard.press("Tab")
        else:
            raise AssertionError(f"{self.notebook}: {max_tabs} Tab presses never reached an "
                                 f"option of quiz {index}: not keyboard-operable.")
        self.page.keyboard.press(key)
        feedback = quiz.locator(".cnncourse-feedback")
        feedback.wait_for(state="visible", timeout=timeout * 1000)
        self.screenshot(f"quiz{index}-keyboard", quiz)
        return focused, feedback.inner_text()

    def set_theme(self, name: str = "JupyterLab Dark") -> bool:
        """Switch JupyterLab's theme (Settings > Theme); return whether it is a light one."""
        self.page.evaluate("(t) => window.jupyterapp.commands.execute('apputils:change-theme', "
                           "{theme: t})", name)
        self.page.wait_for_function(
            "(t) => document.body.dataset.jpThemeName === t", arg=name, timeout=30_000)
        self.page.wait_for_timeout(500)
        return self.page.evaluate("() => document.body.dataset.jpThemeLight") == "true"

    def figure_pixels(self, index: int = 0) -> dict[str, Any]:
        """The first notebook figure's alt text, its pixels' lowest alpha and its margin's brightness."""
        figure = self.page.locator(".jp-Notebook .jp-OutputArea-output img").nth(index)
        figure.scroll_into_view_if_needed()
        return figure.evaluate("""img => {
          const c = document.createElement('canvas');
          c.width = img.naturalWidth; c.height = img.naturalHeight;
          const g = c.getContext('2d'); g.drawImage(img, 0, 0);
          const d = g.getImageData(0, 0, c.width, c.height).data;
          let alpha = 255, sum = 0, n = 0;
          for (let i = 0; i < d.length; i += 4) {
            alpha = Math.min(alpha, d[i + 3]);
            const x = (i / 4) % c.width, y = Math.floor(i / 4 / c.width);
            if (x < 2 || y < 2 || x >= c.width - 2 || y >= c.height - 2) {   // the margin
              sum += (d[i] + d[i + 1] + d[i + 2]) / 3; n += 1; }
          }
          return {alt: img.alt, minAlpha: alpha, marginBrightness: sum / n,
                  width: c.width, height: c.height};
        }""")

    def image_digests(self, element: Any) -> list[str]:
        """SHA-256 of every image under ``element``."""
        return element.evaluate(_IMAGE_DIGESTS)

    def change_widget(self, css_class: str = "cnncourse-playground", index: int = 0,
                      timeout: float = 30) -> tuple[list, list, str]:
        """Pick another dropdown choice (or nudge a slider) in a widget; wait for its image.

        Returns the image digests before and after, and what was changed.
        """
        found = self.live_widgets(css_class).count()
        if found <= index:
            raise AssertionError(f"{self.notebook}: expected a live .{css_class} widget number "
                                 f"{index}, found {found}.")
        box = self.live_widgets(css_class).nth(index)
        box.scroll_into_view_if_needed()
        name = css_class.removeprefix("cnncourse-")
        before = self.image_digests(box)
        if not before:
            raise AssertionError(f"{self.notebook}: .{css_class} {index} shows no image.")
        self.screenshot(f"{name}{index}-before", box)
        selects = box.locator("select")
        if selects.count():
            select = selects.first
            options = select.evaluate(
                "s => Array.from(s.options).map(o => [o.value, o.textContent.trim()])")
            current = select.input_value()
            others = [(v, t) for v, t in options if v != current]
            # "custom" only switches the kernel editor on; it does not redraw.
            others.sort(key=lambda vt: vt[1].lower() == "custom")
            if not others:
                raise AssertionError(f"{self.notebook}: .{css_class} dropdown has one choice.")
            select.select_option(others[0][0])
            was = next(t for v, t in options if v == current)
            changed = f"dropdown {was!r} -> {others[0][1]!r}"
        else:
            handle = box.locator(".noUi-handle, input[type=range]").first
            handle.focus()
            for _ in range(3):
                handle.press("ArrowRight")
            changed = "slider moved right 3 steps"
        after = self._settled_digests(box, before, timeout)
        self.screenshot(f"{name}{index}-after", box)
        return before, after, changed

    def _settled_digests(self, box: Any, before: list, timeout: float) -> list:
        """Wait for the images under ``box`` to differ from ``before`` and then hold still for a
        second (several queued updates may still be drawing); return their digests."""
        deadline = time.monotonic() + timeout
        last, stable_since = before, None
        while time.monotonic() < deadline:
            now = self.image_digests(box)
            if now != last:
                last, stable_since = now, None
            elif now != before:
                stable_since = stable_since or time.monotonic()
                if time.monotonic() - stable_since >= 1.0:
                    break
            self.page.wait_for_timeout(200)
        return last

    def change_playground(self, index: int = 0, timeout: float = 30) -> tuple[list, list, str]:
        """Pick another kernel in a ``cnncourse-playground``; see :meth:`change_widget`."""
        return self.change_widget("cnncourse-playground", index, timeout)

    # Evidence --------------------------------------------------------------------------------
    def screenshot(self, what: str, element: Any = None) -> Path:
        """Save a PNG of the page (or of ``element``) as ``<notebook>-<what>.png``."""
        path = self.shots / f"{self.stem}-{what}.png"
        try:
            (element or self.page).screenshot(path=str(path))
        except Exception as exc:  # noqa: BLE001 - a screenshot must never hide the real failure
            print(f"screenshot {path.name} failed: {exc}")
        return path

    def screenshot_notebook(self, what: str, max_height: int = 16000) -> Path:
        """Save the whole notebook as one tall PNG (the viewport grows to fit, then shrinks)."""
        size = self.page.viewport_size
        height = self.page.evaluate(
            "() => { const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')"
            " || document.querySelector('.jp-NotebookPanel-notebook');"
            " s.scrollTop = 0; return s.scrollHeight; }")
        self.page.set_viewport_size({"width": size["width"],
                                     "height": int(min(max_height, height + 200))})
        self.page.wait_for_timeout(300)
        try:
            return self.screenshot(what)
        finally:
            self.page.set_viewport_size(size)

    def screenshot_first_figure(self, what: str = "figure") -> Path | None:
        """Save the first figure that is a cell output (not inside a widget), if any."""
        # A course figure arrives as HTML (an <img> with alt text) next to its PNG.
        figure = self.page.locator(".jp-OutputArea-output[data-mime-type='image/png'], "
                                   ".jp-OutputArea-output[data-mime-type='text/html']"
                                   ":has(> img.cnncourse-figure)").first
        if not figure.count():
            return None
        figure.scroll_into_view_if_needed()
        return self.screenshot(what, figure)

    def scroll_to(self, selector: str) -> None:
        """Scroll the notebook so the first element matching ``selector`` is in view."""
        target = self.page.locator(selector).first
        if target.count():
            target.scroll_into_view_if_needed()

    # Helpers ---------------------------------------------------------------------------------
    def _wait(self, ok: Any, timeout: float, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = self.state()
            if ok(state):
                return state
            time.sleep(0.25)
        raise TimeoutError(f"{self.notebook}: timed out after {timeout:.0f} s waiting for "
                           f"{what}; state {state}. Server log:\n{self.server.log_tail(2000)}")


def problems(cells: list[dict[str, Any]], images: list[dict[str, Any]]) -> list[str]:
    """Everything in a finished run that a learner would see as broken."""
    found = []
    for cell in cells:
        if cell["type"] != "code":
            continue
        where = f"cell {cell['index']} ({cell['source'][:60]!r})"
        if cell["count"] is None:
            found.append(f"{where} did not run (no execution count)")
        for out in cell["outputs"]:
            if out["type"] == "error":
                found.append(f"{where} raised {out['ename']}: {out['evalue']}\n"
                             f"{_strip_ansi(out['traceback'])}")
            elif out["name"] == "stderr" and "Traceback (most recent call last)" in out["text"]:
                found.append(f"{where} printed a traceback:\n{_strip_ansi(out['text'])}")
        model_widgets = sum(WIDGET_MIME in out["mimes"] for out in cell["outputs"])
        dom_widgets = cell["domKinds"].count("widget") + cell["domKinds"].count("empty")
        if model_widgets != dom_widgets:
            found.append(f"{where} has {model_widgets} widget outputs but {dom_widgets} rendered "
                         f"as widgets (shown as {cell['domKinds']}): no widget front end?")
        ids = [out["modelId"] for out in cell["outputs"] if out["modelId"]]
        if len(ids) != len(set(ids)):
            found.append(f"{where} shows the same widget twice (a display() plus the cell's "
                         f"return value?); end the line with ';' or return None")
        if WIDGET_FAILURE_TEXT.search(cell["domText"]):
            found.append(f"{where} shows a widget error: {cell['domText'][:300]!r}")
        for line in cell["domText"].splitlines():
            if WIDGET_REPR_TEXT.match(line):
                found.append(f"{where} shows a widget as plain text: {line[:120]!r}")
                break
    for image in images:
        if not image["complete"] or image["width"] == 0 or image["height"] == 0:
            found.append(f"an image did not load: {image}")
        elif image["blank"]:
            found.append(f"an image is one flat colour (blank figure?): {image}")
    return found


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
