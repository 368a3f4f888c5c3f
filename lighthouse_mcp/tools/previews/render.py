"""What a person reads before confirming: the preview of one gated call, as text and data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lighthouse_mcp.tools.quoting import one_line, quote

UNDO: dict[str, str] = {
    "read": "Changes nothing.",
    "write": "Reversible.",
    "disruptive": "Causes downtime; no data is lost.",
    "destructive": "CANNOT BE UNDONE: data or access is lost for good.",
    "billing": "Spends money; charges are not refunded automatically.",
}


@dataclass
class Preview:
    """Everything a person sees before confirming, plus what the gate re-checks later."""

    action: str
    region: str
    safety: str
    title: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    price: dict[str, Any] | None = None
    price_note: str | None = None
    dry_run: str | None = None
    phrase: str | None = None
    #: The call's own arguments, secrets blanked: what will be sent, word for word.
    request: dict[str, Any] = field(default_factory=dict)
    #: Why a person is asked, when rules over the arguments made this call risky.
    why: list[str] = field(default_factory=list)
    #: The action's own "can it be undone" sentence (the class's generic one otherwise).
    undo: str | None = None
    #: What the call loses, keeps, costs: sentences from the consequence table.
    consequences: list[str] = field(default_factory=list)
    #: Why the call is certain to fail, each naming the fix (then nobody is asked).
    refusals: list[str] = field(default_factory=list)

    @property
    def undo_text(self) -> str:
        return self.undo or UNDO[self.safety]

    def target_ids(self) -> list[str]:
        """The IDs shown, in order: the gate checks they are unchanged before running."""
        return [str(r["Id"]) for r in self.resources]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Action": self.action,
            "Region": self.region,
            "Class": self.safety,
            "Undo": self.undo_text,
            "Request": self.request,
            "Resources": self.resources,
        }
        if self.why:
            out["AskedBecause"] = self.why
        if self.consequences:
            out["Consequences"] = self.consequences
        if self.missing:
            out["NotFound"] = self.missing
        if self.extras:
            out["AlsoAffected"] = self.extras
        if self.price is not None:
            out["Price"] = self.price
        if self.price_note:
            out["PriceNote"] = self.price_note
        if self.dry_run:
            out["DryRun"] = self.dry_run
        if self.phrase:
            out["ConfirmPhrase"] = self.phrase
        return out

    def text(self) -> str:
        """The message a person reads; ends with the exact phrase to type when one is needed."""
        lines = [f"{self.title} ({self.action}) in {self.region}.", self.undo_text]
        lines += [f"Asked because {one_line(reason)}." for reason in self.why]
        if self.request:
            lines.append(
                "Request: " + ", ".join(f"{k}={_short(quote(v))}" for k, v in self.request.items())
            )
        for res in self.resources:
            details = ", ".join(
                f"{k}={_short(quote(v))}"
                for k, v in res.items()
                if k not in ("Id", "Kind") and v not in (None, "", [])
            )
            head = f"- {res['Kind']} {one_line(str(res['Id']))}"
            lines.append(head + (f": {details}" if details else ""))
        lines += [f"- not found now: {rid}" for rid in self.missing]
        lines += [f"- {one_line(line)}" for line in self.consequences]
        lines += [f"- {one_line(extra)}" for extra in self.extras]
        if self.price is not None:
            lines += [
                f"Price{'' if not path else ' (' + path + ')'}: {fields}"
                for path, fields in _price_lines(self.price)
            ]
        if self.price_note:
            lines.append(self.price_note)
        if self.dry_run:
            lines.append(f"Dry run: {self.dry_run}")
        if self.phrase:
            lines.append(f"To confirm, type exactly: `{self.phrase}`")
        return "\n".join(lines)


def _price_lines(price: Mapping[str, Any], path: str = "") -> list[tuple[str, str]]:
    """One line per priced object: the quote's nested structures (Price.InstancePrice,
    DiskPrice, ...) flattened so every figure and its currency stay readable."""
    scalars = [f"{k}={v}" for k, v in price.items() if not isinstance(v, (dict, list))]
    lines = [(path, ", ".join(scalars))] if scalars else []
    for key, value in price.items():
        sub = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            lines += _price_lines(value, sub)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    lines += _price_lines(item, f"{sub}[{index}]")
    return lines


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
