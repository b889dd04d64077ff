"""Fetch third-party browser files from the npm registry at set-up time: the query editor (YASGUI)
for the server, axe-core for the accessibility tests.

They are not committed: ``strategylinks assets`` packs the pinned release with npm and keeps only the
built script and style under ``viz/vendor/yasgui``; the server serves them from there.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .errors import InputError

YASGUI_PACKAGE = "@zazuko/yasgui@4.6.2"
YASGUI_FILES = ("build/yasgui.min.js", "build/yasgui.min.css")


def npm_files(package: str, files: tuple[str, ...], target: Path) -> Path:
    """Pack ``package`` (name@version) with npm and keep only ``files`` (paths inside the package) in
    ``target``, flat; the files are written only when every one of them was found."""
    npm = shutil.which("npm")
    if npm is None:
        raise InputError(
            f"npm is not installed, so {package} cannot be fetched",
            hint="install Node.js and npm, or keep using the plain query form, which needs nothing",
        )
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", package, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise InputError(f"npm pack {package} failed: {done.stderr.strip() or done.stdout.strip()}")
        (tarball,) = Path(tmp).glob("*.tgz")
        found: dict[str, bytes] = {}
        with tarfile.open(tarball) as archive:
            for name in files:
                try:
                    member = archive.extractfile(f"package/{name}")
                except KeyError:
                    member = None
                if member is None:
                    raise InputError(f"{package} has no {name}")
                found[Path(name).name] = member.read()
    target.mkdir(parents=True, exist_ok=True)
    for name, content in found.items():
        (target / name).write_bytes(content)
    return target


def install_yasgui(viz_path: Path) -> Path:
    return npm_files(YASGUI_PACKAGE, YASGUI_FILES, viz_path / "vendor" / "yasgui")
