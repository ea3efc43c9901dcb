"""``mdnet report sources``: where the leads come from.  Pure.

The referrals are the vault's own (:attr:`~mdnet.model.Vault.referrals`, the
ones the referral rule sees: ``referred_by:``, links in ``met``/``replied``
lines, the lines ``mdnet refer`` writes), never a second reading of the notes.
For each person who referred someone: how many directly, how many in the
whole chain beneath them, how many of those became a conversation, and which
target companies the chain reached; each chain drawn as a tree from its first
contact.  A referrer with no note in the vault is a source like any other
(named as written); a cycle in ``referred_by`` is reported, never followed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import Inputs, has_met, key_of

TOP = 10


@dataclass(frozen=True, slots=True)
class Source:
    id: str  # the note's path, or "?NAME" for a referrer with no note
    name: str
    in_vault: bool
    direct: int  # people they referred you to
    chain: int  # everyone beneath them, at any depth
    direct_met: int  # of the direct ones, how many you have met
    chain_met: int
    share: float  # direct / all referred people (0..1)
    companies: tuple[str, ...]  # target companies their chain reached


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    met: bool
    company: str | None
    children: tuple["Node", ...] = ()
    repeat: str | None = None  # "cycle" (an ancestor again) or "shown" (already drawn in this tree)


@dataclass(frozen=True, slots=True)
class Missing:
    name: str  # the referrer as written
    referred: tuple[str, ...]  # names of the people they referred
    where: tuple[str, ...]  # PATH:LINE of each mention


@dataclass(frozen=True, slots=True)
class Sources:
    as_of: str
    referred: int  # people in the vault someone referred you to
    referrals: int  # referrer -> person pairs
    sources: tuple[Source, ...]  # by direct referrals, then chain, then name
    trees: tuple[Node, ...]  # one per first contact, largest first
    cycles: tuple[tuple[str, ...], ...]  # names around each cycle
    missing: tuple[Missing, ...]  # referrers with no note


def build(inp: Inputs) -> Sources:
    vault = inp.vault
    by_path = {c.path: c for c in vault.contacts}
    names: dict[str, str] = {p: c.name for p, c in by_path.items()}
    children: dict[str, set[str]] = {}
    parents: dict[str, set[str]] = {}
    missing: dict[str, tuple[str, list[str], list[str]]] = {}
    for path, refs in vault.referrals.items():
        if path not in by_path:
            continue
        for r in refs:
            src = r.referrer if r.referrer else "?" + r.referrer_name.strip().casefold()
            if src == path:
                continue
            if not r.referrer:
                entry = missing.setdefault(src, (r.referrer_name.strip(), [], []))
                entry[1].append(names[path])
                entry[2].append(f"{r.source}:{r.line}")
                names.setdefault(src, r.referrer_name.strip())
            children.setdefault(src, set()).add(path)
            parents.setdefault(path, set()).add(src)

    targets = {k: t.name for t in inp.profile.targets if (k := key_of(t.name))}
    met = {p: has_met(vault.interactions.get(p, ())) for p in by_path}
    total = len(parents)
    sources = []
    for src, kids in children.items():
        chain = _below(src, children)
        companies = sorted({targets[k] for p in chain if (k := key_of(by_path[p].company)) in targets})
        sources.append(Source(
            id=src, name=names[src], in_vault=src in by_path, direct=len(kids), chain=len(chain),
            direct_met=sum(1 for p in kids if met[p]), chain_met=sum(1 for p in chain if met[p]),
            share=round(len(kids) / total, 4) if total else 0.0, companies=tuple(companies)))
    sources.sort(key=lambda s: (-s.direct, -s.chain, s.name.casefold(), s.id))

    cycles = _cycles(children)
    roots = [p for p in children if not parents.get(p)]
    # A cycle no one outside it leads into still gets drawn, from its first member by name.
    reached = set(roots) | {q for r in roots for q in _below(r, children)}
    for cyc in cycles:
        if not reached.intersection(cyc):
            first = min(cyc, key=lambda p: (names[p].casefold(), p))
            roots.append(first)
            reached |= {first} | _below(first, children)
    trees = [_tree(r, children, names, met, by_path) for r in roots]
    trees.sort(key=lambda n: (-_size(n), n.name.casefold(), n.id))
    return Sources(
        as_of=inp.as_of.isoformat(), referred=total, referrals=sum(len(k) for k in children.values()),
        sources=tuple(sources), trees=tuple(trees),
        cycles=tuple(tuple(names[p] for p in cyc) for cyc in cycles),
        missing=tuple(Missing(n, tuple(sorted(set(who))), tuple(where))
                      for _, (n, who, where) in sorted(missing.items())))


def _below(start: str, children: dict[str, set[str]]) -> set[str]:
    """Everyone reachable from ``start`` (not ``start`` itself, even in a cycle)."""
    seen: set[str] = set()
    stack = list(children.get(start, ()))
    while stack:
        p = stack.pop()
        if p in seen or p == start:
            continue
        seen.add(p)
        stack.extend(children.get(p, ()))
    return seen


def _cycles(children: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one person (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[tuple[str, ...]] = []
    counter = 0
    for root in sorted(children):
        if root in index:
            continue
        work = [(root, iter(sorted(children.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(children.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(tuple(sorted(comp)))
    return sorted(out)


def _tree(root: str, children: dict[str, set[str]], names: dict[str, str], met: dict[str, bool],
          by_path: dict) -> Node:  # type: ignore[type-arg]
    shown: set[str] = set()

    def node(p: str, path: frozenset[str]) -> Node:
        c = by_path.get(p)
        base = dict(id=p, name=names[p], met=met.get(p, False), company=c.company if c else None)
        if p in path:
            return Node(**base, repeat="cycle")
        if p in shown:
            return Node(**base, repeat="shown")
        shown.add(p)
        kids = sorted(children.get(p, ()), key=lambda q: (names[q].casefold(), q))
        return Node(**base, children=tuple(node(q, path | {p}) for q in kids))

    return node(root, frozenset())


def _size(n: Node) -> int:
    return 1 + sum(_size(c) for c in n.children)

