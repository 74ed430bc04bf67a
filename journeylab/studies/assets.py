"""The JavaScript an offline HTML report needs to show its widgets with no kernel and no
internet: the Jupyter widgets HTML manager and RequireJS.

They are fetched once, at set-up (``journeylab fetch-assets``, run by ``make``), from the
npm registry, checked against pinned SHA-256 digests, and kept in the package's
``static/`` folder; rendering with ``offline=True`` copies them beside the HTML. Nothing
is fetched at run time.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import urllib.request
from pathlib import Path

from ..errors import InvalidInputError

__all__ = ["ASSETS", "asset_dir", "fetch_assets", "copy_assets"]

# file -> (npm tarball, its SHA-256, the member to take)
ASSETS: dict[str, tuple[str, str, str]] = {
    "embed-amd.js": (
        "https://registry.npmjs.org/@jupyter-widgets/html-manager/-/html-manager-1.0.15.tgz",
        "2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638",
        "package/dist/embed-amd.js"),
    "require.js": (
        "https://registry.npmjs.org/requirejs/-/requirejs-2.3.8.tgz",
        "777158e89275e16bd51aec3ef714fbcb5dc45789e7078659933bc814916d7dec",
        "package/require.js"),
}


def asset_dir() -> Path:
    """Where the fetched files are kept."""
    return Path(__file__).resolve().parent / "static"


def fetch_assets(dest: str | Path | None = None, *, quiet: bool = False) -> list[Path]:
    """Download the offline report assets (set-up time only); skip those already there."""
    dest = Path(dest) if dest else asset_dir()
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (url, sha256, member) in ASSETS.items():
        target = dest / name
        if target.exists():
            written.append(target)
            continue
        with urllib.request.urlopen(url, timeout=120) as r:  # noqa: S310 (fixed https URL)
            data = r.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            raise InvalidInputError(f"{url} has SHA-256 {digest}, expected {sha256}: not "
                                    "installing it.")
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            content = tar.extractfile(member)
            if content is None:
                raise InvalidInputError(f"{url} holds no {member}.")
            target.write_bytes(content.read())
        if not quiet:
            print(f"fetched {name} ({target.stat().st_size:,} bytes) -> {target}")
        written.append(target)
    return written


def copy_assets(folder: str | Path) -> dict[str, str]:
    """Copy the assets beside an HTML report; returns the relative URLs to use."""
    missing = [n for n in ASSETS if not (asset_dir() / n).exists()]
    if missing:
        raise InvalidInputError(f"Offline reports need {missing}; fetch them once with "
                                "`journeylab fetch-assets` (make setup does it).")
    folder = Path(folder)
    for name in ASSETS:
        if not (folder / name).exists():
            shutil.copyfile(asset_dir() / name, folder / name)
    return {name: name for name in ASSETS}
