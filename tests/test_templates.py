"""The template layer's own helpers: how templates call functions, and the star chart's geometry."""

from __future__ import annotations

from types import SimpleNamespace

import jinja2

from site_builder.render import charts
from site_builder.render.templates import _Context


def _env() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True)
    env.context_class = _Context
    return env


def test_template_calls_follow_jinja_rules():
    """Plain functions and macros are called as they are; functions that ask for the context, the eval
    context or the environment still get it, in and outside loops."""
    @jinja2.pass_context
    def who(ctx):
        return ctx["name"]

    @jinja2.pass_environment
    def autoescaping(environment):
        return environment.autoescape

    @jinja2.pass_eval_context
    def volatile(eval_ctx):
        return eval_ctx.volatile

    class Greeter:
        @jinja2.pass_context
        def __call__(self, ctx, greeting):
            return f"{greeting} {ctx['name']}"

    source = ("{% macro m(a) %}<{{ a }}>{% endmacro %}"
              "{{ who() }} {{ twice(2) }} {{ autoescaping() }} {{ volatile() }} {{ greet('hi') }} {{ m('x&') }}"
              "{% for i in [1, 2] %} {{ twice(i) }}{{ who() }}{{ m(i) }}{% endfor %}"
              "{% set name = 'block' %}{{ who() }}"
              "{% autoescape false %}{{ m('<i>') }}{% endautoescape %}")
    out = []
    for env in (_env(), jinja2.Environment(autoescape=True)):  # ours, and Jinja2's own context
        env.globals.update(who=who, twice=lambda x: x * 2, autoescaping=autoescaping, volatile=volatile,
                           greet=Greeter())
        out.append(env.from_string(source).render(name="n"))
    assert out[0] == out[1] == "n 4 True False hi n <x&amp;> 2n<1> 4n<2>block<&lt;i&gt;>"


def test_a_callable_that_stops_iteration_is_undefined():
    env = _env()

    def stops():
        raise StopIteration

    env.globals["stops"] = stops
    assert env.from_string("[{{ stops() }}]").render() == "[]"


def test_star_chart_geometry():
    """320 × 132 with the plot 278 wide and 96 high from (30, 10); one decimal everywhere."""
    changes = [SimpleNamespace(before=0, after=3, status="active", reason="batch_commend"),
               SimpleNamespace(before=3, after=5, status="revoked", reason="revoked_month")]
    g = charts.star_chart(changes)
    assert g.grid == ((0, "106.0"), (1, "86.8"), (2, "67.6"), (3, "48.4"), (4, "29.2"), (5, "10.0"))
    assert g.line == "M30.0 106.0 H169.0 V48.4 H308.0 V10.0"
    assert g.marks == (charts.Mark("commended", "169.0", "48.4"), charts.Mark("revoked", "303.0", "101.0"))
    assert (g.width, g.height, g.left, g.right, g.bottom) == (320, 132, 30, 308, 126)
    assert charts.star_chart([]).line == "M30.0 106.0"


def test_output_and_attributes_as_jinja_writes_them():
    """The renderer's environment writes `{{ value }}` without a Markup for each value and looks a dict's
    `.name` up as an item first: every page comes out as Jinja2's own environment writes it."""
    from markupsafe import Markup

    from site_builder.content.schema import Rec
    from site_builder.render import templates

    class Loose(dict):  # (instances have a __dict__: attributes first, as Jinja2 does)
        pass

    loose = Loose(name="item")
    loose.name = "attribute"
    rec = Rec({"phone": "<110>", "items": "an item called items"})
    source = (
        "{% macro m(a) %}<{{ a }}>{% endmacro %}{% macro w() %}[{{ caller() }}]{% endmacro %}"
        "{{ s }}|{{ mk }}|{{ n }}|{{ -n }}|{{ f }}|{{ b }}|{{ none }}|{{ lst }}|{{ m(s) }}|{{ m(mk) }}"
        "|{% set block %}{{ s }}<i>{% endset %}{{ block }}|{{ s ~ mk }}|{{ s | e }}|{{ s | safe }}"
        "|{% filter upper %}{{ s }}{% endfilter %}|{% call w() %}{{ s }}&{% endcall %}"
        "|{{ d.name }}|{{ d.get('name') }}|{{ d.items() | list }}|{{ d.missing is defined }}"
        "|{{ rec.phone }}|{{ rec.items is callable }}|{{ rec.path is defined }}|{{ loose.name }}"
        "|{% autoescape false %}{{ s }}{% endautoescape %}|{{ [s, mk] | join(', ') }}")
    values = dict(s="<a href=\"x\">'&'</a>", mk=Markup("<b>safe</b>"), n=42, f=1.5, b=True, none=None,
                  lst=["<"], d={"name": "<name>"}, rec=rec, loose=loose)
    ours = templates._Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    theirs = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    written = [env.from_string(source).render(**values) for env in (ours, theirs)]
    assert written[0] == written[1]
    assert "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;" in written[0]
    assert "|&lt;110&gt;|True|False|attribute|" in written[0]
    template = ours.from_string("{{ s }}")
    if templates._escape_text is not None:  # (MarkupSafe 3): the faster output is the one in use
        assert template.root_render_func.__globals__["escape"] is templates._output
    for env in (ours, theirs):  # an undefined value or key still stops the page
        for bad in ("{{ nothing }}", "{{ d.missing }}", "{{ rec.missing }}", "{{ d.missing.deeper }}"):
            try:
                env.from_string(bad).render(**values)
            except jinja2.UndefinedError:
                continue
            raise AssertionError(f"{bad} rendered")


def test_plain_translations_are_written_when_the_template_is_compiled():
    """`t('key')` with a literal key and nothing else is the translated text from the template's compilation on
    (escaped as at render time); a call with values, a key the translations lack, a text that is not a string,
    `.t(...)`, and every `t` of a template that binds the name itself are left to run at render time."""
    from site_builder.render import templates

    strings = {"hello": "你好 <&>", "n": 3, "fmt": "{n} 个"}
    calls = []

    def t(key, **values):
        calls.append(key)
        text = strings[key]
        return text.format(**values) if values else text

    def env(folding: bool) -> jinja2.Environment:
        e = templates._Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                   extensions=[templates._Translations] if folding else [])
        e.translations = strings
        e.globals.update(t=t, obj=SimpleNamespace(t=lambda key: f"attr {key}"))
        return e

    source = ("{{ t('hello') }}|{{ t( 'hello' ) | length }}|{% set x = t('hello') ~ '!' %}{{ x }}|{{ t('n') }}"
              "|{{ t('fmt', n=2) }}|{{ obj.t('hello') }}|{% if t('hello') %}yes{% endif %}")
    written = []
    for folding in (True, False):
        calls.clear()
        written.append(env(folding).from_string(source).render())
        if folding:
            assert calls == ["n", "fmt"]  # (the other t('hello') were text already)
    assert written[0] == written[1] == "你好 &lt;&amp;&gt;|6|你好 &lt;&amp;&gt;!|3|2 个|attr hello|yes"
    for bound in ("{% set t = obj.t %}{{ t('hello') }}", "{% macro t(k) %}m{{ k }}{% endmacro %}{{ t('hello') }}",
                  "{% for t in [obj.t] %}{{ t('hello') }}{% endfor %}",
                  "{% macro m(t) %}{{ t('hello') }}{% endmacro %}{{ m(obj.t) }}"):
        assert env(True).from_string(bound).render() == env(False).from_string(bound).render(), bound
        assert "你好" not in env(True).from_string(bound).render()
    try:
        env(True).from_string("{{ t('missing') }}").render()
    except KeyError:
        pass
    else:
        raise AssertionError("a missing key rendered")


def test_compiled_templates_are_read_back_once_a_process_while_their_source_is_the_same(tmp_path, monkeypatch):
    """Each build (each of serve's rebuilds) makes a new environment; a template's compiled code is read from the
    build cache once a process and then taken as it is while the template's source is the same. A changed source
    is compiled again, never answered by the code of the old one."""
    from site_builder.incremental.cache import Cache
    from site_builder.incremental.rendering import TemplateCode

    cache = Cache.for_site(tmp_path)
    sources = {"page.html": "<p>{{ x }}</p>"}
    compiled = []

    def environment():
        env = jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=TemplateCode(cache, "k"))
        real = env.compile

        def compile(*args, **kwargs):
            compiled.append(args[0])
            return real(*args, **kwargs)
        env.compile = compile
        return env

    assert environment().get_template("page.html").render(x=1) == "<p>1</p>"
    assert len(compiled) == 1 and len(cache.section("templates")) == 1
    unmarshalled = []
    real_load = jinja2.bccache.Bucket.bytecode_from_string
    monkeypatch.setattr(jinja2.bccache.Bucket, "bytecode_from_string",
                        lambda bucket, data: (unmarshalled.append(1), real_load(bucket, data))[1])
    for n in range(3):
        assert environment().get_template("page.html").render(x=n) == f"<p>{n}</p>"
    assert len(compiled) == 1 and len(unmarshalled) == 0  # (the code this process compiled: held since)
    sources["page.html"] = "<b>{{ x }}</b>"
    assert environment().get_template("page.html").render(x=2) == "<b>2</b>"
    assert len(compiled) == 2  # (the old code, read back from the cache's section, is another source's)
    unmarshalled.clear()
    cache.held.clear()  # (a new process: read from the cache's section once, then held)
    for n in range(2):
        assert environment().get_template("page.html").render(x=n) == f"<b>{n}</b>"
    assert len(compiled) == 2 and len(unmarshalled) == 1
