"""The workflow's picture: an SVG drawn from the definition, readable by screen readers too."""

import xml.etree.ElementTree as ET

import pytest
from lutetia_workflow import definition as wf
from lutetia_workflow.diagram import columns, contrast, delay_text, svg, text_colour
from workflow_samples import message_workflow

NS = {"svg": "http://www.w3.org/2000/svg"}


def draw(data: dict, title: str = "Messages to the town hall") -> ET.Element:
    # Our own output, parsed to prove it is well-formed XML: no untrusted document here.
    return ET.fromstring(str(svg(wf.parse(data, check_types=False), title=title)))  # noqa: S314


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{{{NS['svg']}}}g") if kind in g.get("class", "").split()]


def text_of(element: ET.Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def test_it_is_an_image_with_a_title_and_a_description(definition):
    root = draw(definition)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title.get("id") == title_id and title.text == "Messages to the town hall"
    assert desc.get("id") == desc_id
    assert not root.findall(".//svg:script", NS)
    assert "javascript" not in ET.tostring(root, encoding="unicode").lower()


def test_each_state_is_one_box_with_its_name(definition):
    root = draw(definition)
    states = groups(root, "state")
    assert [g.get("data-state") for g in states] == [s["key"] for s in definition["states"]]
    for group, state in zip(states, definition["states"], strict=True):
        assert group.find("svg:title", NS).text == state["name"]
        assert text_of(group.find("svg:text", NS)).endswith(state["name"].split()[-1])
        assert group.find("svg:rect", NS).get("fill") == state.get("colour", "#6a6a6a")


def test_each_action_is_an_arrow_with_its_label(definition):
    root = draw(definition)
    actions = groups(root, "action")
    assert [g.get("data-action") for g in actions] == [a["key"] for a in definition["actions"]]
    for group, action in zip(actions, definition["actions"], strict=True):
        arrows = group.findall("svg:path", NS)
        main = [p for p in arrows if "arrow-main" in p.get("class")]
        assert len(main) == len(action["sources"])  # one arrow from each source state
        assert all(p.get("marker-end", "").startswith("url(#") for p in arrows)
        assert all(action["name"] in t.text for t in group.findall("svg:text", NS))


def test_the_trigger_shows_in_the_arrow_and_the_delay_in_the_label(definition):
    root = draw(definition)
    by_key = {g.get("data-action"): g for g in groups(root, "action")}

    def main_path(key):
        return next(
            p for p in by_key[key].findall("svg:path", NS) if "arrow-main" in p.get("class")
        )

    assert main_path("take").get("stroke-dasharray") is None  # manual: solid
    assert main_path("close_silent").get("stroke-dasharray") == "1 4"  # timed: dotted
    assert "(30 d)" in text_of(by_key["close_silent"])
    assert main_path("withdraw").get("stroke-dasharray") != main_path("paid").get(
        "stroke-dasharray"
    )
    styles = {main_path(key).get("stroke-dasharray") for key in ("take", "withdraw", "paid")}
    assert len(styles) == 3  # manual, citizen, API: three looks, not only three colours

    definition["actions"].append(
        {
            "key": "auto",
            "name": "Auto",
            "sources": ["problem"],
            "target": "in_progress",
            "trigger": "automatic",
        }
    )
    automatic = next(
        g for g in groups(draw(definition), "action") if g.get("data-action") == "auto"
    )
    assert automatic.find("svg:path", NS).get("stroke-dasharray") == "7 4"


def test_an_alternative_target_is_a_thin_red_arrow(definition):
    root = draw(definition)
    group = next(g for g in groups(root, "action") if g.get("data-action") == "break_softly")
    [alternative] = [
        p for p in group.findall("svg:path", NS) if "arrow-alternative" in p.get("class")
    ]
    assert alternative.get("stroke") == "#c9191e"
    assert float(alternative.get("stroke-width")) < 1.6


def test_the_initial_state_is_marked_and_final_states_have_a_double_border(definition):
    root = draw(definition)
    by_key = {g.get("data-state"): g for g in groups(root, "state")}
    assert by_key["received"].find("svg:circle", NS) is not None
    assert "state-initial" in by_key["received"].get("class")
    assert len(by_key["answered"].findall("svg:rect", NS)) == 2
    assert len(by_key["in_progress"].findall("svg:rect", NS)) == 1


def test_an_action_staying_in_its_state_loops_on_it(definition):
    root = draw(definition)
    note = next(g for g in groups(root, "action") if g.get("data-action") == "note")
    # From "received" to "in_progress", and from "in_progress" back onto itself.
    assert len(note.findall("svg:path", NS)) == 2


def test_states_are_laid_out_by_distance_from_the_initial_state(definition):
    layout = columns(wf.parse(definition, check_types=False))
    assert layout[0] == ["received"]
    assert set(layout[1]) == {"in_progress", "closed"}
    assert set(layout[2]) == {"answered", "problem"}
    assert layout[-1] == ["waiting"]  # nothing leads there: a column of its own, last

    root = draw(definition)
    x = {g.get("data-state"): float(g.find("svg:rect", NS).get("x")) for g in groups(root, "state")}
    assert x["received"] < x["in_progress"] == x["closed"] < x["answered"] < x["waiting"]


def test_the_description_lists_every_state_and_action_in_words(definition):
    desc = draw(definition).find("svg:desc", NS).text
    for state in definition["states"]:
        assert state["name"] in desc
    for action in definition["actions"]:
        assert f"“{action['name']}”" in desc
    assert "Received (initial)" in desc and "Answered (final)" in desc
    assert "after 30 d" in desc and "otherwise to Problem" in desc


def test_names_from_administrators_are_escaped(definition):
    definition["states"][0]["name"] = '<script>alert("x")</script>'
    definition["actions"][0]["name"] = "Take & <b>go</b>"
    markup = str(svg(wf.parse(definition, check_types=False), title="</title><script>x</script>"))
    assert "<script" not in markup and "<b>" not in markup
    root = ET.fromstring(markup)  # noqa: S314 (our own output)
    assert not root.findall(".//svg:script", NS)
    assert root.find("svg:title", NS).text == "</title><script>x</script>"
    received = next(g for g in groups(root, "state") if g.get("data-state") == "received")
    assert received.find("svg:title", NS).text == '<script>alert("x")</script>'
    assert "Take & <b>go</b>" in root.find("svg:desc", NS).text


def test_the_same_definition_gives_the_same_drawing(definition):
    first = svg(wf.parse(definition, check_types=False), title="Messages")
    second = svg(wf.parse(message_workflow(), check_types=False), title="Messages")
    assert first == second
    other = svg(wf.parse(message_workflow(), check_types=False), title="Other")
    assert other != first


@pytest.mark.parametrize(
    "colour", ["#000091", "#ffffff", "#ffe800", "#6a6a6a", "#777777", "#e1000f"]
)
def test_the_text_of_a_state_is_readable_on_its_colour(definition, colour):
    definition["states"][1]["colour"] = colour
    root = draw(definition)
    group = next(g for g in groups(root, "state") if g.get("data-state") == "in_progress")
    fill = group.find("svg:rect", NS).get("fill")
    ink = group.find("svg:text", NS).get("fill")
    assert fill == colour
    assert contrast(fill, ink) >= 4.5


def test_there_is_always_a_readable_text_colour():
    for value in range(0, 256, 5):
        for fill in (
            f"#{value:02x}{value:02x}{value:02x}",
            f"#{value:02x}8000",
            f"#00{value:02x}ff",
        ):
            assert contrast(fill, text_colour(fill)) >= 4.5, fill


def test_delays_are_written_short():
    assert delay_text(15 * 24 * 60) == "15 d"
    assert delay_text(4 * 60) == "4 h"
    assert delay_text(24 * 60 + 90) == "1 d 1 h 30 min"
    assert delay_text(45) == "45 min"


def test_long_names_and_a_crowded_workflow_still_draw(definition):
    definition["states"][1]["name"] = "A very long state name that goes on and on past two lines"
    for n in range(6):
        definition["actions"].append(
            {
                "key": f"extra{n}",
                "name": f"Extra {n}",
                "sources": ["answered"],
                "target": "received",
                "trigger": "citizen",
            }
        )
    root = draw(definition)
    assert len(groups(root, "action")) == len(definition["actions"])
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    assert width > 0 and height > 0


def test_an_empty_workflow_draws_an_empty_image():
    root = draw(wf.empty())
    assert root.get("role") == "img" and not groups(root, "state")
