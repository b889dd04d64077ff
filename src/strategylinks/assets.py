"""Fetch the query editor's third-party files (YASGUI) from the npm registry at set-up time.

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


def install_yasgui(viz_path: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise InputError(
            "npm is not installed, so YASGUI cannot be fetched",
            hint="install Node.js and npm, or keep using the plain query form, which needs nothing",
        )
    target = viz_path / "vendor" / "yasgui"
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", YASGUI_PACKAGE, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise InputError(f"npm pack {YASGUI_PACKAGE} failed: {done.stderr.strip() or done.stdout.strip()}")
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            target.mkdir(parents=True, exist_ok=True)
            for name in YASGUI_FILES:
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise InputError(f"{YASGUI_PACKAGE} has no {name}")
                (target / Path(name).name).write_bytes(member.read())
    return target
