"""Stage 4, render: pages → bytes, with Jinja2 (autoescaping on, undefined names are errors).

Content only ever reaches templates as data; it is never compiled as a template. Story HTML is
marked safe only after :mod:`markup` has sanitised it.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Callable

import jinja2
import jinja2.ext
import markupsafe
import yaml
from markupsafe import Markup

from ..digests import digest
from ..errors import Problem
from ..pages import search
from . import charts
from ..content.text import paragraphs  # a text field's paragraphs, lines joined (no space between Chinese)
from ..content.values import tel_href
from ..model.build import Model
from ..pages.web import Page


def default_templates() -> Path:
    """The templates shipped with site-builder (the repository's templates/ folder)."""
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / "base.html").is_file():
        return checkout
    return Path(str(importlib.resources.files("site_builder.templates")))


def template_dirs(site: Path) -> list[Path]:
    dirs = [site / "templates"] if (site / "templates").is_dir() else []
    default = default_templates()
    if not dirs or dirs[0].resolve() != default.resolve():
        dirs.append(default)
    return dirs


OPENING_QUOTES = "“「『‘\"'"
CLOSING_QUOTES = "”」』’\"'"


class TemplateProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.format())
        self.problem = problem


class _Context(jinja2.runtime.Context):
    """Jinja2's template context, with a shorter way for the calls a page makes dozens of times (``t``,
    ``url``, macros): a callable that takes nothing from Jinja2 (no ``pass_context`` and the like, found out
    once for each function, method or class by Jinja2's own rule) is called straight away; anything else
    goes Jinja2's way (the rule is Jinja2 3.1's; tests/test_templates.py holds it to them)."""

    _plain: dict = {}

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja2's own signature
        cls = type(__obj)
        if cls is MethodType:
            key = __obj.__func__
        elif cls is FunctionType:
            key = __obj
        elif cls is jinja2.runtime.Macro:
            key = cls
        elif cls is BuiltinFunctionType:  # (``date.isoformat``, ``list.append`` ...: no attribute can mark them)
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            return __obj(*args, **kwargs)
        else:
            return super().call(__obj, *args, **kwargs)
        how = _Context._plain.get(key)
        if how is None:
            how = _Context._plain[key] = _passes(__obj)
        if how is _OTHER:
            return super().call(__obj, *args, **kwargs)
        if how is _EVAL_CONTEXT:  # (a macro)
            __obj, args = __obj.__call__, (__self.eval_ctx, *args)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


_NOTHING, _EVAL_CONTEXT, _OTHER = "nothing", "eval context", "other"
_EVAL_MARK = jinja2.pass_eval_context(lambda: None).jinja_pass_arg  # (Jinja2's mark, by its public decorator)


def _passes(obj) -> str:
    """What Jinja2 passes when it calls ``obj`` (Context.call: a callable class's ``__call__`` or the object
    itself marked with ``jinja_pass_arg`` gets the context, eval context or environment): nothing, the eval
    context to ``obj.__call__`` (a macro), or something else (left to Jinja2)."""
    on_call = getattr(getattr(obj, "__call__", None), "jinja_pass_arg", None)
    if on_call is None:
        return _NOTHING if getattr(obj, "jinja_pass_arg", None) is None else _OTHER
    return _EVAL_CONTEXT if on_call == _EVAL_MARK else _OTHER


_escape_text = getattr(markupsafe, "_escape_inner", None)  # (MarkupSafe 3: the C escape without the Markup)


def _output(value) -> str:
    """What ``{{ value }}`` writes with autoescaping on: MarkupSafe's ``escape(value)``, as a plain string.

    Jinja2 wraps each value a page writes in a new Markup (1.8 million at 1,000 posts, ~0.35 µs each in
    MarkupSafe's Python ``__new__``) and then joins them into one string; what is written is the same text
    either way, and what a macro, a ``call`` block or a ``set`` block returns is made Markup by Jinja2 from
    the joined text. Anything but a plain string, a Markup or a plain int goes MarkupSafe's own way (an
    undefined value still fails there)."""
    cls = type(value)
    if cls is str:
        return _escape_text(value)
    if cls is Markup:
        return value
    if cls is int:
        return str(value)  # (digits: nothing to escape)
    return markupsafe.escape(value)


class _Template(jinja2.Template):
    """A template whose ``{{ value }}`` output is escaped by :func:`_output`: the name ``escape`` in the
    template's compiled module is only what Jinja2's code generator writes around an output value."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        if _escape_text is not None:
            namespace = template.root_render_func.__globals__
            if namespace.get("escape") is markupsafe.escape:
                namespace["escape"] = _output
        return template


class _Translations(jinja2.ext.Extension):
    """``t('key')``, a translation with a literal key and no values, written as the translated text itself when a
    template is compiled (a Renderer's templates are compiled for its translations and live as long as it does):
    394,000 calls at 1,000 posts, each a call through the context, a dictionary lookup and an escape at every
    page, become text escaped once. A template that binds the name ``t`` itself (``set``, ``for``, a macro's
    name or argument, an import) is left as it is, and so is a key the translations do not have (the call
    then fails at render time, as before) or whose text is not a string."""

    def filter_stream(self, stream):
        strings = getattr(self.environment, "translations", None)
        tokens = list(stream)
        if not strings or not _only_calls_to_t(tokens):
            return tokens
        out, i = [], 0
        while i < len(tokens):
            token = tokens[i]
            if (token.type == "name" and token.value == "t" and i + 3 < len(tokens)
                    and tokens[i + 1].type == "lparen" and tokens[i + 2].type == "string"
                    and tokens[i + 3].type == "rparen" and not (i and tokens[i - 1].type == "dot")
                    and type(strings.get(tokens[i + 2].value)) is str):
                out.append(jinja2.lexer.Token(token.lineno, "string", strings[tokens[i + 2].value]))
                i += 4
                continue
            out.append(token)
            i += 1
        return out


def _only_calls_to_t(tokens: list) -> bool:
    """Whether every ``t`` of the template (not an attribute ``.t``) is a call, and none is a macro's name."""
    for i, token in enumerate(tokens):
        if token.type == "name" and token.value == "t" and not (i and tokens[i - 1].type == "dot"):
            if i + 1 >= len(tokens) or tokens[i + 1].type != "lparen":
                return False
            if i and tokens[i - 1].type == "name" and tokens[i - 1].value == "macro":
                return False
    return True


_MAPPING_NAMES: dict[type, frozenset[str] | None] = {}  # type → its attribute names, None: not a plain mapping
_DICT_GETATTRIBUTE = dict.__getattribute__


def _mapping_names(cls: type) -> frozenset[str] | None:
    """A dict or a dict subclass whose instances have no attributes of their own (no ``__dict__``, no
    ``__getattr__``): every attribute an instance has is a name in its class."""
    names = frozenset(dir(cls))
    return names if issubclass(cls, dict) and "__dict__" not in names and "__getattr__" not in names else None


class _Environment(jinja2.Environment):
    """Jinja2's environment with :class:`_Context`, :class:`_Template`, each template's globals a plain
    dict, and ``obj.name`` on a dict looked up as an item first when the dict has no such attribute.

    Jinja2 makes the globals a ChainMap over the environment's globals, and copies that into a dict for every
    page it renders (and every import in it): ~30 ChainMap lookups a page, a tenth of a print card's time.
    A Renderer sets its globals before it loads any template and never changes them.
    """

    context_class = _Context
    template_class = _Template

    def make_globals(self, d):
        return {**self.globals, **(d or {})}

    def getattr(self, obj, attribute):
        """Jinja2's rule (the attribute, else the item, else undefined), without the AttributeError that a
        dict's ``.name`` raises first (640,000 of them at 1,000 posts: records and view data are dicts)."""
        cls = type(obj)
        names = _MAPPING_NAMES.get(cls, False)
        if names is False:
            names = _MAPPING_NAMES[cls] = _mapping_names(cls)
        if names is not None and attribute not in names and cls.__getattribute__ is _DICT_GETATTRIBUTE:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def load_translations(dirs: list[Path], language: str) -> dict[str, str]:
    """templates/translations.yaml: {language: {key: text}}; a site's file overrides single keys."""
    merged: dict[str, str] = {}
    for folder in reversed(dirs):
        path = folder / "translations.yaml"
        if path.is_file():
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}  # C: 10× faster
            merged.update(data.get(language, {}))
    return merged


class Renderer:
    def __init__(self, site: Path, model: Model):
        self.site, self.model = site, model
        self.dirs = template_dirs(site)
        s = model.settings
        self.strings = load_translations(self.dirs, s.language)
        self.env = _Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a Renderer lives for one build: no stat of every template for every page
            extensions=[_Translations],
        )
        self.env.translations = self.strings
        # what a compiled template holds besides its source: the text of its plain translations (_Translations)
        self.code_key = digest(json.dumps(self.strings, sort_keys=True, default=str).encode()).hex()
        self.env.globals.update(t=self.t, url=self.url, abs_url=self.abs_url, site=s, model=model,
                                lang=s.language, search_enabled=search.enabled(model),
                                include_once=self.include_once, star_chart_geometry=charts.star_chart)
        self._dates: dict[dt.date, str] = {}  # date and month filters: the same few hundred values on every page
        self._months: dict[str, str] = {}
        self._once: dict[str, tuple[Markup, Callable[[], None] | None]] = {}
        # How the incremental core records what a piece read and adds it to each page that shows it
        # (``recorded(make) -> (value, replay)``); without it nothing is recorded.
        self.recorded: Callable[[Callable[[], Markup]], tuple[Markup, Callable[[], None]]] | None = None
        self.env.filters.update(date=self.date, month=self.month, html=self.html, tel=tel_href, num=self.num,
                                quoted=self.quoted, paragraphs=paragraphs)

    # -- helpers the templates call ---------------------------------------------------------------
    def t(self, key: str, **values) -> str:
        try:
            text = self.strings[key]
        except KeyError:
            raise KeyError(f"translation key `{key}` missing for language {self.model.settings.language}") from None
        return text.format(**values) if values else text

    def url(self, path: str) -> str:
        return self.model.settings.base_path + path

    def abs_url(self, path: str) -> str:
        return self.model.settings.base_url + path

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = self.t("date_format", y=value.year, m=value.month, d=value.day,
                                               month_name=self.t(f"month_{value.month}"))
        return text

    def month(self, value: str | None) -> str:
        if not value:
            return ""
        text = self._months.get(value)
        if text is None:
            y, m = int(value[:4]), int(value[5:7])
            text = self._months[value] = self.t("month_format", y=y, m=m, month_name=self.t(f"month_{m}"))
        return text

    @staticmethod
    def num(value: float | None) -> str:
        """A score without needless decimals: 91, 86.5, 84.95."""
        if value is None:
            return ""
        return f"{value:.2f}".rstrip("0").rstrip(".")

    def quoted(self, text: str) -> str:
        """A pledge in quotation marks (``quoted`` of translations.yaml), unless it already starts or ends
        with a quotation mark of its own: “还有什么能帮您”, never ““还有什么能帮您””."""
        text = str(text)
        if text[:1] in OPENING_QUOTES or text[-1:] in CLOSING_QUOTES:
            return text
        return self.t("quoted", text=text)

    @staticmethod
    def html(value: str) -> Markup:
        """Mark HTML that model.markdown.render_markdown has sanitised as safe to insert."""
        return Markup(value)

    def include_once(self, name: str) -> Markup:
        """The template ``name`` rendered with the globals only (the site's header and footer): the same on
        every page of a build, so rendered once a build. Whatever it read of the model is added to every
        page that includes it, so that those pages are rendered again when it changes."""
        found = self._once.get(name)
        if found is None:
            def make() -> Markup:
                return Markup(self.env.get_template(name).render())
            found = self._once[name] = self.recorded(make) if self.recorded is not None else (make(), None)
        value, replay = found
        if replay is not None:
            replay()
        return value

    # -- rendering ----------------------------------------------------------------------------------
    def render(self, page: Page) -> bytes:
        if page.template is None:
            return page.data() if callable(page.data) else page.data
        try:
            template = self.env.get_template(page.template)
            return template.render(page=page, **page.make_context()).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(Problem(self._shown(exc.filename), exc.lineno or 0, 0,
                                          f"模板语法错误：{exc.message}")) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(Problem("templates/" + str(exc.name), 0, 0, "找不到模板文件。")) from None
        except Exception as exc:  # a template bug: name the template line that failed
            filename, line = self._template_frame(exc)
            raise TemplateProblem(Problem(self._shown(filename), line, 0,
                                          f"渲染 {page.output} 时模板出错：{type(exc).__name__}: {exc}")) from None

    def _shown(self, filename: str | None) -> str:
        if not filename:
            return "templates"
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.site.resolve()).as_posix()
        except ValueError:
            return f"(site-builder)/templates/{path.name}"

    @staticmethod
    def _template_frame(exc: BaseException) -> tuple[str | None, int]:
        tb, found = exc.__traceback__, (None, 0)
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if name.endswith((".html", ".xml", ".txt")):
                found = (name, tb.tb_lineno)
            tb = tb.tb_next
        return found
