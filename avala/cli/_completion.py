"""``avala completion SHELL`` (the completion script) and the published ``avala shell-completion [SHELL]``."""

from __future__ import annotations

import os

import click

SHELLS = ("bash", "zsh", "fish")
_ACTIVATION = {
    "bash": ('eval "$(_AVALA_COMPLETE=bash_source avala)"', "~/.bashrc"),
    "zsh": ('eval "$(_AVALA_COMPLETE=zsh_source avala)"', "~/.zshrc"),
    "fish": ("_AVALA_COMPLETE=fish_source avala | source", "~/.config/fish/completions/avala.fish"),
}


def _default_shell() -> str:
    name = os.path.basename(os.environ.get("SHELL", ""))
    return name if name in SHELLS else "bash"


def _script(ctx: click.Context, shell: str) -> None:
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    assert completion is not None
    root = ctx.find_root().command
    click.echo(completion(root, {}, "avala", "_AVALA_COMPLETE").source())


def make(name: str, path: str) -> click.Command:
    """The command ``name``."""
    if name == "completion":

        @click.command(
            "completion",
            help="Print the completion script of SHELL: groups, commands, options and their choices.\n\n"
            '\b\nbash: eval "$(avala completion bash)"   (in ~/.bashrc)\n'
            'zsh:  eval "$(avala completion zsh)"    (in ~/.zshrc)\n'
            "fish: avala completion fish > ~/.config/fish/completions/avala.fish",
            short_help="Print the shell completion script (bash, zsh, fish).",
        )
        @click.argument("shell", type=click.Choice(SHELLS))
        @click.pass_context
        def completion(ctx: click.Context, shell: str) -> None:
            _script(ctx, shell)

        return completion

    @click.command(
        "shell-completion",
        help="Print the line that enables completion in SHELL (default: from $SHELL).",
        short_help="Print shell completion setup instructions.",
    )
    @click.argument("shell", type=click.Choice(SHELLS), required=False)
    def shell_completion(shell: str | None) -> None:
        line, where = _ACTIVATION[shell or _default_shell()]
        click.echo(f"# Add this line to {where}:", err=True)
        click.echo(line)

    return shell_completion
