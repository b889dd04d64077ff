"""Fetch third-party browser files from the npm registry at set-up time: the query editor (YASGUI)
for the server, axe-core for the accessibility tests.

They are not committed: ``strategylinks assets`` packs the pinned releases with npm and keeps only the
built scripts and styles (and each licence) under ``viz/vendor/``; the server serves them from there.
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

#: The query page's files: folder under viz/vendor -> (package, files kept). YASGUI is the editor; its
#: result views "Diagram" and "Pivot" (viz/yasr-plugins.js) draw with Chart.js and PivotTable.js,
#: which needs jQuery and jQuery UI. Each folder keeps the package's licence beside its files.
QUERY_PAGE_ASSETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "yasgui": (YASGUI_PACKAGE, (*YASGUI_FILES, "package.json")),  # it ships no LICENSE file; its licence: MIT
    "chartjs": ("chart.js@4.5.1", ("dist/chart.umd.min.js", "LICENSE.md")),
    "jquery": ("jquery@3.7.1", ("dist/jquery.min.js", "LICENSE.txt")),
    "jquery-ui": ("jquery-ui-dist@1.13.3", ("jquery-ui.min.js", "LICENSE.txt")),
    "pivottable": ("pivottable@2.23.0", ("dist/pivot.min.js", "dist/pivot.min.css", "LICENSE.md")),
}


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


def install_query_page(viz_path: Path) -> list[Path]:
    """Fetch every file of :data:`QUERY_PAGE_ASSETS` into ``viz/vendor``."""
    return [
        npm_files(package, files, viz_path / "vendor" / folder)
        for folder, (package, files) in QUERY_PAGE_ASSETS.items()
    ]
