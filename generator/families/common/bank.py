"""The bank of conceptual questions (``templates/bank/*.toml``), loaded once and checked."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool


@dataclass(frozen=True)
class Item:
    id: str
    topic: str
    kind: str  # "tf" or "choice"
    prompt: str
    explanation: str
    answer: bool | None = None  # tf
    options: tuple[Option, ...] = ()  # choice


class BankError(ValueError):
    pass


def _item(raw: dict, source: str) -> Item:
    where = f"{source}: item {raw.get('id', '?')}"
    for field in ("id", "topic", "kind", "prompt", "explanation"):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise BankError(f"{where}: '{field}' must be non-empty text")
    if raw["kind"] == "tf":
        if not isinstance(raw.get("answer"), bool):
            raise BankError(f"{where}: a tf item needs answer = true or false")
        return Item(
            raw["id"], raw["topic"], "tf", raw["prompt"], raw["explanation"], answer=raw["answer"]
        )
    if raw["kind"] == "choice":
        options = tuple(Option(o["text"], bool(o["correct"])) for o in raw.get("options", []))
        if not 3 <= len(options) <= 6:
            raise BankError(f"{where}: a choice item needs 3 to 6 options")
        if not any(o.correct for o in options) or len({o.text for o in options}) < len(options):
            raise BankError(f"{where}: options must be distinct with at least one correct")
        return Item(
            raw["id"], raw["topic"], "choice", raw["prompt"], raw["explanation"], options=options
        )
    raise BankError(f"{where}: kind must be tf or choice")


@cache
def items() -> dict[str, Item]:
    bank: dict[str, Item] = {}
    for entry in sorted(files("templates").joinpath("bank").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        for raw in tomllib.loads(entry.read_text(encoding="utf-8")).get("items", []):
            item = _item(raw, entry.name)
            if item.id in bank:
                raise BankError(f"{entry.name}: item id {item.id} appears twice")
            bank[item.id] = item
    return bank


def of_kind(kind: str, topic: str | None = None) -> list[Item]:
    return [i for i in items().values() if i.kind == kind and (topic is None or i.topic == topic)]


def topics() -> list[str]:
    return sorted({i.topic for i in items().values()})
