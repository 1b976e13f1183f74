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


def test_every_lutetia_command_prints_its_help(capsys):
    """``lutetia <command> --help`` answers for each command the usage lists (startplugin's
    translated description once crashed argparse)."""
    import pytest

    for command in ("run", "demo", "worker", "scheduler", "plugins", "config", "startplugin"):
        with pytest.raises(SystemExit) as exit_:
            main(["lutetia", command, "--help"])
        assert exit_.value.code == 0, command
        assert "usage: lutetia " + command in capsys.readouterr().out
