"""Write the settings a local install needs into `.env`, once: `make run` and `make test` call it.

Forge's defaults are production's (DEBUG off, HTTPS enforced, a real SECRET_KEY required), so a
machine that runs Forge on plain http://localhost gets, in its own ignored `.env`:

- `SECRET_KEY`: generated here, once, and kept (sessions survive restarts);
- `FORGE_HTTPS=off`: no HTTPS redirect, HSTS or secure-only cookies on plain HTTP;
- `LOG_JSON=off`: readable log lines.

Lines already in the file are never changed, so a developer's own choices win (for example
`DEBUG=on` for Django's technical error pages). Usage: `python scripts/local_env.py [PATH]`.
"""

import secrets
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / ".env"


def local_settings() -> dict[str, str]:
    """Return the variables a local install sets, with a fresh secret key."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FORGE_HTTPS": "off",
        "LOG_JSON": "off",
    }


def names_in(text: str) -> set[str]:
    """Return the variable names assigned in an env file's text."""
    names = set()
    for line in text.splitlines():
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].strip())
    return names


def main(path: Path) -> None:
    text = path.read_text() if path.exists() else ""
    present = names_in(text)
    missing = {name: value for name, value in local_settings().items() if name not in present}
    if not missing:
        return
    lines = [] if not text or text.endswith("\n") else [""]
    lines.append("# Written once by scripts/local_env.py for a local install (plain HTTP).")
    lines += [f"{name}={value}" for name, value in missing.items()]
    with path.open("a") as file:
        file.write("\n".join(lines) + "\n")
    print(f"{path}: added {', '.join(missing)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH)
