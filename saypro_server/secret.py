"""The secret that signs access tokens. It is kept out of the database, so a database dump or backup
cannot mint tokens: ``SAYPRO_SERVER_SECRET``, else the file ``token-secret`` in the server's data folder,
made by ``saypro-server init-db`` (and ``serve``) when missing, readable by the service account only.

Every process and machine serving one database must use the same secret (copy the file or set the
variable). Replacing it ends every access token at once; desktops refresh, nobody retypes a password.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from .config import SECRET_ENV, ServerSettings

log = logging.getLogger(__name__)
MIN_SECRET_CHARS = 32


class SecretError(Exception):
    """No usable token secret; the message says what to do."""


def ensure_secret_file(path: Path) -> bool:
    """Create the secret file (mode 0600) unless it exists; True when it was created. Never prints it."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole to a private temporary file, then linked into place: the link fails if the file
    # appeared meanwhile, so two servers starting together agree on one secret and none reads half a file.
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
    finally:
        temp.unlink(missing_ok=True)
    return True


def load_secret(settings: ServerSettings) -> str:
    """``settings.secret`` (SAYPRO_SERVER_SECRET), else the content of ``settings.secret_path``."""
    if settings.secret:
        if len(settings.secret) < MIN_SECRET_CHARS:
            raise SecretError(f"{SECRET_ENV} is shorter than {MIN_SECRET_CHARS} characters; set a long random "
                              "value (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        return settings.secret
    path = settings.secret_path
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise SecretError(f"there is no token secret: {path} does not exist and {SECRET_ENV} is not set. Run "
                          "'saypro-server init-db' as the service account (it creates the file), or set "
                          f"{SECRET_ENV}; servers sharing one database need the same secret") from None
    except (OSError, UnicodeError) as exc:
        raise SecretError(f"the token secret {path} cannot be read ({exc}); give the service account read "
                          f"access to it, or set {SECRET_ENV}") from exc
    if len(text) < MIN_SECRET_CHARS:
        raise SecretError(f"the token secret {path} holds fewer than {MIN_SECRET_CHARS} characters; delete it "
                          "and run 'saypro-server init-db' to make a new one")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the token secret %s can be read by other accounts; chmod 600 it", path)
    return text
