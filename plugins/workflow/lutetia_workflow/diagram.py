"""A workflow drawn as an SVG image, from its definition alone: no JavaScript, no library.

States are rounded boxes in their colour, laid out in columns by their distance from the initial
state (breadth first); actions are arrows labelled with their name, styled by what starts them.
Arrows to an earlier column curve below the boxes, arrows within a column curve on its right,
an action that stays in its state loops above the box.

Accessible: the image has a title and a description that lists the states and the actions in
words (what the arrows show, and their conditions), so a screen-reader user reads what a sighted
user sees. Every text comes from administrators, so every text is escaped. The same definition
and title always give the same markup (the designer's page and tests compare it).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import definition as wf
from .validation import chosen_states

BOX_W = 168
BOX_H = 52
GAP_X = 170
GAP_Y = 64
MARGIN = 40
TOP = 64  # room for the loops of actions that stay in a state of the first row
STATE_FONT = 13
LABEL_FONT = 11
LINE_CHARS = 22  # characters of a state's name per line (two lines at most)
LABEL_CHARS = 32
INK = "#1e1e1e"
ALTERNATIVE_COLOUR = "#c9191e"


@dataclass(frozen=True)
class Style:
    colour: str
    dash: str = ""
    width: float = 1.6
    cap: str = "butt"


#: One look per trigger; the dash patterns differ too, so colour is never the only difference.
STYLES = {
    wf.Trigger.MANUAL: Style(INK),
    wf.Trigger.AUTOMATIC: Style(INK, "7 4"),
    wf.Trigger.TIMED: Style(INK, "1 4", 2.2, "round"),
    wf.Trigger.CITIZEN: Style("#0b5cad", "10 3 2 3", 1.8),
    wf.Trigger.API: Style("#6e3fa3", "10 3 2 3 2 3", 1.8),
}
ALTERNATIVE = Style(ALTERNATIVE_COLOUR, "", 1.0)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- colours ------------------------------------------------------------------------------


def luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (WCAG 2)."""
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours, from 1 to 21 (WCAG 2)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(fill: str) -> str:
    """A colour for text on ``fill`` with a contrast of at least 4.5:1 (white, else dark grey,
    else black: one of white and black always reaches 4.5:1)."""
    for candidate in ("#ffffff", INK):
        if contrast(candidate, fill) >= 4.5:
            return candidate
    return "#000000"


def _fill(state: wf.State) -> str:
    return state.colour.lower() if wf.COLOUR.match(state.colour or "") else "#6a6a6a"


# --- words --------------------------------------------------------------------------------


def delay_text(minutes: int) -> str:
    """A delay in short words: "15 d", "4 h", "1 d 2 h", "45 min"."""
    days, rest = divmod(max(int(minutes), 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)s min") % {"n": mins})
    return " ".join(parts)


def _trigger_words(action: wf.Action) -> str:
    if action.trigger == wf.Trigger.TIMED:
        return _("timed, after %(delay)s in the state") % {
            "delay": delay_text(action.delay_minutes)
        }
    return {
        wf.Trigger.MANUAL: _("done by an agent"),
        wf.Trigger.AUTOMATIC: _("automatic"),
        wf.Trigger.CITIZEN: _("done by the citizen"),
        wf.Trigger.API: _("started by another system (API)"),
    }.get(action.trigger, action.trigger)


def _label(action: wf.Action) -> str:
    name = _shorten(action.name, LABEL_CHARS)
    if action.trigger == wf.Trigger.TIMED:
        return f"{name} ({delay_text(action.delay_minutes)})"
    return name


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _lines(name: str) -> list[str]:
    """A state's name in at most two lines of `LINE_CHARS`, cut by words when it can be."""
    lines: list[str] = []
    current = ""
    for word in name.split():
        while len(word) > LINE_CHARS:  # a very long word is cut wherever it must be
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:LINE_CHARS])
            word = word[LINE_CHARS:]
        if current and len(current) + 1 + len(word) > LINE_CHARS:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], _shorten(" ".join(lines[1:]), LINE_CHARS)]
    return lines or [""]


def _e(text) -> str:
    """Text escaped for XML (characters XML cannot hold at all are dropped)."""
    return str(escape(_CONTROL.sub("", str(text))))


def _n(value: float) -> str:
    """A coordinate, written the same way every time."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- layout ---------------------------------------------------------------------------------


def _destinations(action: wf.Action) -> list[tuple[str, str]]:
    """(state, kind) the action's arrows go to: "main", "rule" (chosen by a rule), "alternative"."""
    found: list[tuple[str, str]] = [(action.target, "main")]
    seen = {action.target}
    for task in action.tasks:
        for key in chosen_states(task):
            if key not in seen:
                seen.add(key)
                found.append((key, "rule"))
    if action.alternative_target and action.alternative_target not in seen:
        found.append((action.alternative_target, "alternative"))
    return found


def columns(definition: wf.Definition) -> list[list[str]]:
    """State keys by column: breadth-first distance from the initial state; states that cannot
    be reached come last, in a column of their own. Within a column, a state sits near the
    states that lead to it (the mean row of its predecessors), then in definition order."""
    known = [state.key for state in definition.states]
    initial = next((state.key for state in definition.states if state.initial), known[0])
    distance = {initial: 0}
    queue = [initial]
    for key in queue:  # the list grows while it is read: breadth first
        for action in definition.actions_from(key):
            for target, _kind in _destinations(action):
                if target in known and target not in distance:
                    distance[target] = distance[key] + 1
                    queue.append(target)
    last = max(distance.values()) + 1
    for key in known:
        distance.setdefault(key, last)
    predecessors: dict[str, list[str]] = {key: [] for key in known}
    for action in definition.actions:
        for source in action.sources:
            for target, _kind in _destinations(action):
                if target in predecessors and source in distance:
                    predecessors[target].append(source)
    result: list[list[str]] = []
    row: dict[str, int] = {}
    for column in range(max(distance.values()) + 1):
        keys = [key for key in known if distance[key] == column]

        def weight(key: str) -> tuple[float, int]:
            rows = [row[p] for p in predecessors[key] if p in row and distance[p] < distance[key]]
            return (sum(rows) / len(rows) if rows else float(len(known)), known.index(key))

        keys.sort(key=weight)
        row.update({key: index for index, key in enumerate(keys)})
        if keys:
            result.append(keys)
    return result


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    column: int

    @property
    def cx(self) -> float:
        return self.x + BOX_W / 2

    @property
    def cy(self) -> float:
        return self.y + BOX_H / 2

    @property
    def right(self) -> float:
        return self.x + BOX_W

    @property
    def bottom(self) -> float:
        return self.y + BOX_H


def _boxes(definition: wf.Definition) -> dict[str, Box]:
    layout = columns(definition)
    tallest = max(len(keys) for keys in layout)
    boxes = {}
    for column, keys in enumerate(layout):
        # Columns are centred on the tallest one.
        offset = (tallest - len(keys)) * (BOX_H + GAP_Y) / 2
        for row, key in enumerate(keys):
            boxes[key] = Box(
                x=MARGIN + column * (BOX_W + GAP_X),
                y=TOP + offset + row * (BOX_H + GAP_Y),
                column=column,
            )
    return boxes


@dataclass
class Arrow:
    action: wf.Action
    source: str
    target: str
    kind: str  # "main", "rule", "alternative"
    path: str = ""
    points: tuple[tuple[float, float], ...] = ()
    label_x: float = 0
    label_y: float = 0
    anchor: str = "middle"


def _arrows(definition: wf.Definition, boxes: dict[str, Box]) -> list[Arrow]:
    arrows = [
        Arrow(action, source, target, kind)
        for action in definition.actions
        for source in action.sources
        for target, kind in _destinations(action)
        if source in boxes and target in boxes
    ]
    # Arrows between the same two states are spread apart, each by its rank among them.
    groups: dict[tuple[str, ...], list[Arrow]] = {}
    for arrow in arrows:
        key = tuple(sorted((arrow.source, arrow.target)))
        groups.setdefault(key, []).append(arrow)
    loops: dict[str, int] = {}
    # Spans (first, last column) of the arrows going back, drawn deeper the more they overlap.
    backs: list[tuple[int, int]] = []
    for group in groups.values():
        for rank, arrow in enumerate(group):
            spread = rank - (len(group) - 1) / 2
            source, target = boxes[arrow.source], boxes[arrow.target]
            if arrow.source == arrow.target:
                k = loops.get(arrow.source, 0)
                loops[arrow.source] = k + 1
                _self_loop(arrow, source, k)
            elif target.column > source.column:
                _forward(arrow, source, target, spread)
            elif target.column == source.column:
                _sideways(arrow, source, target, rank)
            else:
                span = (target.column, source.column)
                k = sum(1 for first, last in backs if first <= span[1] and span[0] <= last)
                backs.append(span)
                spanned = [
                    box.bottom
                    for box in boxes.values()
                    if target.column <= box.column <= source.column
                ]
                _backward(arrow, source, target, k, max(spanned))
    _spread_labels(arrows, boxes)
    return arrows


def _label_box(arrow: Arrow) -> tuple[float, float, float, float]:
    width = len(_label(arrow.action)) * LABEL_FONT * 0.6
    left = arrow.label_x if arrow.anchor == "start" else arrow.label_x - width / 2
    return left, arrow.label_y - LABEL_FONT, left + width, arrow.label_y + 3


def _spread_labels(arrows: list[Arrow], boxes: dict[str, Box]) -> None:
    """Move a label down, a line at a time, while it covers a box or a label placed before it."""
    placed = [(box.x, box.y, box.right, box.bottom) for box in boxes.values()]
    for arrow in arrows:
        if arrow.kind == "alternative":
            continue  # not labelled
        for _attempt in range(6):
            x1, y1, x2, y2 = _label_box(arrow)
            if not any(x1 < b[2] and b[0] < x2 and y1 < b[3] and b[1] < y2 for b in placed):
                break
            arrow.label_y += LABEL_FONT + 2
        placed.append(_label_box(arrow))


def _cubic(arrow: Arrow, p0, p1, p2, p3) -> None:
    arrow.path = "M {} {} C {} {}, {} {}, {} {}".format(*(_n(v) for v in (*p0, *p1, *p2, *p3)))
    arrow.points = tuple(_bezier(t / 10, p0, p1, p2, p3) for t in range(11))
    # The curve's middle (t = 1/2) is where its label goes.
    arrow.label_x = (p0[0] + 3 * p1[0] + 3 * p2[0] + p3[0]) / 8
    arrow.label_y = (p0[1] + 3 * p1[1] + 3 * p2[1] + p3[1]) / 8


def _bezier(t: float, p0, p1, p2, p3) -> tuple[float, float]:
    weights = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3)
    return (
        sum(w * p[0] for w, p in zip(weights, (p0, p1, p2, p3), strict=True)),
        sum(w * p[1] for w, p in zip(weights, (p0, p1, p2, p3), strict=True)),
    )


def _forward(arrow: Arrow, source: Box, target: Box, spread: float) -> None:
    bend = spread * 26
    start = (source.right, source.cy + max(min(spread * 8, BOX_H / 2 - 6), -BOX_H / 2 + 6))
    end = (target.x - 2, target.cy + max(min(spread * 8, BOX_H / 2 - 6), -BOX_H / 2 + 6))
    half = (end[0] - start[0]) / 2
    _cubic(
        arrow,
        start,
        (start[0] + half, start[1] + bend),
        (end[0] - half, end[1] + bend),
        end,
    )
    arrow.label_y -= 4


def _sideways(arrow: Arrow, source: Box, target: Box, rank: int) -> None:
    reach = 46 + 22 * rank
    start = (source.right, source.cy)
    end = (target.right + 2, target.cy)
    _cubic(arrow, start, (start[0] + reach, start[1]), (end[0] + reach, end[1]), end)
    arrow.label_x += 4
    arrow.anchor = "start"


def _backward(arrow: Arrow, source: Box, target: Box, rank: int, lowest: float) -> None:
    """Below the boxes of the columns it goes back across."""
    depth = lowest + 44 + 24 * rank
    start = (source.cx - 10, source.bottom)
    end = (target.cx + 10, target.bottom + 2)
    _cubic(arrow, start, (start[0], depth), (end[0], depth), end)
    arrow.label_y += 12


def _self_loop(arrow: Arrow, box: Box, rank: int) -> None:
    width = 22 + 8 * rank
    height = 46 + 22 * rank
    start = (box.cx - width, box.y)
    end = (box.cx + width, box.y - 2)
    _cubic(
        arrow,
        start,
        (box.cx - width - 26, box.y - height),
        (box.cx + width + 26, box.y - height),
        end,
    )
    arrow.label_y -= 4


# --- drawing ------------------------------------------------------------------------------


def _id_prefix(definition: wf.Definition, title: str) -> str:
    """Ids unique to this drawing (two diagrams on one page keep their own markers), and the
    same for the same definition."""
    digest = hashlib.sha256(
        json.dumps([title, definition.to_json()], sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"wfd-{digest[:10]}"


def _marker(prefix: str, name: str, colour: str) -> str:
    return (
        f'<marker id="{prefix}-{name}" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
    )


def _stroke(style: Style, marker: str, width: float | None = None) -> str:
    attrs = (
        f'fill="none" stroke="{style.colour}" stroke-width="{_n(width or style.width)}" '
        f'stroke-linecap="{style.cap}" marker-end="url(#{marker})"'
    )
    if style.dash:
        attrs += f' stroke-dasharray="{style.dash}"'
    return attrs


def _description(definition: wf.Definition) -> str:
    from .conditions import describe

    names = {state.key: state.name for state in definition.states}
    states = []
    for state in definition.states:
        marks = []
        if state.initial:
            marks.append(_("initial"))
        if state.final:
            marks.append(_("final"))
        states.append(f"{state.name} ({', '.join(marks)})" if marks else state.name)
    sentences = [_("States: %(states)s.") % {"states": "; ".join(states)}]
    if not definition.actions:
        sentences.append(_("No action yet."))
    for action in definition.actions:
        text = _("Action “%(action)s”, %(trigger)s: from %(sources)s to %(target)s") % {
            "action": action.name,
            "trigger": _trigger_words(action),
            "sources": ", ".join(names.get(key, key) for key in action.sources),
            "target": names.get(action.target, action.target),
        }
        rules = [key for key, kind in _destinations(action) if kind == "rule"]
        if rules:
            text += _("; rules may choose %(states)s") % {
                "states": ", ".join(names.get(key, key) for key in rules)
            }
        if action.conditions:
            text += _("; if %(conditions)s") % {"conditions": describe(action.conditions)}
        if action.alternative_target:
            text += _("; otherwise to %(state)s") % {
                "state": names.get(action.alternative_target, action.alternative_target)
            }
        sentences.append(text + ".")
    return " ".join(sentences)


def _legend(prefix: str, y: float) -> tuple[str, float]:
    """A key to the arrows' looks, on one row; returns the markup and its right edge."""
    items = [
        (STYLES[wf.Trigger.MANUAL], "manual", _("by an agent")),
        (STYLES[wf.Trigger.AUTOMATIC], "automatic", _("automatic")),
        (STYLES[wf.Trigger.TIMED], "timed", _("timed")),
        (STYLES[wf.Trigger.CITIZEN], "citizen", _("by the citizen")),
        (STYLES[wf.Trigger.API], "api", _("by the API")),
        (ALTERNATIVE, "alternative", _("if it fails")),
    ]
    parts = ['<g class="legend" aria-hidden="true">']
    x = MARGIN
    for style, marker, text in items:
        parts.append(
            f'<path d="M {_n(x)} {_n(y)} L {_n(x + 34)} {_n(y)}" '
            f"{_stroke(style, f'{prefix}-{marker}')}/>"
            f'<text x="{_n(x + 42)}" y="{_n(y + 4)}" font-size="{LABEL_FONT}" fill="{INK}">'
            f"{_e(text)}</text>"
        )
        x += 52 + len(str(text)) * 6.4
    parts.append("</g>")
    return "".join(parts), x


def svg(definition: wf.Definition, *, title: str) -> SafeString:
    """The workflow as an SVG image (markup safe to put in a page: every text is escaped)."""
    prefix = _id_prefix(definition, title)
    if not definition.states:
        boxes: dict[str, Box] = {}
        arrows: list[Arrow] = []
    else:
        boxes = _boxes(definition)
        arrows = _arrows(definition, boxes)

    # The canvas: every box, curve and (estimated) label fits; loops above the first row may
    # need the drawing moved down.
    left = min([MARGIN - 32.0] + [x for arrow in arrows for x, _y in arrow.points])
    top = min([TOP - 8.0] + [y for arrow in arrows for _x, y in arrow.points])
    right = max([box.right for box in boxes.values()] + [MARGIN + BOX_W])
    bottom = max([box.bottom for box in boxes.values()] + [TOP + BOX_H])
    for arrow in arrows:
        width = len(_label(arrow.action)) * LABEL_FONT * 0.6
        label_right = arrow.label_x + (width if arrow.anchor == "start" else width / 2)
        right = max(right, label_right, *(x for x, _y in arrow.points))
        bottom = max(bottom, arrow.label_y + 4, *(y for _x, y in arrow.points))
        top = min(top, arrow.label_y - LABEL_FONT)
    shift_x, shift_y = max(0.0, 8 - left), max(0.0, 8 - top)
    legend, legend_right = _legend(prefix, bottom + 36)
    width = max(right, legend_right) + MARGIN + shift_x
    height = bottom + 36 + 24 + shift_y

    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" class="lutetia-workflow-svg" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f'<title id="{title_id}">{_e(title)}</title>',
        f'<desc id="{desc_id}">{_e(_description(definition))}</desc>',
        "<defs>",
        *(_marker(prefix, trigger, style.colour) for trigger, style in STYLES.items()),
        _marker(prefix, "alternative", ALTERNATIVE_COLOUR),
        "</defs>",
        f'<g transform="translate({_n(shift_x)} {_n(shift_y)})">',
    ]

    # Arrows first, so the boxes cover their ends; grouped by action.
    by_action: dict[str, list[Arrow]] = {}
    for arrow in arrows:
        by_action.setdefault(arrow.action.key, []).append(arrow)
    for action in definition.actions:
        out.append(
            f'<g class="action action-{_e(action.trigger)}" data-action="{_e(action.key)}">'
            f"<title>{_e(action.name)}</title>"
        )
        for arrow in by_action.get(action.key, []):
            style = ALTERNATIVE if arrow.kind == "alternative" else STYLES[action.trigger]
            marker = "alternative" if arrow.kind == "alternative" else action.trigger
            width = 1.0 if arrow.kind == "rule" else None
            out.append(
                f'<path class="arrow arrow-{arrow.kind}" d="{arrow.path}" '
                f"{_stroke(style, f'{prefix}-{marker}', width)}/>"
            )
            if arrow.kind == "alternative":
                continue  # thin and red: the key says what it is; the description names it
            text = _label(action)
            if arrow.kind == "rule":
                text = _("%(action)s (by rule)") % {"action": text}
            out.append(
                f'<text class="label" x="{_n(arrow.label_x)}" y="{_n(arrow.label_y)}" '
                f'text-anchor="{arrow.anchor}" font-size="{LABEL_FONT}" fill="{INK}" '
                f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{_e(text)}</text>'
            )
        out.append("</g>")

    for state in definition.states:
        box = boxes[state.key]
        fill = _fill(state)
        ink = text_colour(fill)
        classes = "state" + (" state-initial" if state.initial else "")
        classes += " state-final" if state.final else ""
        out.append(
            f'<g class="{classes}" data-state="{_e(state.key)}"><title>{_e(state.name)}</title>'
        )
        if state.initial:
            out.append(
                f'<circle cx="{_n(box.x - 24)}" cy="{_n(box.cy)}" r="6" fill="{INK}"/>'
                f'<path d="M {_n(box.x - 18)} {_n(box.cy)} L {_n(box.x - 2)} {_n(box.cy)}" '
                f"{_stroke(STYLES[wf.Trigger.MANUAL], f'{prefix}-manual')}/>"
            )
        out.append(
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{BOX_W}" height="{BOX_H}" rx="10" '
            f'fill="{fill}" stroke="{INK}" stroke-width="1.5"/>'
        )
        if state.final:
            out.append(
                f'<rect x="{_n(box.x + 4)}" y="{_n(box.y + 4)}" width="{BOX_W - 8}" '
                f'height="{BOX_H - 8}" rx="7" fill="none" stroke="{ink}" stroke-width="1.2"/>'
            )
        lines = _lines(state.name)
        first = box.cy - (len(lines) - 1) * (STATE_FONT + 2) / 2 + STATE_FONT * 0.35
        weight = ' font-weight="bold"' if state.initial else ""
        out.append(
            f'<text x="{_n(box.cx)}" y="{_n(first)}" text-anchor="middle" '
            f'font-size="{STATE_FONT}" fill="{ink}"{weight}>'
        )
        for index, line in enumerate(lines):
            dy = "0" if index == 0 else str(STATE_FONT + 2)
            out.append(f'<tspan x="{_n(box.cx)}" dy="{dy}">{_e(line)}</tspan>')
        out.append("</text></g>")

    out.append(legend)
    out.append("</g></svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text above went through _e)
