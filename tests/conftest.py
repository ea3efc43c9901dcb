from __future__ import annotations

from pathlib import Path

import pytest


class VaultDir:
    """A real vault folder in a temporary directory, with helpers to write notes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / ".obsidian").mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, text: str | bytes) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = text.encode("utf-8")
        p.write_bytes(text)
        return p

    def person(self, name: str, props: str = "", log: str = "", folder: str = "People") -> Path:
        body = f"---\n{props}---\n# {name}\n\n## Log\n{log}" if props else f"# {name}\n\n## Log\n{log}"
        return self.write(f"{folder}/{name}.md", body)

    def snapshot(self) -> dict[str, bytes]:
        """Every file outside .mdnet/, as bytes (to prove mdnet changed none)."""
        return {p.relative_to(self.root).as_posix(): p.read_bytes()
                for p in sorted(self.root.rglob("*")) if p.is_file() and ".mdnet" not in p.parts}


@pytest.fixture(autouse=True)
def no_locale_holidays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's locale must not change a result: rules.holidays defaults to the
    locale's country, so every test runs with a locale that names none."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LC_TIME", "C")


@pytest.fixture
def vault(tmp_path: Path) -> VaultDir:
    return VaultDir(tmp_path / "vault")
