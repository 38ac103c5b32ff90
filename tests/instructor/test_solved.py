"""Solved notebooks come from one source: student stubs + the lesson modules' references.

The student notebooks hold no solutions; ``cnncourse-instructor notebooks --solved`` fills every
exercise with its reference. tests/notebooks/test_notebooks.py executes the references in each notebook
and checks that every check says "Correct".
"""

import ast
import inspect
import textwrap
from pathlib import Path

import nbformat
import pytest

from cnncourse_instructor import notebooks as nbs
from cnncourse_instructor import solved as sol

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WITH_EXERCISES = [p for p in NOTEBOOKS if nbs.exercises(nbs.read_notebook(p))]


def _body_without_docstring(func: ast.FunctionDef) -> list[ast.stmt]:
    body = func.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                    ast.Constant):
        body = body[1:]
    return body


def _raises_not_implemented(func: ast.FunctionDef) -> bool:
    body = _body_without_docstring(func)
    return len(body) == 1 and isinstance(body[0], ast.Raise) and \
        "NotImplementedError" in ast.unparse(body[0])


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=[p.stem for p in WITH_EXERCISES])
def test_student_notebook_holds_stubs_not_solutions(path):
    nb = nbs.read_notebook(path)
    lesson = nbs.lesson_name(nb)
    functions = []  # every function body defined anywhere in the notebook, normalised
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.source.lstrip().startswith(("%", "!")):
            functions += [ast.unparse(ast.Module(_body_without_docstring(f), []))
                          for f in ast.walk(ast.parse(cell.source))
                          if isinstance(f, ast.FunctionDef)]
    for ex in nbs.exercises(nb):
        assert _raises_not_implemented(ex.node), (
            f"{path.name}: exercise {ex.name} must only raise NotImplementedError('Hint: ...')")
        # The hint is a comment above the raise line, so it stays when the learner replaces it.
        cell_lines = nb.cells[ex.index].source.splitlines()
        above = cell_lines[ex.node.lineno:ex.node.body[-1].lineno - 1]
        assert any(line.strip().startswith("# Hint:") for line in above), (
            f"{path.name}: {ex.name}'s stub needs a '# Hint: ...' comment above its raise line")
        ref = ast.parse(nbs.reference_source(lesson, ex.name)).body[0]
        solution = ast.unparse(ast.Module(_body_without_docstring(ref), []))
        assert solution not in functions, (
            f"{path.name}: a cell defines a function with the reference body of {ex.name}")


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=[p.stem for p in WITH_EXERCISES])
def test_every_exercise_has_a_matching_reference_and_check(path):
    import importlib

    nb = nbs.read_notebook(path)
    lesson = nbs.lesson_name(nb)
    checks = importlib.import_module(f"cnncourse.lessons.{lesson}").check
    later = [c.source for c in nb.cells if c.cell_type == "code"]
    for ex in nbs.exercises(nb):
        ref = nbs.reference(lesson, ex.name)
        student = [a.arg for a in ex.node.args.args]
        assert list(inspect.signature(ref).parameters)[: len(student)] == student, (
            f"{path.name}: {ex.name} has parameters {student}, the reference has "
            f"{list(inspect.signature(ref).parameters)}")
        assert getattr(checks, ex.name).reference is ref
        assert any(f"check.{ex.name}()" in s for s in later), (
            f"{path.name}: no cell runs check.{ex.name}()")


def test_solved_copies_hold_the_reference_source(tmp_path):
    if not WITH_EXERCISES:
        pytest.skip("no notebook has exercises yet")
    written = sol.write_solved(tmp_path, ROOT / "notebooks")
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    for path in WITH_EXERCISES:
        student, solved = nbs.read_notebook(path), nbs.read_notebook(tmp_path / path.name)
        lesson = nbs.lesson_name(student)
        assert len(student.cells) == len(solved.cells)
        assert "Instructor copy with solutions" in solved.cells[0].source
        for ex in nbs.exercises(solved):
            ref = textwrap.dedent(inspect.getsource(nbs.reference(lesson, ex.name)))
            assert ref.strip() in solved.cells[ex.index].source
            assert not _raises_not_implemented(ex.node)
            compile(solved.cells[ex.index].source, f"{path.name}[{ex.index}]", "exec")
        # every other cell is untouched
        changed = {ex.index for ex in nbs.exercises(student)} | {0}
        for i, (a, b) in enumerate(zip(student.cells, solved.cells)):
            if i not in changed:
                assert a.source == b.source


def _notebook(folder, name, cells, lesson="overview"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name[:2]} · T"),
                nbformat.v4.new_code_cell(f"from cnncourse.lessons.{lesson} import check")] + [
        nbformat.v4.new_code_cell(src, metadata={"tags": ["exercise"]} if tag else {})
        for src, tag in cells]
    nbformat.write(nb, Path(folder) / name)


def test_missing_reference_module_is_a_clear_error(tmp_path):
    _notebook(tmp_path, "97_nothing.ipynb", [("def f(x):\n    raise NotImplementedError", 1)],
              lesson="no_such_lesson")
    with pytest.raises(LookupError, match=r"no lesson module cnncourse\.lessons\.no_such_lesson"):
        sol.write_solved(tmp_path / "out", tmp_path)


def test_notebook_without_a_lesson_import_is_a_clear_error(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 95 · T"),
                nbformat.v4.new_code_cell("def f(x):\n    raise NotImplementedError",
                                          metadata={"tags": ["exercise"]})]
    nbformat.write(nb, tmp_path / "95_t.ipynb")
    with pytest.raises(LookupError, match="expected exactly one lesson import"):
        sol.write_solved(tmp_path / "out", tmp_path)


def test_missing_reference_function_is_a_clear_error(tmp_path):
    _notebook(tmp_path, "00_x.ipynb", [("def no_such_exercise(x):\n    raise NotImplementedError",
                                        1)])
    with pytest.raises(LookupError, match="has no function 'no_such_exercise'"):
        sol.write_solved(tmp_path / "out", tmp_path)


def test_exercise_cell_must_define_exactly_one_function(tmp_path):
    _notebook(tmp_path, "00_y.ipynb", [("def a():\n    pass\n\ndef b():\n    pass", 1)])
    with pytest.raises(ValueError, match="exactly one function, found 2"):
        sol.write_solved(tmp_path / "out", tmp_path)


def test_solved_cell_keeps_the_rest_of_the_cell_and_adds_needed_imports():
    source = ("# Fill me in\n"
              "def pixel_count(height, width, channels):\n"
              "    raise NotImplementedError('Hint: multiply')\n\n"
              "print(pixel_count(2, 2, 3))")
    solved = sol.solved_source(source, "overview")
    namespace = {}
    exec(solved, namespace)
    assert solved.startswith("# Fill me in\n") and solved.endswith("print(pixel_count(2, 2, 3))")
    assert namespace["pixel_count"](32, 32, 3) == 3072


def test_nbgrader_export_wraps_the_reference_body_and_keeps_the_hint(tmp_path):
    source = ('def pixel_count(height, width, channels):\n'
              '    """Count."""\n'
              '    raise NotImplementedError("Hint: multiply the three sizes")')
    out = sol.nbgrader_source(source, "overview")
    lines = out.splitlines()
    assert lines[:2] == source.splitlines()[:2]
    begin, end = lines.index("    ### BEGIN SOLUTION"), lines.index("    ### END SOLUTION")
    assert begin < end and "NotImplementedError" not in out
    # the hint stays outside the solution block, so nbgrader's released stub keeps it
    assert "    # Hint: multiply the three sizes" in lines[2:begin]
    namespace = {}
    exec(out, namespace)
    assert namespace["pixel_count"](28, 28, 1) == 784


def test_nbgrader_export_keeps_a_hint_comment_above_the_stub():
    source = ('def pixel_count(height, width, channels):\n'
              '    """Count."""\n'
              '    # Hint: multiply the\n'
              '    #       three sizes\n'
              '    raise NotImplementedError("Replace this line with your code; the hint is above.")')
    lines = sol.nbgrader_source(source, "overview").splitlines()
    begin = lines.index("    ### BEGIN SOLUTION")
    assert lines[2:begin] == ["    # Hint: multiply the", "    #       three sizes"]
    assert "Replace this line" not in "\n".join(lines)


def test_nbgrader_notebooks_mark_solution_and_graded_cells(tmp_path):
    if not WITH_EXERCISES:
        pytest.skip("no notebook has exercises yet")
    sol.write_solved(tmp_path, ROOT / "notebooks", nbgrader=True)
    path = tmp_path / WITH_EXERCISES[0].name
    nb = nbs.read_notebook(path)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    solutions = [m for m in meta if m.get("solution")]
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(solutions) == len(nbs.exercises(nb)) >= 1
    assert graded and all(c.metadata.nbgrader["points"] == 1 for c in graded)
    for ex in nbs.exercises(nb):
        assert "### BEGIN SOLUTION" in nb.cells[ex.index].source
    for cell in graded:
        # the learner's check call stays visible; the assertion is a hidden test, so the
        # released notebook (hidden tests removed) never stops "Run All" at an unsolved exercise
        lines = cell.source.splitlines()
        begin, end = lines.index("### BEGIN HIDDEN TESTS"), lines.index("### END HIDDEN TESTS")
        assert sol.CHECK_CALL.match(lines[begin - 1]) and "assert " in lines[begin + 1]
        released = "\n".join(lines[:begin] + lines[end + 1:])
        assert "assert" not in released


def test_cli_writes_solved_copies_and_reports_missing_references(tmp_path, capsys):
    from cnncourse_instructor import cli

    _notebook(tmp_path, "00_z.ipynb", [("def pixel_count(h, w, c):\n    raise NotImplementedError",
                                        1)])
    assert cli.main(["notebooks", "--dir", str(tmp_path), "--solved", str(tmp_path / "s")]) == 0
    assert "return" in nbs.read_notebook(tmp_path / "s" / "00_z.ipynb").cells[2].source
    _notebook(tmp_path, "96_w.ipynb", [("def f(x):\n    raise NotImplementedError", 1)],
              lesson="lesson96")
    assert cli.main(["notebooks", "--dir", str(tmp_path), "--solved", str(tmp_path / "t")]) == 2
    assert "cnncourse.lessons.lesson96" in capsys.readouterr().err
