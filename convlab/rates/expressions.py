"""Safe parsing of bound and parameter expressions.

Claim files come from other people, so their expressions are untrusted. ``sympy.sympify`` and
``parse_expr`` evaluate Python and must never see them. Instead the string is parsed by Python's
``ast`` module and the tree is translated, node by node, into a sympy expression. Only these nodes
are accepted:

- numbers (int, float), names (identifiers not starting with ``_``);
- ``+ - * / **`` and unary ``+ -`` (``^`` is read as a power, as in written mathematics);
- calls of the whitelisted functions in :data:`FUNCTIONS` with positional arguments.

Attribute access, subscripts, keywords, lambdas, comprehensions, strings and every other node are
refused with a :class:`~convlab.errors.BoundError`, so nothing in the string is ever executed.

Resources are bounded before sympy sees anything (sympy evaluates constant subexpressions exactly,
and ``floor(exp(exp(50)))`` would never return):

- the string's length (:data:`_MAX_LENGTH`), its nesting depth (:data:`_MAX_DEPTH`; a chain
  ``a + b + c + ...`` counts as one level, so a long sum is fine), the arguments of ``min`` and
  ``max`` (:data:`_MAX_MINMAX_ARGS` in all: sympy compares them pairwise);
- every **constant subexpression** is first evaluated in double precision: one that is not a
  finite real number (``1/0``, ``log(0)``, ``0/0``, ``sqrt(-1)``, ``exp(1000)``,
  ``10**300*10**300``) is refused, naming the subexpression; a literal exponent is at most
  :data:`_MAX_POWER` in magnitude;
- integer growth: each node carries a bound on the bits of the exact integers sympy may form
  from it (a sum or product adds its operands' bits, ``c**n`` multiplies them by n); a node
  over :data:`_MAX_BITS` is refused before it is built; likewise its polynomial degree (sympy's
  sign analysis isolates the real roots of a polynomial), at most :data:`_MAX_DEGREE`;
- evaluation (:func:`evaluate`) turns every numerical failure into a :class:`BoundError`.
"""

from __future__ import annotations

import ast
import math
from functools import lru_cache
from typing import Mapping, NamedTuple

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from ..errors import BoundError

#: Functions a bound may call, by the names a theorist writes.
FUNCTIONS: dict[str, object] = {
    "sqrt": sp.sqrt,
    "log": sp.log,
    "ln": sp.log,
    "log2": lambda x: sp.log(x, 2),
    "log10": lambda x: sp.log(x, 10),
    "exp": sp.exp,
    "abs": sp.Abs,
    "min": sp.Min,
    "max": sp.Max,
    "floor": sp.floor,
    "ceil": sp.ceiling,
}

#: Named mathematical constants.
CONSTANTS = {"pi": sp.pi, "e": sp.E}

#: Marker of an order claim, ``O(r(k))``: only allowed around the whole bound.
ORDER_FUNCTION = "O"

_MAX_LENGTH = 2000
_MAX_POWER = 10_000  # a literal exponent beyond this is refused (exact powers could hang)
_MAX_DEPTH = 100  # nesting levels (a left-associative chain a+b+c... counts once)
_MAX_MINMAX_ARGS = 16  # arguments of min and max in one expression (sympy compares pairs)
_MAX_BITS = 4096  # bits of the exact integers an expression may form (about 1230 digits)
_MAX_DEGREE = 1000  # polynomial degree (sympy's sign analysis finds real roots of polynomials)


@lru_cache(maxsize=4096)
def symbol(name: str) -> sp.Symbol:
    """The sympy symbol used for ``name``: a non-negative real, so that roots simplify, but not
    a positive one: an iteration variable is 0 at the start, and ``0**k`` must stay 1 there."""
    return sp.Symbol(name, nonnegative=True)


def parse_expression(text: str | int | float, *, allow_order: bool = False) -> sp.Expr:
    """Parse an untrusted expression string into a sympy expression without executing it.

    Parameters
    ----------
    text
        The expression, e.g. ``"L*R**2/(4*k+2)"``; a number is accepted as is.
    allow_order
        Accept ``O(...)`` around the whole expression; it is returned as ``sympy.Function('O')(r)``.

    Raises
    ------
    BoundError
        When the string is not an arithmetic expression of the accepted form.
    """
    if isinstance(text, bool):
        raise BoundError(f"expected an expression, got the boolean {text!r}")
    if isinstance(text, (int, float)):
        if isinstance(text, float) and not math.isfinite(text):
            raise BoundError(f"expected a finite number, got {text!r}")
        if isinstance(text, int) and abs(text) > 2**63:
            raise BoundError(f"expected a number of at most 19 digits, got {text!r}")
        return sp.Integer(text) if isinstance(text, int) else sp.Float(repr(text), 17)
    if not isinstance(text, str):
        raise BoundError(f"expected an expression string, got {type(text).__name__}")
    return _parse_string(text, allow_order)


@lru_cache(maxsize=4096)
def _parse_string(text: str, allow_order: bool) -> sp.Expr:
    """Parse a string (cached: claims re-evaluate the same parameter expressions per run)."""
    if len(text) > _MAX_LENGTH:
        raise BoundError(f"expression longer than {_MAX_LENGTH} characters")
    source = text.strip()
    if not source:
        raise BoundError("empty expression")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise BoundError(f"cannot parse expression {text!r}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # a lone surrogate, say
        raise BoundError(f"cannot parse expression {text!r}: {type(exc).__name__}") from None
    body = tree.body
    _check_shape(body, text)
    try:
        if allow_order and isinstance(body, ast.Call) and _call_name(body) == ORDER_FUNCTION:
            if len(body.args) != 1 or body.keywords:
                raise BoundError(f"O(...) takes exactly one argument in {text!r}")
            inner = _finite_tree(_translate(body.args[0], text)[0], text)
            return sp.Function(ORDER_FUNCTION)(inner)
        return _finite_tree(_translate(body, text)[0], text)
    except BoundError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        # a failure inside sympy on an accepted tree: still the expression's fault
        raise BoundError(f"cannot evaluate {text!r} exactly ({type(exc).__name__})") from None


def _check_shape(body: ast.AST, text: str) -> None:
    """Refuse a tree nested too deeply or with too many min/max arguments, before translating
    it (iterative: a pathological tree cannot exhaust the stack here)."""
    minmax = 0
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise BoundError(f"expression nested deeper than {_MAX_DEPTH} levels: {text[:60]!r}"
                             + ("..." if len(text) > 60 else ""))
        if isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.Pow, ast.BitXor)):
            stack.append((node.left, depth))  # a left-associative chain: one level
            stack.append((node.right, depth + 1))
            continue
        if isinstance(node, ast.Call) and _call_name(node) in ("min", "max"):
            minmax += len(node.args)
            if minmax > _MAX_MINMAX_ARGS:
                raise BoundError(f"more than {_MAX_MINMAX_ARGS} arguments of min/max in "
                                 f"{text[:60]!r}" + ("..." if len(text) > 60 else ""))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _finite_tree(expr: sp.Expr, text: str) -> sp.Expr:
    """Refuse an expression in which an infinity or NaN survived (a sympy zero that double
    precision did not see as zero, for instance)."""
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise BoundError(f"the expression {text!r} is not finite (it contains {expr})")
    return expr


def is_order(expr: sp.Expr) -> bool:
    """True when ``expr`` is an order bound ``O(r)``."""
    return isinstance(expr, AppliedUndef) and expr.func.__name__ == ORDER_FUNCTION


def order_argument(expr: sp.Expr) -> sp.Expr:
    """The rate ``r`` inside ``O(r)`` (or ``expr`` itself when it is not an order bound)."""
    return expr.args[0] if is_order(expr) else expr


def free_names(expr: sp.Expr) -> set[str]:
    """Names of the free symbols of ``expr``."""
    return {s.name for s in expr.free_symbols}


def evaluate(expr: sp.Expr, values: Mapping[str, object]) -> np.ndarray | float:
    """Evaluate ``expr`` numerically with ``values`` (scalars or equally shaped arrays).

    Raises
    ------
    BoundError
        When a symbol has no value, the value is complex (e.g. sqrt of a negative number) or the
        evaluation fails in any other way (a value that is not a number, say).
    """
    expr = order_argument(expr)
    names = sorted(free_names(expr))
    missing = [n for n in names if n not in values]
    if missing:
        known = ", ".join(sorted(values)) or "none"
        raise BoundError(f"unknown symbol(s) {', '.join(missing)} (known: {known})")
    try:
        fn = _lambdify(expr, tuple(names))
        args = [np.asarray(values[n], dtype=float) for n in names]
        with np.errstate(all="ignore"):
            out = np.asarray(fn(*args))
    except BoundError:
        raise
    except Exception as exc:  # every numerical failure is the expression's (or a value's)
        raise BoundError(f"cannot evaluate {expr} with the given values: "
                         f"{type(exc).__name__}: {exc}"[:300]) from None
    if np.iscomplexobj(out):
        if np.any(out.imag != 0):
            raise BoundError(f"the expression {expr} is not real for the given values")
        out = out.real
    return out.astype(float) if out.ndim else float(out)


def evaluate_scalar(text: str | int | float, values: Mapping[str, object]) -> float:
    """Parse and evaluate a scalar parameter expression such as ``"1/L"`` or ``"R/(2*N+1)"``
    (a number given as a number is returned exactly)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool) and abs(text) <= 2**63 \
            and math.isfinite(text):
        return float(text)
    value = evaluate(parse_expression(text), values)
    value = float(np.asarray(value))
    if not np.isfinite(value):
        raise BoundError(f"expression {text!r} is not finite ({value}) for the given constants")
    return value


@lru_cache(maxsize=1024)
def _lambdify(expr: sp.Expr, names: tuple[str, ...]):
    # The tree contains only whitelisted nodes built by _translate, so the code sympy generates
    # from it is arithmetic on the named arguments.
    return sp.lambdify([symbol(n) for n in names], expr, modules="numpy")


def _call_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else None


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.BitXor: lambda a, b: a**b,
}

#: Double-precision twins of :data:`FUNCTIONS`, for constant arguments (a failure or a
#: non-finite result refuses the subexpression before sympy evaluates it exactly).
_APPROX: dict[str, object] = {
    "sqrt": math.sqrt, "log": math.log, "ln": math.log, "log2": math.log2,
    "log10": math.log10, "exp": math.exp, "abs": abs, "min": min, "max": max,
    "floor": lambda x: float(math.floor(x)), "ceil": lambda x: float(math.ceil(x)),
}

#: Functions built unevaluated on symbolic arguments (see :func:`_translate`).
_SELECTING = {"floor": sp.floor, "ceil": sp.ceiling, "min": sp.Min, "max": sp.Max,
              "abs": sp.Abs}

class _Node(NamedTuple):
    """A translated subtree: the sympy expression; for a constant, its value in double
    precision (else None); and a bound on the bits of the exact integers sympy may form from
    it (integer growth: ``(3*k)**300`` holds ``3**300``)."""

    expr: sp.Expr
    value: float | None
    bits: int
    degree: float = 0.0


def _where(node: ast.AST, text: str) -> str:
    part = ast.unparse(node)
    part = part if len(part) <= 60 else part[:57] + "..."
    return part if part == text.strip() else f"{part} in {text!r}"


def _grown(bits: float, node: ast.AST, text: str, degree: float = 0.0) -> int:
    """Refuse a subexpression whose exact integers could exceed :data:`_MAX_BITS`, or whose
    polynomial degree could exceed :data:`_MAX_DEGREE`."""
    if bits > _MAX_BITS:
        raise BoundError(f"{_where(node, text)} would form exact integers of more than "
                         f"{_MAX_BITS * 3 // 10} digits")
    if degree > _MAX_DEGREE:
        raise BoundError(f"{_where(node, text)} has a polynomial degree above {_MAX_DEGREE}")
    return int(bits)


def _constant(expr: sp.Expr, approx: float | complex | None, bits: int, node: ast.AST,
              text: str, degree: float = 0.0) -> _Node:
    """Check a translated node: a constant must be a finite real double. ``approx`` is its
    double-precision value when its operands were constants."""
    if expr in (sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise BoundError(f"{_where(node, text)} is not finite")
    if approx is None:
        if not expr.is_number:
            return _Node(expr, None, bits, degree)
        try:  # a symbolic node that cancelled to a number (k - k)
            approx = complex(expr.evalf(20))
        except (TypeError, ValueError, ArithmeticError):
            raise BoundError(f"{_where(node, text)} is not a number") from None
    if isinstance(approx, complex):
        if approx.imag != 0:
            raise BoundError(f"{_where(node, text)} is not a real number")
        approx = approx.real
    if not math.isfinite(approx):
        raise BoundError(f"{_where(node, text)} is not finite in double precision ({approx})")
    return _Node(expr, float(approx), bits)


def _approx(fn, *args: float | None) -> float | complex | None:
    """``fn`` of constant arguments in double precision (None when one is not a constant);
    a failure (division by zero, log of 0, overflow, a root of a negative) is NaN."""
    if any(a is None for a in args):
        return None
    try:
        out = fn(*args)
    except (ArithmeticError, ValueError):
        return math.nan
    if isinstance(out, complex):
        return out if out.imag == 0 else math.nan
    return float(out)


def _translate(node: ast.AST, text: str) -> _Node:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BoundError(f"only numbers may appear as literals in {text!r}, got {value!r}")
        if isinstance(value, float) and not np.isfinite(value):
            raise BoundError(f"non-finite number in {text!r}")
        if isinstance(value, int):
            bits = _grown(abs(value).bit_length(), node, text)
            return _constant(sp.Integer(value), _approx(float, value), bits, node, text)
        return _constant(sp.Float(repr(value), 17), value, 0, node, text)
    if isinstance(node, ast.Name):
        name = node.id
        if name.startswith("_"):
            raise BoundError(f"names starting with '_' are not allowed: {name!r} in {text!r}")
        if name in CONSTANTS:
            return _Node(CONSTANTS[name], float(CONSTANTS[name]), 0)
        if name in FUNCTIONS or name == ORDER_FUNCTION:
            raise BoundError(f"function {name!r} used without arguments in {text!r}")
        return _Node(symbol(name), None, 0, 1.0)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.BitXor)):
        return _power(node, _translate(node.left, text), _translate(node.right, text), text)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        chain = []  # a left-associative chain a + b - c ..., folded without recursion
        while isinstance(node, ast.BinOp) and type(node.op) in _BINARY and \
                not isinstance(node.op, (ast.Pow, ast.BitXor)):
            chain.append(node)
            node = node.left
        acc = _translate(node, text)
        for link in reversed(chain):
            right = _translate(link.right, text)
            if isinstance(link.op, ast.Div) and right.value == 0:
                raise BoundError(f"division by zero: {_where(link, text)}")
            bits = acc.bits + right.bits  # a/b + c/d = (ad + cb)/(bd)
            if isinstance(link.op, (ast.Add, ast.Sub)):
                degree = max(acc.degree, right.degree)
            else:
                degree = acc.degree + right.degree
            bits = _grown(bits, link, text, degree)
            op = _BINARY[type(link.op)]
            acc = _constant(op(acc.expr, right.expr), _approx(op, acc.value, right.value), bits,
                            link, text, degree)
        return acc
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _translate(node.operand, text)
        if isinstance(node.op, ast.USub):
            return _Node(-inner.expr, None if inner.value is None else -inner.value,
                         inner.bits, inner.degree)
        return inner
    if isinstance(node, ast.Call):
        name = _call_name(node)
        if name == ORDER_FUNCTION:
            raise BoundError(f"O(...) must enclose the whole bound in {text!r}")
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise BoundError(f"function {name or ast.unparse(node.func)!r} is not allowed in "
                             f"{text!r} (allowed: {allowed})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args) or not node.args:
            raise BoundError(f"{name}(...) takes positional arguments only in {text!r}")
        args = [_translate(a, text) for a in node.args]
        bits = sum(a.bits for a in args)
        if name == "exp" and args[0].value is None:  # exp(m*log(c)) is c**m: as for a power
            bits = 2.0 ** min(bits, 64) if bits else 0
        degree = sum(a.degree for a in args) * (2.0 ** min(bits, 64) if name == "exp" else 1)
        bits = _grown(bits, node, text, degree)
        approx = _approx(_APPROX[name], *(a.value for a in args))
        if approx is not None and not math.isfinite(approx):
            raise BoundError(f"{_where(node, text)} is not a finite real number")
        exprs = [a.expr for a in args]
        if approx is not None and name in ("floor", "ceil") and not exprs[0].is_Integer:
            return _Node(_rounded(name, exprs[0], args[0].value), approx, bits, degree)
        if approx is None and name in _SELECTING:
            # left unevaluated on a symbolic argument (numerically the same: these select or
            # round, they do not round off): sympy would study the argument's sign, which for
            # (k/c + c)**300 means the real roots of a polynomial of degree 300 (minutes)
            return _Node(_SELECTING[name](*exprs, evaluate=False), None, bits, degree)
        return _constant(FUNCTIONS[name](*exprs), approx, bits, node, text, degree)
    raise BoundError(f"{type(node).__name__} is not allowed in an expression: {text!r}")


def _rounded(name: str, arg: sp.Expr, value: float) -> sp.Expr:
    """``floor`` or ``ceil`` of a constant without sympy's exact evaluation (which, for a
    constant of 300 digits, can take minutes): the integer itself when the double value is
    clearly away from an integer, else left unevaluated (evaluated on the double later)."""
    fn = math.floor if name == "floor" else math.ceil
    if abs(value) < 2.0**40:
        nearest = round(value)
        if abs(value - nearest) > 1e-9 * max(1.0, abs(value)):
            return sp.Integer(fn(value))
    return (sp.floor if name == "floor" else sp.ceiling)(arg, evaluate=False)


def _power(node: ast.BinOp, base: _Node, exponent: _Node, text: str) -> _Node:
    """``base ** exponent`` with its exponent, its exact growth and its constant value bounded
    before sympy evaluates it exactly."""
    if exponent.value is not None and abs(exponent.value) > _MAX_POWER:
        raise BoundError(f"power {ast.unparse(node)} too large in {text!r}")
    if exponent.value is not None:  # c**n holds n times the bits of c (and of a rational n)
        bits = base.bits * max(1.0, abs(exponent.value)) + exponent.bits * max(1, base.bits)
        degree = base.degree * max(1.0, abs(exponent.value))
    else:  # sympy may pull a number m out of a symbolic exponent (c**(k+m) = c**m * c**k)
        scale = 2.0 ** min(exponent.bits, 64)
        bits = base.bits * scale + exponent.bits
        degree = base.degree * scale + exponent.degree
    bits = _grown(bits, node, text, degree)
    approx = _approx(lambda a, b: a**b, base.value, exponent.value)
    if approx is not None and not math.isfinite(approx):
        raise BoundError(f"power {_where(node, text)} is not a finite real number")
    return _constant(base.expr**exponent.expr, approx, bits, node, text, degree)
