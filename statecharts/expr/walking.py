"""Walking a tree: a node's children, every node, the context fields an expression reads."""

from __future__ import annotations

from collections.abc import Iterable

from .tree import Attr, BinOp, BoolOp, Call, Compare, Ctx, IfElse, Index, MapLit, Node, Quant, SetLit, TupleLit, Unary


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(node, (Attr,)):
        return (node.obj,)
    if isinstance(node, Index):
        return (node.obj, node.key)
    if isinstance(node, (BinOp, Compare)):
        return (node.left, node.right)
    if isinstance(node, (BoolOp, TupleLit, SetLit)):
        return node.items
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, IfElse):
        return (node.cond, node.then, node.other)
    if isinstance(node, MapLit):
        return node.keys + node.values
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Quant):
        return (node.domain, node.body) + ((node.cond,) if node.cond is not None else ())
    return ()


def walk(node: Node) -> Iterable[Node]:
    """Every node of the tree, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))


def context_fields(node: Node) -> set[str]:
    """The context fields an expression reads."""
    return {n.name for n in walk(node) if isinstance(n, Ctx)}


