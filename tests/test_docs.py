from pathlib import Path

from lutetia.ops.management.commands.config import reference_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_configuration_table_matches_the_code():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- config-reference:start -->\n")[1].split(
        "<!-- config-reference:end -->"
    )[0]
    assert table.strip() == reference_markdown().strip(), (
        "run `lutetia config doc` and paste it into README.md"
    )


def test_the_readme_opens_with_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text().splitlines()[:40])
    assert "make run" in head and "make test" in head
