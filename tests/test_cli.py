from lutetia.cli import USAGE, main


def test_lutetia_help_lists_its_commands(capsys):
    assert main(["lutetia", "--help"]) == 0
    out = capsys.readouterr().out
    for command in (
        "run",
        "demo",
        "worker",
        "scheduler",
        "plugins",
        "config show",
        "check",
        "startplugin",
    ):
        assert f"  {command}" in out
    assert out == USAGE
