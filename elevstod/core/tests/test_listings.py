"""The `{% table %}` and `{% list %}` tags (elevstod/core/templatetags/listings.py)."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils.translation import templatize


def render(source: str, **context: object) -> str:
    return Template("{% load listings %}" + source).render(Context(context))


class CountingRows:
    """Rows behind a method, counting how often a template asks for them."""

    def __init__(self, rows: list[str]) -> None:
        self._rows = rows
        self.calls = 0

    def all(self) -> list[str]:
        self.calls += 1
        return self._rows


def test_a_table_has_its_caption_column_headers_and_one_row_per_record() -> None:
    html = render(
        '{% table _("Dag") _("Vad") for entry in entries hidden_caption=_("Historik") %}'
        '<tr><td>{{ entry.0 }}</td><th scope="row">{{ entry.1 }}</th></tr>{% endtable %}',
        entries=[("2025-01-02", "Anmälan"), ("2025-01-03", "Beslut")],
    )
    assert html == (
        '<table><caption class="visually-hidden">Historik</caption>'
        '<thead><tr><th scope="col">Dag</th><th scope="col">Vad</th></tr></thead><tbody>'
        '<tr><td>2025-01-02</td><th scope="row">Anmälan</th></tr>'
        '<tr><td>2025-01-03</td><th scope="row">Beslut</th></tr>'
        "</tbody></table>"
    )


def test_a_visible_caption_a_labelling_heading_and_a_class() -> None:
    html = render(
        '{% table _("A") caption=_("Synlig") %}{% endtable %}'
        '{% table _("A") labelledby="rubrik" css_class="tasks" %}{% endtable %}'
    )
    assert "<table><caption>Synlig</caption><thead>" in html
    assert '<table class="tasks" aria-labelledby="rubrik"><thead>' in html


def test_labels_from_variables_are_escaped_and_an_empty_label_leaves_its_column_out() -> None:
    html = render('{% table name missing _("Åtgärd") %}{% endtable %}', name="<b>Namn</b>")
    assert (
        '<thead><tr><th scope="col">&lt;b&gt;Namn&lt;/b&gt;</th><th scope="col">Åtgärd</th>'
        "</tr></thead>"
    ) in html


def test_the_empty_sentence_stands_instead_of_the_table_when_there_are_no_rows() -> None:
    source = (
        '{% table _("A") for row in rows empty=_("Inga rader.") %}'
        "<tr><td>{{ row }}</td></tr>{% endtable %}"
    )
    assert render(source, rows=[]) == "<p>Inga rader.</p>"
    assert render(source, rows=None) == "<p>Inga rader.</p>"
    assert "<tbody><tr><td>x</td></tr></tbody>" in render(source, rows=["x"])


def test_an_empty_part_stands_in_the_tbody_as_in_a_for_loop() -> None:
    source = (
        '{% table _("A") for row in rows %}<tr><td>{{ row }}</td></tr>'
        '{% empty %}<tr><td colspan="1">Inga.</td></tr>{% endtable %}'
    )
    assert '<tbody><tr><td colspan="1">Inga.</td></tr></tbody>' in render(source, rows=[])


def test_without_for_the_body_is_the_whole_tbody() -> None:
    html = render(
        '{% table _("A") %}{% for x in xs %}<tr><td>{{ x }}</td></tr>{% endfor %}{% endtable %}',
        xs=[1],
    )
    assert html.endswith("<tbody><tr><td>1</td></tr></tbody></table>")


def test_rows_are_asked_for_once_and_the_loop_has_forloop_and_unpacking() -> None:
    rows = CountingRows(["a", "b"])
    html = render(
        '{% table _("Nr") for row in rows.all empty=_("Inga") %}'
        "<tr><td>{{ forloop.counter }}{{ row }}</td></tr>{% endtable %}"
        '{% table _("A") _("B") for key, value in pairs %}'
        "<tr><td>{{ key }}={{ value }}</td></tr>{% endtable %}",
        rows=rows,
        pairs=[("x", 1)],
    )
    assert rows.calls == 1
    assert "<td>1a</td>" in html
    assert "<td>2b</td>" in html
    assert "<td>x=1</td>" in html


def test_the_loop_variable_does_not_outlive_the_table() -> None:
    html = render(
        '{% table _("A") for row in rows %}{% endtable %}[{{ row }}]', rows=["x"], row="own"
    )
    assert html.endswith("[own]")


def test_a_list_or_its_empty_sentence() -> None:
    source = '{% list for item in items empty=_("Inget ännu.") %}<li>{{ item }}</li>{% endlist %}'
    assert render(source, items=["a", "b"]) == "<ul><li>a</li><li>b</li></ul>"
    assert render(source, items=[]) == "<p>Inget ännu.</p>"
    numbered = (
        '{% list for item in items ordered=True css_class="timeline" labelledby="h" %}'
        "<li>{{ item }}</li>{% endlist %}"
    )
    assert (
        render(numbered, items=["a"]) == '<ol class="timeline" aria-labelledby="h"><li>a</li></ol>'
    )
    with_part = (
        "{% list for item in items %}<li>{{ item }}</li>{% empty %}<li>Inga.</li>{% endlist %}"
    )
    assert render(with_part, items=[]) == "<ul><li>Inga.</li></ul>"


@pytest.mark.parametrize(
    "source",
    [
        "{% table %}{% endtable %}",
        '{% table _("A") title="x" %}{% endtable %}',
        '{% table _("A") caption="x" hidden_caption="y" %}{% endtable %}',
        '{% table _("A") caption="x" caption="y" %}{% endtable %}',
        '{% table _("A") empty="x" %}{% endtable %}',
        '{% table _("A") %}{% empty %}{% endtable %}',
        '{% table _("A") for row in rows empty="x" %}{% empty %}{% endtable %}',
        '{% table _("A") for row rows %}{% endtable %}',
        '{% table _("A") caption="x" _("B") %}{% endtable %}',
        "{% list items %}{% endlist %}",
        '{% list for item in items caption="x" %}{% endlist %}',
    ],
)
def test_mistakes_are_caught_when_the_template_is_read(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        render(source)


def test_makemessages_finds_the_labels_captions_and_sentences() -> None:
    found = templatize(
        '{% load listings %}{% table _("Dag") for a in b hidden_caption=_("Historik") '
        'empty=_("Inget ännu.") %}{% endtable %}{% list for a in b empty=_("Inga.") %}{% endlist %}'
    )
    for text in ("Dag", "Historik", "Inget ännu.", "Inga."):
        assert f'_("{text}")' in found
