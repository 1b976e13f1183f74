"""`Registry[T]`: one typed registry per extension point, keyed by a stable id.

The id is what the database stores (a form field's type, a workflow task's type, a theme), so
once published it never changes::

    field_types: Registry[type[FieldType]] = Registry("form field types")

    @field_types.register("short_text")
    class ShortText(FieldType): ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


class Registry(Generic[T]):
    """Interchangeable implementations of one extension point, by id, in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, id: str) -> Callable[[T], T]:
        """Decorator: ``@registry.register("id")`` records the decorated object under ``id``."""
        if not isinstance(id, str) or not ID_PATTERN.match(id):
            raise ImproperlyConfigured(
                f"{self.name}: {id!r} is not a valid id (lower-case letters, digits, '_', '.', '-', "
                "starting with a letter)"
            )

        def decorator(item: T) -> T:
            if id in self._items and self._items[id] is not item:
                raise ImproperlyConfigured(
                    f"{self.name}: the id {id!r} is already taken by {self._items[id]!r}"
                )
            self._items[id] = item
            return item

        return decorator

    def unregister(self, id: str) -> None:
        del self._items[id]

    def __getitem__(self, id: str) -> T:
        try:
            return self._items[id]
        except KeyError:
            raise KeyError(f"{self.name}: no entry with id {id!r}") from None

    def get(self, id: str, default: T | None = None) -> T | None:
        return self._items.get(id, default)

    def __contains__(self, id: object) -> bool:
        return id in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def choices(self) -> list[tuple[str, str]]:
        """(id, label) pairs for a form field; the label is the item's ``verbose_name``."""
        return [(id, str(getattr(item, "verbose_name", id))) for id, item in self._items.items()]

    def __repr__(self) -> str:
        return f"<Registry {self.name!r}: {', '.join(self._items) or 'empty'}>"
