"""The one place that finds ``resources/`` (fonts, icons), from a source checkout or inside a PyInstaller bundle.

In a one-folder PyInstaller bundle ``sys._MEIPASS`` is the folder holding the collected files (``_internal``
beside the executables) and ``build.spec`` puts the repository's ``resources/`` there as ``resources``. From a
checkout the folder is the repository root's ``resources/``. No Qt here: the UI turns these paths into icons.
"""

from __future__ import annotations

import sys
from pathlib import Path

# A file every complete resources folder has; a folder without it is not the one we ship.
MARKER = Path("fonts") / "DejaVuSans.ttf"
APP_ICON_PNG = Path("icons") / "saypro.png"
APP_ICON_ICO = Path("icons") / "saypro.ico"


def resource_candidates() -> list[Path]:
    """Where ``resources/`` may be, in the order looked: the PyInstaller bundle, the repository, the package."""
    out = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        out.append(Path(bundle) / "resources")
    package = Path(__file__).resolve().parent
    out += [package.parent / "resources", package / "resources"]
    return out


def resources_dir() -> Path:
    for candidate in resource_candidates():
        if (candidate / MARKER).is_file():
            return candidate
    looked = ", ".join(str(p) for p in resource_candidates())
    raise RuntimeError(f"the resources folder of SayPro Desk is missing; looked in: {looked}")


def resource_path(*parts: str | Path) -> Path:
    """A file under ``resources/``, e.g. ``resource_path("icons", "saypro.png")``; raises if it is not there."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from the resources folder")
    return path


def user_guide_path() -> Path | None:
    """docs/USER_GUIDE.md: inside the bundle (build.spec copies it to ``docs/``) or in the checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    package = Path(__file__).resolve().parent
    for candidate in ([Path(bundle) / "docs"] if bundle else []) + [package.parent / "docs", package / "docs"]:
        if (candidate / "USER_GUIDE.md").is_file():
            return candidate / "USER_GUIDE.md"
    return None
