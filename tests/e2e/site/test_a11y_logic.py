"""The website's accessibility judgement and fixes, without a browser or a build."""

import importlib.util

from docutils import nodes
from sitecheck import REPO, alt_problem, axe_counts, heading_problems


def _accessible():
    spec = importlib.util.spec_from_file_location("accessible", REPO / "site" / "_ext" /
                                                  "accessible.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_alt_text_must_say_what_a_figure_shows():
    assert alt_problem("") == "has no alt text"
    assert "file name" in alt_problem("_images/1a248f0c9d.png", "http://x/_images/1a248f0c9d.png")
    assert "file name" in alt_problem("1a248f0c9d0e1f2a3b4c")
    assert "too short" in alt_problem("plot")
    assert alt_problem("Confusion matrix of SimpleCNN; rows true class, columns predicted") is None


def test_headings_one_h1_and_no_skipped_level():
    assert heading_problems([{"level": 1, "text": "A"}, {"level": 2, "text": "B"},
                             {"level": 3, "text": "C"}, {"level": 2, "text": "D"}]) == []
    two = heading_problems([{"level": 1, "text": "A"}, {"level": 1, "text": "B"}])
    assert two == ["2 h1 headings (one per page): ['A', 'B']"]
    skip = heading_problems([{"level": 1, "text": "A"}, {"level": 3, "text": "C"}])
    assert skip == ["heading h3 'C' follows h1 (a level skipped)"]


def test_axe_counts_nodes_per_rule():
    found = [{"id": "label", "nodes": [{}, {}]}, {"id": "color-contrast", "nodes": [{}]}]
    assert axe_counts(found) == {"color-contrast": 1, "label": 2}


def test_task_list_checkboxes_get_the_items_text_as_their_name():
    module = _accessible()
    doc = nodes.document(None, None)
    items = nodes.bullet_list()
    for text in ["Baseline first: a small model", 'Be "honest" & careful']:
        raw = nodes.raw("", '<input class="task-list-item-checkbox" disabled="disabled" '
                            'type="checkbox">', format="html")
        item = nodes.list_item("", nodes.paragraph("", "", raw, nodes.Text(" " + text)),
                               classes=["task-list-item"])
        items += item
    doc += items
    module.label_checkboxes(None, doc, "page")
    html = [r.astext() for r in doc.findall(nodes.raw)]
    assert html[0].startswith('<input aria-label="Baseline first: a small model" '), html[0]
    assert 'aria-label="Be &quot;honest&quot; &amp; careful"' in html[1], html[1]
    module.label_checkboxes(None, doc, "page")                    # a second pass changes nothing
    assert [r.astext() for r in doc.findall(nodes.raw)] == html
    assert not any("disabled" in h for h in html), html           # not announced "dimmed"


def test_code_and_output_are_labelled_once():
    module = _accessible()
    body = ('<div class="cell docutils container">\n<div class="cell_input docutils container">\n'
            '<pre>1 + 1</pre></div>\n<div class="cell_output docutils container">\n<pre>2</pre>'
            '</div></div>')
    once = module.label_cells(body)
    assert once.count('role="group" aria-label="Code"') == 1
    assert once.count('role="group" aria-label="Output"') == 1
    assert module.label_cells(once) == once                       # a second pass changes nothing
