"""Where the portal's SECRET_KEY comes from (read once, by the settings).

The rule, first match wins:

1. the `SECRET_KEY` environment variable;
2. the file named by `PORTAL_SECRET_KEY_FILE` (it must exist);
3. the file `secret_key` in `PORTAL_DATA_DIR`, when it exists;
4. on a development setup only (`DEBUG=1` or `PORTAL_DEV=1`, which `make` sets), a random key
   generated once and kept in `PORTAL_DATA_DIR/secret_key` (mode 0600);
5. otherwise the portal refuses to start and says why.

Outside development, a key that is the old built-in development key or that is too short
(fewer than 50 characters, or fewer than 5 different ones, as Django's check --deploy asks) is
refused too.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILE_NAME = "secret_key"
# The key the portal used to fall back on; published in its history, so never accepted in
# production.
BUILT_IN_DEVELOPMENT_KEY = "dev-only-insecure-key-change-me-in-production"
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5


def _read(path: Path) -> str:
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"The secret key file {path} cannot be read ({error.strerror})."
        ) from None
    if not key:
        raise ImproperlyConfigured(f"The secret key file {path} is empty.")
    return key


def _generate(path: Path) -> str:
    """A new random key in `path`, readable by its owner only. Two processes starting at once
    (the test runs, `make run`) agree: the file appears whole or not at all, and the one that
    loses the race reads the winner's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(64) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _read(path)


def _check_strength(key: str, source: str) -> None:
    if key == BUILT_IN_DEVELOPMENT_KEY:
        raise ImproperlyConfigured(
            f"{source} is the built-in development key, which is public: production needs a "
            f"key of its own (for example: python3 -c 'import secrets; "
            f"print(secrets.token_urlsafe(64))')."
        )
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE_CHARACTERS:
        raise ImproperlyConfigured(
            f"{source} is too weak ({len(key)} characters): production needs at least "
            f"{MIN_LENGTH} random characters (for example: python3 -c 'import secrets; "
            f"print(secrets.token_urlsafe(64))')."
        )


def load(environ, data_dir: Path, development: bool) -> str:
    """The key, by the rule above; `environ` is os.environ (or a dict, in tests)."""
    key_file = environ.get("PORTAL_SECRET_KEY_FILE", "").strip()
    default_file = Path(data_dir) / FILE_NAME
    if environ.get("SECRET_KEY"):
        key, source = environ["SECRET_KEY"], "SECRET_KEY"
    elif key_file:
        path = Path(key_file)
        if not path.is_file():
            raise ImproperlyConfigured(
                f"PORTAL_SECRET_KEY_FILE names {path}, which does not exist: put the key in "
                "that file, or unset PORTAL_SECRET_KEY_FILE."
            )
        key, source = _read(path), f"The key in {path}"
    elif default_file.is_file():
        key, source = _read(default_file), f"The key in {default_file}"
    elif development:
        return _generate(default_file)
    else:
        raise ImproperlyConfigured(
            "No secret key: with DEBUG off the portal does not start without one. Set "
            "SECRET_KEY (50 or more random characters), or PORTAL_SECRET_KEY_FILE to a file "
            f"that holds it, or write it to {default_file} (mode 0600). On a development "
            "machine, PORTAL_DEV=1 (which `make` sets) or DEBUG=1 generates that file."
        )
    if not development:
        _check_strength(key, source)
    return key
