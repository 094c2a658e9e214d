"""ECMAScript expressions in SCXML documents, rewritten token by token into the expression language.

A mechanical rewrite, never an evaluation: what needs a real JavaScript engine is left
as it is, so the expression parser rejects it with a message naming the element.
"""

from __future__ import annotations

import re

from .limits import _LIMITS_HINT, MAX_DEPTH, ExpressionLimitError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>===|!==|\*\*=|//=|==|!=|<=|>=|&&|\|\||\+\+|--|\+=|-=|\*=|/=|%=|\*\*|//|->|[-+*/%<>=!&|^~?:.,;()\[\]{}@])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_JS_CONSTANTS = {"true": "True", "false": "False", "null": "None", "undefined": "None"}
_MATH_FUNCTIONS = {"pow", "max", "min", "abs"}
_OPEN = {"(": ")", "[": "]", "{": "}"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        out.append((kind, m.group()))
    return out


def _significant(toks: list[tuple[str, str]], i: int, step: int) -> int:
    """Index of the next non-whitespace token from i (exclusive) in direction step, or -1."""
    j = i + step
    while 0 <= j < len(toks):
        if toks[j][0] != "ws":
            return j
        j += step
    return -1


def _group_end(toks: list[tuple[str, str]], i: int) -> int:
    """Index just past the bracket group opening at i."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j][1] if toks[j][0] == "op" else ""
        if t in _OPEN:
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j + 1
    return len(toks)


def _operand_end(toks: list[tuple[str, str]], i: int) -> int:
    """Index just past the unary operand starting at the first significant token at/after i."""
    j = i if i < len(toks) and toks[i][0] != "ws" else _significant(toks, i, 1)
    while j >= 0 and toks[j] == ("op", "!"):  # a run of '!' (a loop: a long run must not recurse)
        j = _significant(toks, j, 1)
    if j < 0:
        return len(toks)
    kind, text = toks[j]
    if kind == "op" and text in _OPEN:
        end = _group_end(toks, j)
    elif kind in ("name", "num", "str"):
        end = j + 1
    else:
        return j + 1
    while True:  # trailers: .name, (...), [...]
        k = _significant(toks, end - 1, 1)
        if k < 0:
            return end
        kind, text = toks[k]
        if kind == "op" and text == ".":
            n = _significant(toks, k, 1)
            if n < 0:
                return len(toks)
            end = n + 1
        elif kind == "op" and text in ("(", "["):
            end = _group_end(toks, k)
        else:
            return end


def _rewrite(toks: list[tuple[str, str]], depth: int = 0) -> str:
    """The rewritten text of ``toks``; ``depth`` counts the enclosing ``!`` (each recurses once)."""
    if depth > MAX_DEPTH:
        raise ExpressionLimitError(f"expression nests deeper than the limit of {MAX_DEPTH} levels ('!' inside '!')", _LIMITS_HINT)
    out: list[str] = []
    braces: list[bool] = []  # per open bracket: is it an object literal's brace?
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        prev = _significant(toks, i, -1)
        prev_text = toks[prev][1] if prev >= 0 else ""
        after_dot = prev >= 0 and toks[prev] == ("op", ".")
        if kind == "op":
            if text == "===":
                out.append("==")
            elif text == "!==":
                out.append("!=")
            elif text == "&&":
                out.append(" and ")
            elif text == "||":
                out.append(" or ")
            elif text == "!":
                end = _operand_end(toks, i + 1)
                out.append("(not " + _rewrite(toks[i + 1 : end], depth + 1).strip() + ")")
                i = end
                continue
            else:
                if text in _OPEN:
                    braces.append(text == "{")
                elif text in (")", "]", "}") and braces:
                    braces.pop()
                out.append(text)
        elif kind == "name" and not after_dot:
            nxt = _significant(toks, i, 1)
            nxt_tok = toks[nxt] if nxt >= 0 else ("", "")
            if braces and braces[-1] and prev_text in ("{", ",") and nxt_tok == ("op", ":"):
                out.append(repr(text))  # a bare key of an object literal
            elif text in _JS_CONSTANTS:
                out.append(_JS_CONSTANTS[text])
            elif text in ("Math", "JSON") and nxt_tok == ("op", "."):
                fn = _significant(toks, nxt, 1)
                member = toks[fn][1] if fn >= 0 else ""
                if text == "Math" and member in _MATH_FUNCTIONS:
                    out.append(member)
                    i = fn + 1
                    continue
                if text == "JSON" and member == "stringify":
                    out.append("str")  # a printable form of the value (used for logging)
                    i = fn + 1
                    continue
                out.append(text)
            else:
                out.append(text)
        else:
            out.append(text)
        i += 1
    return "".join(out)


def ecmascript_to_python(expr: str) -> str:
    """Rewrite an ECMAScript expression into the expression language, token by token.

    ``===``/``!==`` become ``==``/``!=``, ``&&``/``||``/``!x`` become ``and``/``or``/``(not
    x)``, ``true``/``false``/``null``/``undefined`` become ``True``/``False``/``None``,
    ``Math.pow`` (and ``max``/``min``/``abs``) the built-in of that name, ``JSON.stringify``
    ``str`` (a printable form, for logging), and the bare keys
    of object literals (``{p1: 'v1'}``) string keys. Strings are left untouched. Anything
    else that is not Python is left as it is, so ``parse`` rejects it with a message.
    """
    return _rewrite(_tokens(expr))


def _substitute_system_variables(text: str, session: str, name: str) -> str:
    """Replace ``_sessionid``/``_name`` by constants and a bare ``_event`` by a record of its name and data."""
    if "_sessionid" not in text and "_name" not in text and "_event" not in text:
        return text
    toks = _tokens(text)
    out: list[str] = []
    for i, (kind, tok) in enumerate(toks):
        prev = _significant(toks, i, -1)
        if kind == "name" and not (prev >= 0 and toks[prev] == ("op", ".")):
            nxt = _significant(toks, i, 1)
            if tok == "_sessionid":
                out.append(repr(session))
                continue
            if tok == "_name":
                out.append(repr(name))
                continue
            if tok == "_event" and not (nxt >= 0 and toks[nxt] == ("op", ".")):
                out.append("{'name': _event.name, 'data': _event.data}")
                continue
        out.append(tok)
    return "".join(out)
