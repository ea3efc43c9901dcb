"""``mdnet report sources``: where the leads come from.  Pure.

The referrals are the vault's own (:attr:`~mdnet.model.Vault.referrals`, the
ones the referral rule sees: ``referred_by:``, links in ``met``/``replied``
lines, the lines ``mdnet refer`` writes), never a second reading of the notes.

For each person who referred someone: how many people directly, how many in
the whole chain beneath them, how many of those became a conversation, and
which target companies the chain reached.  The chains are drawn as trees from
each first contact; a person referred by several people sits in the tree under
whoever referred them first (as the referral rule dates them), so every person
is drawn once and the work is linear in the size of the vault.  A referrer with
no note is a source like any other (named as written); a cycle (Xia referred by
Yuri, Yuri referred by Xia) is reported, and drawn once with a ``cycle`` mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..model import Contact
from .common import Inputs, has_met, key_of


@dataclass(frozen=True, slots=True)
class Source:
    id: str  # the note's path, or "?name" for a referrer with no note
    name: str
    in_vault: bool
    direct: int  # people they referred you to
    chain: int  # everyone beneath them: the people they referred and their trees
    direct_met: int  # of the direct ones, how many you have met
    chain_met: int
    share: float  # direct / all referred people (0..1)
    companies: tuple[str, ...]  # target companies their chain reached


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One line of a drawn tree, in pre-order: ``depth`` 0 is the first contact."""

    id: str
    name: str
    depth: int
    last: bool  # the last of its siblings (for drawing)
    met: bool
    company: str | None
    cycle: bool = False  # this person again: the chain loops back to them


@dataclass(frozen=True, slots=True)
class Tree:
    root: str
    size: int  # people in the tree, the root included
    nodes: tuple[TreeNode, ...]


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
    trees: tuple[Tree, ...]  # one per first contact, largest first
    cycles: tuple[tuple[str, ...], ...]  # names around each cycle
    missing: tuple[Missing, ...]  # referrers with no note


@dataclass(slots=True)
class _Forest:
    """The referral chains' shape, shared by :func:`build` and :func:`around`."""

    by_path: dict[str, Contact]
    names: dict[str, str]  # note path (or ?name) -> name
    direct: dict[str, set[str]]  # referrer -> everyone they referred
    parent: dict[str, str]  # person -> their first referrer
    missing: dict[str, tuple[str, list[str], list[str]]]
    children: dict[str, list[str]]  # the trees' edges (each person under their first referrer), by name
    roots: list[str]
    cycles: tuple[tuple[str, ...], ...]
    broken: set[str]  # where each cycle is cut (drawn as a root)
    back: dict[str, str]  # the last of a cycle -> its first (drawn again under it, marked)


def _forest(inp: Inputs) -> _Forest:
    vault = inp.vault
    by_path: dict[str, Contact] = {c.path: c for c in vault.contacts}
    names: dict[str, str] = {p: c.name for p, c in by_path.items()}
    direct: dict[str, set[str]] = {}
    parent: dict[str, str] = {}
    missing: dict[str, tuple[str, list[str], list[str]]] = {}
    for path, refs in vault.referrals.items():  # each list is sorted: dated first, by date
        if path not in by_path:
            continue
        for r in refs:
            src = r.referrer if r.referrer else "?" + " ".join(r.referrer_name.split()).casefold()
            if src == path:
                continue
            if not r.referrer:
                entry = missing.setdefault(src, (r.referrer_name.strip(), [], []))
                entry[1].append(names[path])
                entry[2].append(f"{r.source}:{r.line}")
                names.setdefault(src, r.referrer_name.strip())
            direct.setdefault(src, set()).add(path)
            parent.setdefault(path, src)
    cycles, broken = _cycles(parent, names)
    children: dict[str, list[str]] = {}
    for p, src in parent.items():
        if p not in broken:
            children.setdefault(src, []).append(p)
    for kids in children.values():
        kids.sort(key=lambda q: (names[q].casefold(), q))
    roots = sorted((s for s in direct if s not in parent), key=lambda s: (names[s].casefold(), s))
    roots += sorted(broken, key=lambda s: (names[s].casefold(), s))
    back = {parent[r]: r for r in broken}  # the last of a cycle points back to its first
    return _Forest(by_path, names, direct, parent, missing, children, roots, cycles, broken, back)


def _walk(root: str, children: dict[str, list[str]]) -> Iterator[tuple[str, int, bool, bool]]:
    """The tree under ``root`` in pre-order: ``(id, depth, last, exiting)``, each node
    once entering and once exiting (after its children)."""
    stack: list[tuple[str, int, bool, bool]] = [(root, 0, True, False)]
    while stack:
        p, depth, last, exiting = stack.pop()
        yield p, depth, last, exiting
        if not exiting:
            stack.append((p, depth, last, True))
            kids = children.get(p, [])
            for i, k in enumerate(reversed(kids)):
                stack.append((k, depth + 1, i == 0, False))


def build(inp: Inputs) -> Sources:
    vault = inp.vault
    f = _forest(inp)
    by_path, names, direct, parent, missing = f.by_path, f.names, f.direct, f.parent, f.missing
    children, roots, cycles, back = f.children, f.roots, f.cycles, f.back

    # Only the people in a chain are looked at (a third of a vault, or none): not every contact.
    met = {p: has_met(vault.interactions.get(p, ()), inp.as_of) for p in (*parent, *direct) if p in by_path}
    targets = {k: t.name for t in inp.profile.targets if (k := key_of(t.name))}
    target_of = {p: targets.get(key_of(by_path[p].company) or "") for p in parent} if targets else {}

    trees: list[Tree] = []
    enter: dict[str, int] = {}
    leave: dict[str, int] = {}
    size: dict[str, int] = {}
    sub_met: dict[str, int] = {}
    sub_companies: dict[str, set[str]] = {}
    clock = 0
    for root in roots:
        nodes: list[TreeNode] = []
        for p, depth, last, exiting in _walk(root, children):
            if exiting:
                leave[p] = clock
                kids = children.get(p, ())
                size[p] = sum(1 + size[k] for k in kids)
                sub_met[p] = sum(sub_met[k] + met.get(k, False) for k in kids)
                found: set[str] = set()
                for k in kids:
                    found |= sub_companies[k]
                    if target_of.get(k):
                        found.add(target_of[k])  # type: ignore[arg-type]
                sub_companies[p] = found
                continue
            clock += 1
            enter[p] = clock
            c = by_path.get(p)
            nodes.append(TreeNode(p, names[p], depth, last, met.get(p, False), c.company if c else None))
        trees.append(Tree(root, 1 + size[root], tuple(nodes)))
    trees = _with_cycle_marks(trees, back, names, by_path, met)
    trees.sort(key=lambda t: (-t.size, names[t.root].casefold(), t.root))

    total = len(parent)
    sources = []
    for src, kids in direct.items():
        # The chain: their own tree, plus anyone they referred who sits in someone else's tree.
        inside = lambda q: enter.get(src, 0) < enter.get(q, -1) <= leave.get(src, -1)  # noqa: E731
        extra = [q for q in kids if not inside(q)]
        companies = set(sub_companies.get(src, ())) | {t for q in extra if (t := target_of.get(q))}
        sources.append(Source(
            id=src, name=names[src], in_vault=src in by_path, direct=len(kids),
            chain=size.get(src, 0) + len(extra),
            direct_met=sum(1 for q in kids if met[q]),
            chain_met=sub_met.get(src, 0) + sum(1 for q in extra if met[q]),
            share=round(len(kids) / total, 4) if total else 0.0,
            companies=tuple(sorted(companies, key=str.casefold))))
    sources.sort(key=lambda s: (-s.direct, -s.chain, s.name.casefold(), s.id))
    return Sources(
        as_of=inp.as_of.isoformat(), referred=total, referrals=sum(len(k) for k in direct.values()),
        sources=tuple(sources), trees=tuple(trees), cycles=cycles,
        missing=tuple(Missing(n, tuple(sorted(set(who))), tuple(where)) for _, (n, who, where) in sorted(missing.items())))


def around(inp: Inputs, person: str) -> tuple[TreeNode, ...]:
    """The referral tree around one person (a note's path, or ``?name``), as the Sources
    report draws the tree they are in: who referred them up the chain (each one's first
    referrer, to the tree's root; each drawn as the last and only child shown), the person,
    then everyone beneath them, recursively, in pre-order.  Empty when no referral names
    them.  Someone they referred who sits under an earlier referrer is in that referrer's
    tree, as on the Sources page.  Only this chain is looked at, not the whole report."""
    f = _forest(inp)
    if person not in f.parent and person not in f.direct:
        return ()
    up: list[str] = []
    q = person
    while q not in f.broken and q in f.parent:  # a cycle is cut where the trees cut it
        q = f.parent[q]
        up.append(q)

    def node(p: str, depth: int, last: bool, cycle: bool = False) -> TreeNode:
        c = f.by_path.get(p)
        met = has_met(inp.vault.interactions.get(p, ()), inp.as_of) if c else False
        return TreeNode(p, f.names[p], depth, last, met, c.company if c else None, cycle)

    above = [node(p, depth, True) for depth, p in enumerate(reversed(up))]
    below = [node(p, len(up) + depth, last or not depth) for p, depth, last, exiting in _walk(person, f.children)
             if not exiting]
    drawn = _with_cycle_marks([Tree(person, len(below), tuple(below))], f.back, f.names, f.by_path,
                              {r: node(r, 0, True).met for r in f.back.values()})  # the marks' met
    return (*above, *drawn[0].nodes)


def _cycles(parent: dict[str, str], names: dict[str, str]) -> tuple[tuple[tuple[str, ...], ...], set[str]]:
    """Loops in the first-referrer links: their names (from the first by name, in
    referral order) and the member each is broken at (drawn as the tree's root)."""
    state: dict[str, int] = {}  # 1 on the current walk, 2 done
    found: list[tuple[str, ...]] = []
    broken: set[str] = set()
    for start in parent:
        walk = []
        p: str | None = start
        while p is not None and p not in state:
            state[p] = 1
            walk.append(p)
            p = parent.get(p)
        if p is not None and state.get(p) == 1:  # came back onto this walk: a loop
            loop = walk[walk.index(p):]
            first = min(loop, key=lambda q: (names[q].casefold(), q))
            i = loop.index(first)
            # parent points from the referred to the referrer: read it backwards for "who referred whom"
            ordered = list(reversed(loop[i:] + loop[:i]))
            ordered = [first] + [q for q in ordered if q != first]
            found.append(tuple(names[q] for q in ordered))
            broken.add(first)
        for q in walk:
            state[q] = 2
    return tuple(sorted(found)), broken


def _with_cycle_marks(trees: list[Tree], back: dict[str, str], names: dict[str, str],
                      by_path: dict[str, Contact], met: dict[str, bool]) -> list[Tree]:
    """Add, under the last member of each cycle, a ``cycle`` line naming its first."""
    if not back:
        return trees
    out = []
    for t in trees:
        nodes: list[TreeNode] = []
        for i, n in enumerate(t.nodes):
            nodes.append(n)
            if n.id in back:
                r = back[n.id]
                has_kids = i + 1 < len(t.nodes) and t.nodes[i + 1].depth > n.depth
                # The mark goes first among the children, so siblings' "last" flags stay right.
                nodes.append(TreeNode(r, names[r], n.depth + 1, not has_kids, met.get(r, False),
                                      by_path[r].company if r in by_path else None, cycle=True))
        out.append(Tree(t.root, t.size, tuple(nodes)))
    return out
