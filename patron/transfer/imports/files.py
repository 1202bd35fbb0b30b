"""An import's copy of its file, kept in Django's storage (the local disk by default, an
S3-compatible object store when configured: docs/configuration.md, "Storage") so that a worker on
any machine can run the import. Readers get a local path: the file itself on a local disk, else a
copy fetched once into this machine's imports folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

FOLDER = "imports"


def imports_dir() -> Path:
    """This machine's folder for uploads on their way in and copies of stored files."""
    path = Path(getattr(settings, "PATRON_IMPORTS_DIR", Path(settings.MEDIA_ROOT).parent / "imports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(source: str | Path, name: str, *, keep_source: bool) -> str:
    """Keep ``source`` as ``imports/<name>``; returns its stored name. The source goes unless kept."""
    with open(source, "rb") as stream:
        stored = default_storage.save(f"{FOLDER}/{name}", File(stream, name=name))
    if not keep_source:
        Path(source).unlink(missing_ok=True)
    return stored


def _is_local_path(name: str) -> bool:
    return os.path.isabs(name)  # a job made before imports went through the storage


def exists(name: str) -> bool:
    return os.path.exists(name) if _is_local_path(name) else bool(name) and default_storage.exists(name)


def local_path(name: str) -> str:
    """A path on this machine to read the stored file from."""
    if _is_local_path(name):
        return name
    try:
        return default_storage.path(name)
    except NotImplementedError:  # an object store: a copy, fetched once per machine
        copy = imports_dir() / "copies" / Path(name).name
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            partial = copy.with_name(copy.name + f".{os.getpid()}.part")
            with default_storage.open(name, "rb") as stored, open(partial, "wb") as out:
                shutil.copyfileobj(stored, out)
            partial.replace(copy)
        return str(copy)


def remove(name: str) -> None:
    """The stored file and this machine's copy (an import's file holds personal data)."""
    if _is_local_path(name):
        Path(name).unlink(missing_ok=True)
        return
    default_storage.delete(name)
    (imports_dir() / "copies" / Path(name).name).unlink(missing_ok=True)
