"""The command line's settings: named profiles in a per-user config file, and which value wins.

The file is ``$XDG_CONFIG_HOME/avala/config.toml`` (``~/.config/avala/config.toml`` without it), a TOML table per
profile (``[default]``, ``[staging]``) holding ``api_key`` and ``base_url``. It is written 0600 in a 0700 directory,
atomically (a temporary file renamed over it). Precedence: a flag, then the environment (``AVALA_API_KEY``,
``AVALA_BASE_URL``), then the profile (``--profile``, else ``AVALA_PROFILE``, else ``default``).

A key is shown only masked (:func:`mask`): never in full, in no message and no debug line.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PROFILE = "default"
KEYS = ("api_key", "base_url")


class ConfigError(Exception):
    """The config file cannot be read or written, or names no such profile; the message says what to do."""


def config_path() -> Path:
    """Where the config file lives."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "avala" / "config.toml"


def mask(secret: str | None) -> str:
    """A secret as it may be shown: its first and last four characters when it is long enough, else nothing."""
    if not secret:
        return "(none)"
    if len(secret) < 16:
        return "****"
    return f"{secret[:4]}…{secret[-4:]}"


def load(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every profile of the config file (none when it does not exist)."""
    import tomllib

    path = path or config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix it or run `avala configure` again") from None
    return {name: dict(table) for name, table in parsed.items() if isinstance(table, dict)}


def looser_than_owner(path: Path) -> bool:
    """Whether the group or others may read the file (on POSIX)."""
    try:
        return os.name == "posix" and bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


def _toml_string(value: str) -> str:
    # a JSON string is a valid TOML basic string (same escapes; JSON never writes the \/ escape)
    return json.dumps(value, ensure_ascii=False)


def save(profile: str, values: dict[str, str], path: Path | None = None) -> Path:
    """Set ``values`` in ``profile`` (other profiles and keys are kept) and write the file 0600 in a 0700 dir."""
    import tempfile

    path = path or config_path()
    profiles = load(path)
    profiles.setdefault(profile, {}).update(values)
    lines: list[str] = []
    for name, table in profiles.items():
        bare = name.replace("-", "").replace("_", "").isalnum() and name.isascii()
        lines.append(f"[{name if bare else _toml_string(name)}]")
        lines += [f"{key} = {_toml_string(str(value))}" for key, value in table.items() if value is not None]
        lines.append("")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(path.parent, 0o700)
        fd, tmp = tempfile.mkstemp(prefix=".config-", dir=path.parent)  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if os.name == "posix":
            os.chmod(path, 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    return path


@dataclass(frozen=True)
class Settings:
    """The resolved settings and where each came from (``flag``, ``env``, ``profile <name>``, ``default``)."""

    profile: str
    api_key: str | None
    api_key_source: str
    base_url: str | None
    base_url_source: str

    def describe(self) -> str:
        """One line for ``--debug``: the key masked."""
        return (
            f"profile={self.profile} api_key={mask(self.api_key)} ({self.api_key_source}) "
            f"base_url={self.base_url or '(SDK default)'} ({self.base_url_source})"
        )


def resolve(api_key: str | None, base_url: str | None, profile: str | None) -> Settings:
    """The key and base URL: a flag, then the environment, then the profile.

    A profile chosen with ``--profile`` is itself a flag: its values then win over the environment's (as the aws
    CLI does); one chosen by ``AVALA_PROFILE``, or ``default``, comes after the environment.
    """
    chosen = profile or os.environ.get("AVALA_PROFILE", "").strip() or None
    name = chosen or DEFAULT_PROFILE
    env = {
        "api_key": os.environ.get("AVALA_API_KEY", "").strip(),
        "base_url": os.environ.get("AVALA_BASE_URL", "").strip(),
    }
    flags = {"api_key": api_key, "base_url": base_url}
    stored: dict[str, Any] = {}
    if chosen or not all(flags[k] or env[k] for k in KEYS):
        profiles = load()
        if chosen and chosen not in profiles:
            known = ", ".join(sorted(profiles)) or "none yet"
            raise ConfigError(
                f"no profile {chosen!r} in {config_path()} (profiles: {known}); "
                f"create it with `avala --profile {chosen} configure`"
            )
        stored = profiles.get(name, {})
    found: dict[str, tuple[str | None, str]] = {}
    for key in KEYS:
        value = stored.get(key)
        in_profile = value.strip() if isinstance(value, str) and value.strip() else None
        order = [(flags[key], "flag"), (env[key], "env"), (in_profile, f"profile {name}")]
        if profile:
            order[1], order[2] = order[2], order[1]
        found[key] = next(((v, source) for v, source in order if v), (None, "default"))
    return Settings(name, found["api_key"][0], found["api_key"][1], found["base_url"][0], found["base_url"][1])
