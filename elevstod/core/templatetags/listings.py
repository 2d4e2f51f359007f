"""`{% table %}` and `{% list %}`: a list of records, or a sentence saying there are none.

Most pages show records as a table (a caption or a heading that labels it, a head row of column
headers with `scope="col"`, the rows in a `tbody`) or as a bulleted list, and say in a sentence
when there is nothing to show. The pages used to spell that out by hand, each in its own way;
these tags keep it in one place, so that a table cannot lose its caption or its header scopes,
and each page says only what differs: the columns, the caption and how one record looks.

    {% load listings %}
    {% table _("Dag") _("Vad") for entry in history hidden_caption=_("Historik") empty=_("Inget") %}
      <tr><td>{{ entry.day }}</td><th scope="row">{{ entry.label }}</th></tr>
    {% endtable %}

renders, when `history` has rows,

    <table><caption class="visually-hidden">Historik</caption>
    <thead><tr><th scope="col">Dag</th><th scope="col">Vad</th></tr></thead>
    <tbody><tr>…</tr><tr>…</tr></tbody></table>

and `<p>Inget</p>` when it has none. (A tag, like every Django tag, stands on one line.) Its
arguments, in this order:
- one label per column (write `_("…")`, so that makemessages finds the text; a variable is
  escaped as `{{ }}` would). A label that is empty leaves its column out: a column that only
  some readers see gets its label from `{% translate "…" as label %}` inside an `{% if %}`;
- optionally `for row in rows` (or `for a, b in pairs`): the body is then one row, repeated as
  `{% for %}` repeats it (with `forloop`); an `{% empty %}` part stands in the tbody when there
  are no rows, as in `{% for %}`. Without `for`, the body is the whole of the tbody;
- by name, each at most once: `caption` (seen by everyone), `hidden_caption` (for screen
  readers, where a visible heading already names the table), `labelledby` (the id of that
  heading, as `aria-labelledby`), `css_class`, and `empty` (needs `for`): the sentence shown
  instead of the table when there are no rows.

    {% list for report in reports empty=_("Inga rapporter att visa.") %}
      <li>{{ report.author.display_name }}</li>
    {% endlist %}

is the same for a bulleted list: `<ul><li>…</li>…</ul>`, or the sentence. It takes `for` (always),
an `{% empty %}` part (an item in the list), and by name `empty`, `css_class`, `labelledby`,
`ordered` (true for a numbered list, `<ol>`) and `reversed` (true to number it downwards).
"""

from collections.abc import Sized
from typing import Any, cast

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.template.defaulttags import ForNode
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

TABLE_OPTIONS = ("caption", "hidden_caption", "labelledby", "css_class", "empty")
LIST_OPTIONS = ("labelledby", "css_class", "empty", "ordered", "reversed")
# Where the rows, resolved once, wait for the loop (not a name a template can write).
ROWS_KEY = "elevstod.core.listings rows"


class _ResolvedRows:
    """The loop's sequence: the rows the tag has already resolved, so that a queryset or a
    method call is evaluated once, not once to test for emptiness and again to loop."""

    def resolve(self, context: Context, ignore_failures: bool = False) -> Any:
        return context[ROWS_KEY]


class RowLoop:
    """`for row in rows` with its body and its `{% empty %}` part, as `{% for %}` has them."""

    def __init__(
        self, names: list[str], rows: FilterExpression, body: NodeList, no_rows: NodeList | None
    ) -> None:
        self.rows = rows
        # ForNode only calls resolve() on its sequence, which _ResolvedRows provides.
        self.loop = ForNode(names, cast(FilterExpression, _ResolvedRows()), False, body, no_rows)

    def resolve(self, context: Context) -> Sized:
        rows = self.rows.resolve(context, ignore_failures=True) or []
        return rows if isinstance(rows, Sized) else list(rows)

    def render(self, context: Context, rows: Sized) -> str:
        with context.push({ROWS_KEY: rows}):
            return self.loop.render(context)


class TableNode(template.Node):
    def __init__(
        self,
        columns: list[FilterExpression],
        options: dict[str, FilterExpression],
        body: NodeList,
        row_loop: RowLoop | None,
    ) -> None:
        self.columns = columns
        self.options = options
        self.body = body
        self.row_loop = row_loop

    def render(self, context: Context) -> SafeString:
        option = {name: value.resolve(context) for name, value in self.options.items()}
        tbody: str
        if self.row_loop is None:
            tbody = self.body.render(context)
        else:
            rows = self.row_loop.resolve(context)
            if not rows and "empty" in option:
                return format_html("<p>{}</p>", option["empty"])
            tbody = self.row_loop.render(context, rows)
        labels = [column.resolve(context) for column in self.columns]
        return format_html(
            "<table{}{}>{}<thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            _attribute("class", option.get("css_class")),
            _attribute("aria-labelledby", option.get("labelledby")),
            _caption(option),
            format_html_join(
                "", '<th scope="col">{}</th>', ((label,) for label in labels if label)
            ),
            tbody,
        )


class ListNode(template.Node):
    def __init__(self, options: dict[str, FilterExpression], row_loop: RowLoop) -> None:
        self.options = options
        self.row_loop = row_loop

    def render(self, context: Context) -> SafeString:
        option = {name: value.resolve(context) for name, value in self.options.items()}
        items = self.row_loop.resolve(context)
        if not items and "empty" in option:
            return format_html("<p>{}</p>", option["empty"])
        element = "ol" if option.get("ordered") else "ul"
        return format_html(
            "<{}{}{}{}>{}</{}>",
            element,
            _attribute("class", option.get("css_class")),
            _attribute("aria-labelledby", option.get("labelledby")),
            " reversed" if option.get("reversed") else "",
            self.row_loop.render(context, items),
            element,
        )


def _attribute(name: str, value: object) -> SafeString | str:
    return format_html(' {}="{}"', name, value) if value is not None else ""


def _caption(option: dict[str, Any]) -> SafeString | str:
    if "caption" in option:
        return format_html("<caption>{}</caption>", option["caption"])
    if "hidden_caption" in option:
        return format_html(
            '<caption class="visually-hidden">{}</caption>', option["hidden_caption"]
        )
    return ""


@register.tag("table")
def do_table(parser: Parser, token: Token) -> TableNode:
    bits = token.split_contents()[1:]
    columns: list[FilterExpression] = []
    while bits and bits[0] != "for" and not _is_option(bits[0]):
        columns.append(parser.compile_filter(bits.pop(0)))
    if not columns:
        raise template.TemplateSyntaxError("{% table %} needs at least one column label")
    loop = None
    if bits and bits[0] == "for":
        names, rows, bits = _loop_words(parser, bits)
        loop = (names, rows)
    options = _options(parser, "table", TABLE_OPTIONS, bits)
    if "caption" in options and "hidden_caption" in options:
        raise template.TemplateSyntaxError("{% table %} takes caption or hidden_caption, not both")
    if "empty" in options and loop is None:
        raise template.TemplateSyntaxError("{% table %}: empty= needs 'for row in rows'")
    body, no_rows = _body(parser, "table", options, with_empty_part=loop is not None)
    row_loop = RowLoop(*loop, body, no_rows) if loop else None
    return TableNode(columns, options, body, row_loop)


@register.tag("list")
def do_list(parser: Parser, token: Token) -> ListNode:
    bits = token.split_contents()[1:]
    if not bits or bits[0] != "for":
        raise template.TemplateSyntaxError("{% list %} starts with 'for item in items'")
    names, items, bits = _loop_words(parser, bits)
    options = _options(parser, "list", LIST_OPTIONS, bits)
    body, no_items = _body(parser, "list", options, with_empty_part=True)
    return ListNode(options, RowLoop(names, items, body, no_items))


def _loop_words(parser: Parser, bits: list[str]) -> tuple[list[str], FilterExpression, list[str]]:
    """`for row in rows` or `for a, b in pairs`, read as `{% for %}` reads them; returns the
    loop variables, the rows and the words after them."""
    in_index = bits.index("in") if "in" in bits else len(bits)
    names = [name.strip() for name in " ".join(bits[1:in_index]).split(",")]
    if in_index + 1 >= len(bits) or not all(name.isidentifier() for name in names):
        raise template.TemplateSyntaxError("write the rows as 'for row in rows'")
    return names, parser.compile_filter(bits[in_index + 1]), bits[in_index + 2 :]


def _body(
    parser: Parser, tag: str, options: dict[str, FilterExpression], *, with_empty_part: bool
) -> tuple[NodeList, NodeList | None]:
    """The body up to `{% end<tag> %}`, and the `{% empty %}` part, if there is one."""
    end = f"end{tag}"
    body = parser.parse(("empty", end))
    if parser.next_token().contents != "empty":
        return body, None
    if not with_empty_part or "empty" in options:
        raise template.TemplateSyntaxError(
            f"{{% {tag} %}}: an {{% empty %}} part needs 'for row in rows' and no empty="
        )
    no_rows = parser.parse((end,))
    parser.delete_first_token()
    return body, no_rows


def _is_option(bit: str) -> bool:
    name, equals, _value = bit.partition("=")
    return bool(equals) and name.isidentifier()


def _options(
    parser: Parser, tag: str, allowed: tuple[str, ...], bits: list[str]
) -> dict[str, FilterExpression]:
    options: dict[str, FilterExpression] = {}
    for bit in bits:
        name, _equals, value = bit.partition("=")
        if not _is_option(bit) or name not in allowed:
            raise template.TemplateSyntaxError(
                f"{{% {tag} %}}: {bit!r} is not one of {', '.join(allowed)} given by name"
            )
        if name in options:
            raise template.TemplateSyntaxError(f"{{% {tag} %}} got {name!r} twice")
        options[name] = parser.compile_filter(value)
    return options
