"""A small AutoGraph: Python ``if``/``while``/``for`` on tensor values become lax control flow.

``convert(fn)`` rewrites the function's source: each ``if``, ``while`` and ``for`` statement
becomes a call to a runtime helper (``_ag_runtime``) with the branches or the loop body as
nested functions over the names the statement assigns (``nonlocal``). At run time the helper
looks at the condition: a Python value keeps Python semantics; a symbolic tensor turns the
statement into ``tf.cond``/``tf.while_loop``. ``if`` statements whose branches ``return``
are normalised first (``if c: return a`` + rest → ``if c: return a`` / ``else: rest``).

Statements that are not converted (loops with ``break``/``continue``/``return``, ``else``
clauses on loops, ``global`` names) stay Python; if their condition is a symbolic tensor, the
tf.function falls back to eager execution with a warning.
"""
from __future__ import annotations

import ast
import functools
import inspect
import itertools
import textwrap
import types

from .._core.lru import LRUCache

_COUNTER = itertools.count()
# Code object -> the factory of its converted function (None: not convertible).
_CACHE = LRUCache("autograph", 1024)


class _Unconvertible(Exception):
    pass


def _contains(nodes, kinds, stop=(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                  ast.ClassDef)):
    """Whether ``nodes`` contain a node of ``kinds`` (not looking into nested functions)."""
    todo = list(nodes)
    while todo:
        n = todo.pop()
        if isinstance(n, kinds):
            return True
        if isinstance(n, stop):
            continue
        todo.extend(ast.iter_child_nodes(n))
    return False


def _loop_exits(nodes):
    """break/continue that belong to this loop (not to nested loops)."""
    todo = list(nodes)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Break, ast.Continue)):
            return True
        if isinstance(n, (ast.For, ast.While, ast.FunctionDef, ast.AsyncFunctionDef,
                          ast.Lambda, ast.ClassDef)):
            if isinstance(n, (ast.For, ast.While)):
                todo.extend(n.orelse)
            continue
        todo.extend(ast.iter_child_nodes(n))
    return False


def _assigned(nodes) -> list:
    """Names bound by ``nodes`` (in order), not looking into nested scopes' bodies."""
    out: dict = {}

    def target(t):
        if isinstance(t, ast.Name):
            out.setdefault(t.id, None)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                target(e)
        elif isinstance(t, ast.Starred):
            target(t.value)

    todo = list(nodes)
    while todo:
        n = todo.pop(0)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.setdefault(n.name, None)
            continue
        if isinstance(n, ast.Lambda):
            continue
        if isinstance(n, ast.Assign):
            for t in n.targets:
                target(t)
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
            target(n.target)
        elif isinstance(n, (ast.For, ast.AsyncFor)):
            target(n.target)
        elif isinstance(n, ast.NamedExpr):
            target(n.target)
        elif isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                if item.optional_vars is not None:
                    target(item.optional_vars)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                out.setdefault((a.asname or a.name).split(".")[0], None)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.setdefault(n.name, None)
        todo.extend(ast.iter_child_nodes(n))
    return [k for k in out if not k.startswith("ag__")]


def _always_returns(stmts) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    return False


def _normalize(stmts):
    """Moves the statements after a returning branch into the other branch."""
    out = []
    for i, s in enumerate(stmts):
        if isinstance(s, ast.If):
            s.body = _normalize(s.body)
            s.orelse = _normalize(s.orelse)
            rest = stmts[i + 1:]
            b, e = _always_returns(s.body), _always_returns(s.orelse)
            if rest and b and not e and not _contains(s.orelse, ast.Return):
                s.orelse = _normalize(s.orelse + rest)
                out.append(s)
                return out
            if rest and e and not b and not _contains(s.body, ast.Return):
                s.body = _normalize(s.body + rest)
                out.append(s)
                return out
        out.append(s)
    return out


def _name(id_, ctx=ast.Load):
    return ast.Name(id=id_, ctx=ctx())


def _ag(attr):
    return ast.Attribute(value=_name("ag__"), attr=attr, ctx=ast.Load())


def _call(func, args):
    return ast.Call(func=func, args=args, keywords=[])


def _fdef(name, args, body, nonlocals):
    body = list(body) or [ast.Pass()]
    if nonlocals:
        body = [ast.Nonlocal(names=list(nonlocals))] + body
    return ast.FunctionDef(name=name, args=ast.arguments(
        posonlyargs=[], args=[ast.arg(arg=a) for a in args], vararg=None, kwonlyargs=[],
        kw_defaults=[], kwarg=None, defaults=[]), body=body, decorator_list=[], returns=None,
        type_params=[])


class _Converter(ast.NodeTransformer):
    def __init__(self, globals_):
        self.globals_ = set(globals_)

    # Nested scopes keep their Python semantics.
    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef

    def _state(self, names, uid, node):
        """Prologue (names defined, maybe as Undefined) and get/set state functions."""
        pre = []
        for n in names:
            pre.append(ast.Try(
                body=[ast.Expr(_name(n))],
                handlers=[ast.ExceptHandler(type=_name("NameError"), name=None, body=[
                    ast.Assign(targets=[_name(n, ast.Store)],
                               value=_call(_ag("Undefined"), [ast.Constant(n)]))])],
                orelse=[], finalbody=[]))
        get = _fdef(f"ag__get_{uid}", [], [ast.Return(ast.Tuple(
            elts=[_name(n) for n in names], ctx=ast.Load()))], [])
        setb = [ast.Assign(targets=[ast.Tuple(elts=[_name(n, ast.Store) for n in names],
                                              ctx=ast.Store())],
                           value=_name("ag__vals"))] if names else [ast.Pass()]
        set_ = _fdef(f"ag__set_{uid}", ["ag__vals"], setb, names)
        return pre + [get, set_]

    def _test(self, expr):
        return _BoolOps().visit(expr)

    def visit_If(self, node):
        self.generic_visit(node)
        body, orelse = node.body, node.orelse
        names = _assigned(body + orelse)
        if self.globals_ & set(names) or _loop_exits(body + orelse):
            return node
        uid = next(_COUNTER)
        ret = _contains(body + orelse, ast.Return)
        if ret and not (_always_returns(body) and _always_returns(orelse)):
            return node
        pre = self._state(names, uid, node)
        fb = _fdef(f"ag__if_true_{uid}", [], body, names)
        fe = _fdef(f"ag__if_false_{uid}", [], orelse or [ast.Pass()], names)
        call = _call(_ag("if_stmt"), [self._test(node.test), _name(fb.name), _name(fe.name),
                                      _name(f"ag__get_{uid}"), _name(f"ag__set_{uid}"),
                                      ast.Constant(tuple(names)), ast.Constant(ret)])
        stmt = ast.Return(call) if ret else ast.Expr(call)
        out = pre + [fb, fe, stmt]
        for n in out:
            ast.copy_location(n, node)
        return out

    def visit_While(self, node):
        self.generic_visit(node)
        if node.orelse or _loop_exits(node.body) or _contains(node.body, ast.Return):
            return node
        names = _assigned(node.body)
        if self.globals_ & set(names):
            return node
        uid = next(_COUNTER)
        pre = self._state(names, uid, node)
        ft = _fdef(f"ag__while_test_{uid}", [], [ast.Return(self._test(node.test))], [])
        fb = _fdef(f"ag__while_body_{uid}", [], node.body, names)
        call = ast.Expr(_call(_ag("while_stmt"), [
            _name(ft.name), _name(fb.name), _name(f"ag__get_{uid}"), _name(f"ag__set_{uid}"),
            ast.Constant(tuple(names))]))
        out = pre + [ft, fb, call]
        for n in out:
            ast.copy_location(n, node)
        return out

    def visit_For(self, node):
        self.generic_visit(node)
        if node.orelse or _loop_exits(node.body) or _contains(node.body, ast.Return):
            return node
        names = _assigned([ast.Assign(targets=[node.target], value=ast.Constant(None))]
                          + node.body)
        if self.globals_ & set(names):
            return node
        uid = next(_COUNTER)
        pre = self._state(names, uid, node)
        item = f"ag__item_{uid}"
        assign = ast.Assign(targets=[node.target], value=_name(item))
        fb = _fdef(f"ag__for_body_{uid}", [item], [assign] + node.body, names)
        it = node.iter
        if isinstance(it, ast.Call) and not it.keywords and (
                (isinstance(it.func, ast.Name) and it.func.id == "range") or
                (isinstance(it.func, ast.Attribute) and it.func.attr == "range")):
            it = _call(_ag("range_iter"), [it.func] + list(it.args))
        call = ast.Expr(_call(_ag("for_stmt"), [
            it, _name(fb.name), _name(f"ag__get_{uid}"), _name(f"ag__set_{uid}"),
            ast.Constant(tuple(names))]))
        out = pre + [fb, call]
        for n in out:
            ast.copy_location(n, node)
        return out

    def visit_Assert(self, node):
        msg = node.msg if node.msg is not None else ast.Constant(None)
        call = ast.Expr(_call(_ag("assert_stmt"), [
            node.test, ast.Lambda(args=ast.arguments(
                posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                kwarg=None, defaults=[]), body=msg)]))
        return ast.copy_location(call, node)


class _BoolOps(ast.NodeTransformer):
    """``a and b``, ``a or b``, ``not a`` in tests: lazy, tensor-aware."""

    def visit_Lambda(self, node):
        return node

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        lams = [ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], vararg=None,
                                              kwonlyargs=[], kw_defaults=[], kwarg=None,
                                              defaults=[]), body=v) for v in node.values]
        return ast.copy_location(_call(_ag(fn), lams), node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(_call(_ag("not_"), [node.operand]), node)
        return node


def _needs_conversion(tree) -> bool:
    return _contains(tree.body, (ast.If, ast.While, ast.For, ast.Assert))


def convert(fn):
    """Returns ``fn`` with tensor-dependent control flow converted (or ``fn`` if not needed).

    >>> def f(x):
    ...     return x
    >>> convert(f)(1)
    1
    """
    from ._args import _WeakMethod
    if isinstance(fn, _WeakMethod):
        inner = convert(fn._fn)
        if inner is fn._fn:
            return fn
        return _WeakMethod(inner, fn._ref())
    if isinstance(fn, types.MethodType):
        inner = convert(fn.__func__)
        return fn if inner is fn.__func__ else types.MethodType(inner, fn.__self__)
    if not isinstance(fn, types.FunctionType) or getattr(fn, "__ag_do_not_convert__", False):
        return fn
    key = fn.__code__
    cached = _CACHE.get(key)
    if cached is not None:
        factory, = cached
        return _instantiate(factory, fn)
    try:
        factory = _build(fn)
    except (_Unconvertible, OSError, TypeError, SyntaxError, IndentationError):
        factory = None
    _CACHE.put(key, (factory,))
    return _instantiate(factory, fn)


def _instantiate(factory, fn):
    if factory is None:
        return fn
    from . import _ag_runtime
    cells = [c.cell_contents if _has(c) else _ag_runtime.Undefined(n)
             for n, c in zip(fn.__code__.co_freevars, fn.__closure__ or ())]
    new = factory(_ag_runtime, *cells)
    new.__defaults__ = fn.__defaults__
    new.__kwdefaults__ = fn.__kwdefaults__
    functools.update_wrapper(new, fn)
    new.__ag_converted__ = True
    return new


def _has(cell) -> bool:
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def _build(fn):
    src = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(src)
    fdef = tree.body[0]
    if not isinstance(fdef, ast.FunctionDef) or fdef.name != fn.__name__:
        raise _Unconvertible("not a def")
    if not _needs_conversion(fdef):
        raise _Unconvertible("nothing to convert")
    fdef.decorator_list = []
    globals_ = set()
    for n in ast.walk(fdef):
        if isinstance(n, ast.Global):
            globals_.update(n.names)
    fdef.body = _normalize(fdef.body)
    fdef.body = [s for stmt in fdef.body for s in _as_list(_Converter(globals_).visit(stmt))]
    freevars = list(fn.__code__.co_freevars)
    factory = _fdef("ag__factory", ["ag__"] + freevars, [fdef, ast.Return(_name(fdef.name))],
                    [])
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    ast.increment_lineno(module, fn.__code__.co_firstlineno - 1)
    code = compile(module, fn.__code__.co_filename, "exec")
    ns: dict = {}
    exec(code, fn.__globals__, ns)  # noqa: S102 - the user's own function, re-compiled
    return ns["ag__factory"]


def _as_list(x):
    return x if isinstance(x, list) else [x]


def do_not_convert(func=None):
    """Marks ``func`` so tf.function leaves its control flow alone."""
    if func is None:
        return do_not_convert
    try:
        func.__ag_do_not_convert__ = True
    except AttributeError:
        pass
    return func
