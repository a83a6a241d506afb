"""YAML and JSON text to plain Python values, the way Kubernetes reads them.

Speed matters here (a scan of 10,000 resources should cost little more than
parsing them), so documents are composed by libyaml (``yaml.CSafeLoader``) and
the node tree is turned into dicts, lists and scalars by the small functions
below instead of PyYAML's generic constructor.  They do less work than
``SafeConstructor`` (no per-node bookkeeping, no generator state machine) and
they apply the Kubernetes reading rules on the way:

* timestamps stay strings (``2026-01-01`` is a string to Kubernetes);
* the bare ``=`` scalar (YAML 1.1 "value" type, seen in some CRDs) and lone
  ``!``/``&``/``*`` plain scalars are strings;
* ``!!binary`` is its base64 text (whitespace removed);
* mapping keys that are not strings become strings (``80`` -> ``"80"``,
  ``true`` -> ``"true"``, ``null`` -> ``"null"``), so results are JSON;
* a mapping key that is itself a mapping or a list is an error (Kubernetes
  rejects it too; ``{{ .Values.x }}: y`` in a Helm template is the usual case);
* unknown tags (``!Ref``, ``!!python/object``) are ignored: the node is read as
  if untagged, so nothing but plain data is ever built;
* merge keys (``<<``) and anchors/aliases work as in PyYAML.

Limits that protect the rest of the pipeline, each raised as DocumentError:
nesting deeper than ``MAX_DEPTH`` containers (the Rust policy engine rejects
JSON deeper than 128 levels) and documents whose aliases expand to more than
``MAX_NODES`` nodes (billion laughs).  The alias check costs nothing for text
without aliases: it runs only when ``may_have_aliases`` says the text has an
alias token, and then counts the expanded size with memoisation over node
identity, so it is linear in the composed document.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from sys import intern
from typing import Any, Iterator


class _CompiledOnFirstUse:
    """A regular expression compiled the first time it is used, then just that pattern."""

    __slots__ = ("_args", "_pattern")

    def __init__(self, *args: Any):
        self._args = args
        self._pattern: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._pattern is None:
            self._pattern = re.compile(*self._args)
        return getattr(self._pattern, name)


@contextmanager
def _yaml_reader_patterns_compiled_on_first_use() -> Iterator[None]:
    """While PyYAML is imported, its pure-Python reader's patterns are made lazy.

    Why: ``yaml.reader`` compiles a character class spanning most of Unicode
    when it is imported, which took 8 ms of every start-up (issue 16, a sixth
    of importing PyYAML), for a reader that libyaml (``CSafeLoader``, all we
    use) never calls.  A pattern still works wherever it is used; only
    ``yaml.reader``'s own calls are deferred, and ``re.compile`` is restored
    right after the import.
    """
    compile_now = re.compile

    def compile(pattern: Any, flags: int = 0) -> Any:  # noqa: A001 (stands in for re.compile)
        if sys._getframe(1).f_globals.get("__name__") == "yaml.reader":
            return _CompiledOnFirstUse(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = compile_now


with _yaml_reader_patterns_compiled_on_first_use():
    import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

MAX_DEPTH = 100
MAX_NODES = 1_000_000

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
BINARY = "tag:yaml.org,2002:binary"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"

# Implicit types Kubernetes does not have: these plain scalars stay strings.
_DROPPED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value", "tag:yaml.org,2002:yaml"}

# First character -> ((tag, regexp), ...), PyYAML's YAML 1.1 table minus _DROPPED.
_IMPLICIT: dict[str, tuple] = {}
for _first, _pairs in Resolver.yaml_implicit_resolvers.items():
    _kept = tuple((tag, rx) for tag, rx in _pairs if tag not in _DROPPED)
    if _kept and _first is not None:
        _IMPLICIT[_first] = _kept

_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}

# Plain scalars that need a regexp to type ("80", "true", "null", "1.5", ...)
# repeat a lot across manifests; remember the answer for short ones.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 50_000


class DocumentError(Exception):
    """A document (or the rest of a file) that could not be read.

    ``reason`` is one human line, ``line`` the 1-based line of the problem when
    known, ``syntax`` whether the text itself is not YAML/JSON (as opposed to a
    limit such as nesting depth), which is what makes a Helm template likely.
    """

    def __init__(self, reason: str, line: int | None = None, *, syntax: bool = True):
        super().__init__(reason)
        self.reason = " ".join(reason.split())  # one line, always
        self.line = line
        self.syntax = syntax


class KubeLoader(yaml.CSafeLoader):
    """libyaml composer with Kubernetes' implicit types (see the module docstring).

    Only ``resolve`` is overridden; it is called by the C composer for every
    node, so it is kept short: most plain scalars ("nginx", "metadata") start
    with a character no implicit type can start with and are strings at once.
    """

    def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML signature
        if kind is ScalarNode:
            if implicit[0]:
                if not value:
                    return NULL
                pairs = _IMPLICIT.get(value[0])
                if pairs is None:
                    return STR
                tag = _RESOLVED.get(value)
                if tag is None:
                    tag = STR
                    for candidate, rx in pairs:
                        if rx.match(value):
                            tag = candidate
                            break
                    if len(value) <= 32 and len(_RESOLVED) < _RESOLVED_MAX:
                        _RESOLVED[value] = tag
                return tag
            return STR
        if kind is MappingNode:
            return MAP
        return SEQ

    # Path resolvers are not used; the C composer still calls these two for
    # every node, so make them C calls that do nothing instead of Python ones.
    descend_resolver = staticmethod({}.get)  # (parent, index) -> index, ignored
    ascend_resolver = staticmethod(tuple)  # () -> (), ignored


# --------------------------------------------------------------------------- scalars

def _yaml_int(value: str) -> int:
    value = value.replace("_", "")
    sign = 1
    if value[0] == "-":
        sign = -1
    if value[0] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:  # sexagesimal, YAML 1.1
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _yaml_float(value: str) -> float:
    value = value.replace("_", "").lower()
    sign = 1.0
    if value[0] == "-":
        sign = -1.0
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    if ":" in value:
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(value)


def _scalar(node: Node):
    tag = node.tag
    value = node.value
    if tag == STR:
        return value
    if tag == INT:
        if value.isdigit() and (value[0] != "0" or len(value) == 1):
            return int(value)
        try:
            return _yaml_int(value)
        except (ValueError, IndexError):
            raise DocumentError(f"invalid YAML at line {node.start_mark.line + 1}: {value!r} is not an integer", node.start_mark.line + 1) from None
    if tag == NULL:
        return None
    if tag == BOOL:
        b = _BOOLS.get(value.lower())
        if b is None:
            raise DocumentError(f"invalid YAML at line {node.start_mark.line + 1}: {value!r} is not a boolean", node.start_mark.line + 1)
        return b
    if tag == FLOAT:
        try:
            return _yaml_float(value)
        except (ValueError, IndexError):
            raise DocumentError(f"invalid YAML at line {node.start_mark.line + 1}: {value!r} is not a number", node.start_mark.line + 1) from None
    if tag == BINARY:
        return "".join(value.split())
    # timestamps, "=", explicit !!str and unknown tags: the text as written
    return value


def _float_key(f: float) -> str:
    if f != f:
        return ".nan"
    if f in (float("inf"), float("-inf")):
        return ".inf" if f > 0 else "-.inf"
    s = repr(f)
    if "e" in s or "E" in s:
        from decimal import Decimal

        s = format(Decimal(s), "f")
    if s.endswith(".0"):
        s = s[:-2]
    return s


def _key_text(node: Node) -> str:
    """A non-string scalar key as the string Kubernetes would make of it."""
    value = _scalar(node)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return _float_key(value)
    return str(value)


def _bad_key(node: Node) -> DocumentError:
    what = "mapping" if node.__class__ is MappingNode else "list"
    line = node.start_mark.line + 1
    return DocumentError(f"invalid YAML at line {line}: a mapping key must be a string, not a {what}", line)


def _too_deep(node: Node) -> DocumentError:
    return DocumentError(
        f"nested deeper than {MAX_DEPTH} levels at line {node.start_mark.line + 1}; the policy engine cannot take it",
        node.start_mark.line + 1,
        syntax=False,
    )


def _merge_sources(value_node: Node) -> list[Node]:
    if value_node.__class__ is MappingNode:
        return [value_node]
    if value_node.__class__ is SequenceNode and all(n.__class__ is MappingNode for n in value_node.value):
        return list(value_node.value)
    raise DocumentError(
        f"invalid YAML at line {value_node.start_mark.line + 1}: a merge key (<<) needs a mapping or a list of mappings",
        value_node.start_mark.line + 1,
    )


def _merged(own: dict, merge_nodes: list[Node], convert, arg) -> dict:
    """PyYAML merge semantics: own keys win, then earlier merge sources win."""
    sources: list[Node] = []
    for value_node in merge_nodes:
        sources.extend(_merge_sources(value_node))
    out: dict = {}
    for src in reversed(sources):
        out.update(convert(src, arg))
    out.update(own)
    return out


# --------------------------------------------------------------------------- trees (no aliases)

SHARED_VALUE_MAX = 24


def _short(value: str) -> str:
    """Short string values (kinds, API versions, namespaces, image tags, "ALL") as one shared object each."""
    return intern(value) if len(value) <= SHARED_VALUE_MAX else value


def _tree(node: Node, depth: int):
    """Convert a node tree that has no aliases. ``depth``: containers above and including this one."""
    cls = node.__class__
    if cls is MappingNode:
        if depth > MAX_DEPTH:
            raise _too_deep(node)
        out = {}
        merges = None
        below = depth + 1
        for kn, vn in node.value:
            if kn.__class__ is not ScalarNode:
                raise _bad_key(kn)
            key = kn.value
            if kn.tag != STR:
                if kn.tag == MERGE:
                    if merges is None:
                        merges = []
                    merges.append(vn)
                    continue
                key = _key_text(kn)
            key = intern(key)  # keys repeat in every document: one string each, not one per document
            if vn.__class__ is ScalarNode:
                out[key] = _short(vn.value) if vn.tag == STR else _scalar(vn)
            else:
                out[key] = _tree(vn, below)
        if merges is not None:
            out = _merged(out, merges, _tree, depth)
        return out
    if cls is SequenceNode:
        if depth > MAX_DEPTH:
            raise _too_deep(node)
        below = depth + 1
        out_list = []
        append = out_list.append
        for item in node.value:
            if item.__class__ is ScalarNode:
                append(_short(item.value) if item.tag == STR else _scalar(item))
            else:
                append(_tree(item, below))
        return out_list
    return _scalar(node)


# --------------------------------------------------------------------------- graphs (aliases)

def _measure(root: Node) -> None:
    """Raise DocumentError when the expanded document is too big, too deep or cyclic.

    Sizes and heights are memoised by node identity, so a billion laughs costs
    as much as its text, not as much as its expansion.
    """
    _visit(root, 1, {}, set(), root)


def _visit(node: Node, depth: int, known: dict[int, tuple[int, int]], active: set[int], root: Node) -> tuple[int, int]:
    """(expanded size, height) of ``node``; a module-level function, not a closure, so
    measuring leaves no reference cycle that would keep a document's nodes alive."""
    cls = node.__class__
    if cls is ScalarNode:
        return 1, 0
    ident = id(node)
    got = known.get(ident)
    if got is None:
        if ident in active:
            raise DocumentError(
                f"a YAML alias at line {node.start_mark.line + 1} refers to a node that contains it (recursive alias)",
                node.start_mark.line + 1,
                syntax=False,
            )
        if depth > MAX_DEPTH:
            raise _too_deep(node)
        active.add(ident)
        size, height = 1, 0
        children = [c for pair in node.value for c in pair] if cls is MappingNode else node.value
        for child in children:
            s, h = _visit(child, depth + 1, known, active, root)
            size += s
            if h > height:
                height = h
            if size > MAX_NODES:
                raise DocumentError(
                    f"YAML aliases expand to more than {MAX_NODES:,} nodes (an alias bomb?)",
                    root.start_mark.line + 1,
                    syntax=False,
                )
        active.discard(ident)
        got = (size, height + 1)
        known[ident] = got
    if depth + got[1] - 1 > MAX_DEPTH:
        raise _too_deep(node)
    return got


def _graph(node: Node, memo: dict):
    """Convert a node graph already checked by _measure; shared nodes become shared values."""
    cls = node.__class__
    if cls is ScalarNode:
        return _scalar(node)
    ident = id(node)
    got = memo.get(ident)
    if got is not None:
        return got
    if cls is MappingNode:
        out = {}
        merges = None
        for kn, vn in node.value:
            if kn.__class__ is not ScalarNode:
                raise _bad_key(kn)
            key = kn.value
            if kn.tag != STR:
                if kn.tag == MERGE:
                    if merges is None:
                        merges = []
                    merges.append(vn)
                    continue
                key = _key_text(kn)
            out[intern(key)] = _graph(vn, memo)
        if merges is not None:
            out = _merged(out, merges, _graph, memo)
        got = out
    else:
        got = [_graph(item, memo) for item in node.value]
    memo[ident] = got
    return got


# --------------------------------------------------------------------------- documents

# An alias token (*name) can only follow the start of the text, white space or
# one of [ { , : ? -, and so can the anchor (&name) it must refer to.  Anything
# else with a '*' or '&' (quoted "*", globs, cron schedules such as "0 * * * *",
# URLs with query strings) is not one; a false positive only costs the
# memoised path, a false negative is impossible: an alias without an anchor
# token is a parse error.
_ALIAS_PRECEDERS = frozenset(" \t\r\n\ufeff[{,:?-")


def _has_token(text: str, marker: str) -> bool:
    find = text.find
    pos = find(marker)
    while pos >= 0:
        if pos == 0 or text[pos - 1] in _ALIAS_PRECEDERS:
            return True
        pos = find(marker, pos + 1)
    return False


def may_have_aliases(text: str) -> bool:
    return _has_token(text, "&") and _has_token(text, "*")


def node_to_python(node: Node, shared: bool):
    """One composed document to plain Python, with the limits applied."""
    if shared:
        _measure(node)
        return _graph(node, {})
    return _tree(node, 1)


def _syntax_error(exc: yaml.YAMLError, text: str) -> DocumentError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None and isinstance(exc, yaml.reader.ReaderError):
        # libyaml reports a byte offset into the UTF-8 encoding of the text
        line = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n") + 1
        return DocumentError(f"invalid YAML at line {line}: {exc.reason}", line)
    if mark is None:
        return DocumentError(f"invalid YAML: {problem or exc}")
    line = mark.line + 1
    if problem and "maximum nesting depth" in problem:
        return DocumentError(f"nested deeper than {MAX_DEPTH} levels at line {line}; the policy engine cannot take it", line, syntax=False)
    detail = problem or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line != mark.line:
        detail = f"{detail} ({context} at line {context_mark.line + 1})"
    elif context:
        detail = f"{detail} ({context})"
    return DocumentError(f"invalid YAML at line {line}: {detail}", line)


class PartialFailure(Exception):
    """Raised by the document iterators after the documents that could be read.

    ``document`` is the 1-based index of the failing document and ``resume`` the
    1-based line from which nothing more was read.
    """

    def __init__(self, error: DocumentError, document: int, resume: int):
        super().__init__(error.reason)
        self.error = error
        self.document = document
        self.resume = resume


def iter_yaml(text: str) -> Iterator[tuple[int, int, object]]:
    """Yield (document index, start line, value) for each YAML document.

    Empty documents yield None.  A failure raises PartialFailure after the
    documents before it were yielded.
    """
    shared = may_have_aliases(text)
    loader = KubeLoader(text)
    index = 0
    resume = 1
    try:
        while True:
            try:
                if not loader.check_node():
                    return
                node = loader.get_node()
            except yaml.YAMLError as exc:
                raise PartialFailure(_syntax_error(exc, text), index + 1, resume) from None
            index += 1
            line = node.start_mark.line + 1
            try:
                value = node_to_python(node, shared)
            except DocumentError as exc:
                raise PartialFailure(exc, index, line) from None
            except RecursionError:
                raise PartialFailure(_too_deep(node), index, line) from None
            resume = node.end_mark.line + 1
            yield index, line, value
    finally:
        loader.dispose()


class LineLoader(yaml.CSafeLoader):
    """A composer for finding lines only: every scalar is a plain string.

    Line resolution walks keys and indexes and never needs a scalar's type,
    so the implicit-type work of KubeLoader is skipped; only merge keys keep
    their tag, because ``<<`` must be followed into the merged mapping.
    """

    def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML signature
        if kind is ScalarNode:
            return MERGE if value == "<<" and implicit[0] else STR
        return MAP if kind is MappingNode else SEQ

    descend_resolver = staticmethod({}.get)
    ascend_resolver = staticmethod(tuple)


def compose_first_document(text: str) -> Node | None:
    """The root node of the first document of ``text``; libyaml parses no further than that."""
    loader = LineLoader(text)
    try:
        return loader.get_node() if loader.check_node() else None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- JSON

_JSON_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _json_too_deep(obj, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return True
    values = obj.values() if obj.__class__ is dict else obj
    below = depth + 1
    for v in values:
        if (v.__class__ is dict or v.__class__ is list) and _json_too_deep(v, below):
            return True
    return False


def looks_like_json(text: str) -> bool:
    start = _JSON_WS.match(text).end()
    return text[start : start + 1] == "{"


def parse_json(text: str) -> tuple[list[tuple[int, int, object, tuple[int, int]]], DocumentError | None, int]:
    """Parse a JSON text: one value or a stream of them (``kubectl get -o json`` style).

    Returns (documents, error, resume line): documents as (index, line, value,
    (start, end) offsets), the error that stopped the parse, if any.
    """
    docs: list[tuple[int, int, object, tuple[int, int]]] = []
    pos = _JSON_WS.match(text).end()
    n = len(text)
    line = 1 + text.count("\n", 0, pos)
    last = pos
    while pos < n:
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            return docs, DocumentError(f"invalid JSON at line {exc.lineno}: {exc.msg}", exc.lineno), line
        except RecursionError:
            return docs, DocumentError(f"nested deeper than {MAX_DEPTH} levels at line {line}; the policy engine cannot take it", line, syntax=False), line
        if (value.__class__ is dict or value.__class__ is list) and _json_too_deep(value, 1):
            return docs, DocumentError(f"nested deeper than {MAX_DEPTH} levels in the document at line {line}; the policy engine cannot take it", line, syntax=False), line
        docs.append((len(docs) + 1, line, value, (pos, end)))
        nxt = _JSON_WS.match(text, end).end()
        line += text.count("\n", last, nxt)  # from this document's start to the next one's
        last = pos = nxt
    return docs, None, line


# --------------------------------------------------------------------------- user files

def load_user_yaml(text: str):
    """The one YAML document of a user file (waivers, mappings, --data, METADATA), read as manifests are.

    The same reading rules and limits as manifests, so a waivers or mapping
    file gets the alias-bomb and nesting guards too (one loader, not a second
    copy), and the same types: timestamps stay text (a waiver's ``expires`` is
    then validated by its reader, not half-parsed by YAML), ``!!binary`` is its
    base64 text, unknown tags are ignored.  Raises DocumentError with the line.
    An empty text is None.
    """
    shared = may_have_aliases(text)
    loader = KubeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _syntax_error(exc, text) from None
        if node is None:
            return None
        try:
            return node_to_python(node, shared)
        except RecursionError:
            raise _too_deep(node) from None
    finally:
        loader.dispose()
