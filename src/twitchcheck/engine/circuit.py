"""Red-flag rules compiled into layered circuits, evaluated for every hypothetical answer at once.

The interview asks, for every candidate answer, which rules would then fire, and for the rules it
screens, how likely each is to fire given each cause. Walking the rule trees in Python for hundreds of
hypotheses costs milliseconds; a circuit does it in a few array operations per tree level.

Leaf values lie in [0, 1], with any trailing axes (causes). Gates compute ``all`` = product,
``any`` = 1 - product of (1 - x), ``not`` = 1 - x: with 0/1 leaves that is the rule as written
(:func:`twitchcheck.engine.triage.holds`); with P(leaf | cause) it is P(rule | cause) for findings that
are independent given the cause, as the model assumes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from twitchcheck.engine.model import FloatArray, Model
from twitchcheck.knowledge import CACHED_BASES
from twitchcheck.knowledge.schema import Level

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]
_ALL, _ANY, _NOT = 0, 1, 2


@dataclass(frozen=True, eq=False)
class _Layer:
    """Gates whose inputs are all earlier nodes, numbered from ``start``: the ``all`` gates, then the
    ``any`` gates, then the ``not`` gates; gate ``i`` of a kind reduces ``inputs[offsets[i]:...]``."""

    start: int
    all_inputs: IntArray
    all_offsets: IntArray
    any_inputs: IntArray
    any_offsets: IntArray
    not_inputs: IntArray


@dataclass(frozen=True, eq=False)
class Circuit:
    """Leaves first, in the order the expressions name them, then the gates layer by layer."""

    leaves: tuple[Mapping[str, Any], ...]
    negated: BoolArray  # (leaves,) the leaf sits under an odd number of ``not``
    layers: tuple[_Layer, ...]
    roots: IntArray  # output node of each expression
    size: int

    def evaluate(self, leaves: FloatArray) -> FloatArray:
        """Root values, shape (expressions, *leaves.shape[1:])."""
        values = np.empty((self.size, *leaves.shape[1:]))
        values[: len(self.leaves)] = leaves
        for layer in self.layers:
            at = layer.start
            if len(layer.all_offsets):
                block = np.multiply.reduceat(values[layer.all_inputs], layer.all_offsets, axis=0)
                values[at : at + len(block)] = block
                at += len(block)
            if len(layer.any_offsets):
                block = np.multiply.reduceat(1.0 - values[layer.any_inputs], layer.any_offsets, axis=0)
                values[at : at + len(block)] = 1.0 - block
                at += len(block)
            if len(layer.not_inputs):
                values[at : at + len(layer.not_inputs)] = 1.0 - values[layer.not_inputs]
        out: FloatArray = values[self.roots]
        return out


def compile_circuit(expressions: Sequence[Mapping[str, Any]]) -> Circuit:
    leaves: list[Mapping[str, Any]] = []
    negated: list[bool] = []
    # (height, op, inputs) per gate. An input names leaf i as i and gate j as -(j + 1) until the gates
    # are numbered, after the leaves, by height and kind.
    gates: list[tuple[int, int, list[int]]] = []

    def visit(expr: Mapping[str, Any], odd: bool) -> tuple[int, int]:
        if "finding" in expr:
            leaves.append(expr)
            negated.append(odd)
            return len(leaves) - 1, 0
        if "not" in expr:
            op, children = _NOT, [visit(expr["not"], not odd)]
        else:
            op = _ALL if "all" in expr else _ANY
            children = [visit(e, odd) for e in expr.get("all") or expr["any"]]
        gates.append((1 + max(h for _, h in children), op, [code for code, _ in children]))
        return -len(gates), gates[-1][0]

    tops = [visit(expr, False)[0] for expr in expressions]
    order = sorted(range(len(gates)), key=lambda g: gates[g][:2])
    node_of_gate = {g: len(leaves) + rank for rank, g in enumerate(order)}

    def node(code: int) -> int:
        return code if code >= 0 else node_of_gate[-code - 1]

    def group(members: list[int], op: int) -> tuple[IntArray, IntArray]:
        kind = [g for g in members if gates[g][1] == op]
        inputs = np.array([node(c) for g in kind for c in gates[g][2]], dtype=np.intp)
        offsets = np.cumsum([0] + [len(gates[g][2]) for g in kind])[:-1].astype(np.intp)
        return inputs, offsets

    layers = []
    for height in sorted({h for h, _, _ in gates}):
        members = [g for g in order if gates[g][0] == height]
        all_inputs, all_offsets = group(members, _ALL)
        any_inputs, any_offsets = group(members, _ANY)
        not_inputs, _ = group(members, _NOT)
        layers.append(
            _Layer(node_of_gate[members[0]], all_inputs, all_offsets, any_inputs, any_offsets, not_inputs)
        )
    return Circuit(
        leaves=tuple(leaves),
        negated=np.array(negated, dtype=bool),
        layers=tuple(layers),
        roots=np.array([node(code) for code in tops], dtype=np.intp),
        size=len(leaves) + len(gates),
    )


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A model's red flags, as they stand (``now``) and once any single answer is given (``what_if``).

    ``what_if`` holds one copy of a flag per state of every finding the flag names, ordered by flag,
    then finding, then state; in copy ``r`` the leaves on finding ``column`` are fixed by that answer.
    """

    levels: npt.NDArray[np.int64]  # (flags,)
    now: Circuit
    leaf_flag: IntArray  # (leaves,) the flag each leaf of ``now`` belongs to
    finding_index: IntArray  # (leaves,) position of each leaf's finding in the knowledge base
    satisfied: FloatArray  # (leaves, columns) 1 where the column's state satisfies the leaf
    given_cause: FloatArray  # (leaves, causes) P(leaf holds | cause)
    what_if: Circuit
    what_if_each: tuple[Circuit, ...]  # the copies of one flag at a time
    copies: tuple[slice, ...]  # each flag's copies
    copy_leaves: tuple[slice, ...]  # ...and their leaves
    flag: IntArray  # (copies,) the flag copied
    column: IntArray  # (copies,) the answer assumed
    finding: IntArray  # (copies,) that answer's finding, as a position in the knowledge base
    source: IntArray  # (copy leaves,) the leaf of ``now`` it stands for
    fixed: BoolArray  # (copy leaves,) the assumed answer decides this leaf
    fixed_value: FloatArray  # (copy leaves,) ...and this is its value

    def fire_after(self, leaves: FloatArray, flag: int | None = None) -> FloatArray:
        """Each copy's root (of every flag, or of one) given ``now``'s leaf values (leaves, ...) and the
        copy's assumed answer."""
        part = slice(None) if flag is None else self.copy_leaves[flag]
        circuit = self.what_if if flag is None else self.what_if_each[flag]
        fixed = self.fixed[part].reshape(-1, *([1] * (leaves.ndim - 1)))
        value = self.fixed_value[part].reshape(fixed.shape)
        return circuit.evaluate(np.where(fixed, value, leaves[self.source[part]]))


@lru_cache(maxsize=CACHED_BASES)
def compile_rules(model: Model) -> RuleSet:
    kb = model.kb
    order = {f: i for i, f in enumerate(kb.findings)}
    whens = [flag.when for flag in kb.red_flags]
    now = compile_circuit(whens)
    satisfied = np.zeros((len(now.leaves), model.lik.shape[1]))
    for leaf, expr in enumerate(now.leaves):
        satisfied[leaf, [model.column(expr["finding"], s) for s in expr.get("states") or [expr["state"]]]] = (
            1.0
        )
    starts = np.cumsum([0] + [len(compile_circuit([w]).leaves) for w in whens])
    copies: list[tuple[int, int]] = []
    source: list[int] = []
    for i in range(len(whens)):
        own = range(starts[i], starts[i + 1])
        for finding_id in dict.fromkeys(now.leaves[leaf]["finding"] for leaf in own):
            for state in kb.findings[finding_id].state_ids:
                copies.append((i, model.column(finding_id, state)))
                source.extend(own)
    flags = np.array([i for i, _ in copies], dtype=np.intp)
    columns = np.array([c for _, c in copies], dtype=np.intp)
    leaf_finding = np.array([order[expr["finding"]] for expr in now.leaves], dtype=np.intp)
    column_finding = np.array([order[f] for f, _ in model.columns], dtype=np.intp)
    src = np.array(source, dtype=np.intp)
    copy_column = np.repeat(columns, [starts[i + 1] - starts[i] for i in flags])
    per_flag = np.bincount(flags, minlength=len(whens))
    copy_starts = np.cumsum([0, *per_flag])
    leaf_starts = np.cumsum([0] + [n * (starts[i + 1] - starts[i]) for i, n in enumerate(per_flag)])
    return RuleSet(
        levels=np.array([Level.parse(flag.level) for flag in kb.red_flags], dtype=np.int64),
        now=now,
        leaf_flag=np.repeat(np.arange(len(whens)), np.diff(starts)).astype(np.intp),
        finding_index=leaf_finding,
        satisfied=satisfied,
        given_cause=(model.lik @ satisfied.T).T,
        what_if=compile_circuit([whens[i] for i in flags]),
        what_if_each=tuple(compile_circuit([w] * n) for w, n in zip(whens, per_flag, strict=True)),
        copies=tuple(slice(a, b) for a, b in zip(copy_starts[:-1], copy_starts[1:], strict=True)),
        copy_leaves=tuple(slice(a, b) for a, b in zip(leaf_starts[:-1], leaf_starts[1:], strict=True)),
        flag=flags,
        column=columns,
        finding=column_finding[columns],
        source=src,
        fixed=leaf_finding[src] == column_finding[copy_column],
        fixed_value=satisfied[src, copy_column],
    )
