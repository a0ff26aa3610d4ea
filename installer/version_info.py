"""The Windows version resource of the executables, made from the package version (used by build.spec).

PyInstaller's ``EXE(version=FILE)`` reads a text file that is a ``VSVersionInfo(...)`` expression (the form
``pyi-grab_version`` prints) and evaluates it with its own ``PyInstaller.utils.win32.versioninfo`` classes.
Writing that text here keeps the version in one place (``saypro_desktop/__init__.py``) and keeps this module
importable on any system (the versioninfo module itself needs ``pefile``, a Windows-only dependency).

    python installer/version_info.py            # prints the version and the resource text
    python installer/version_info.py --version  # prints the version only (for iscc /DAppVersion=...)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPANY = "SayPro"
PRODUCT = "SayPro Desk"
COPYRIGHT = "Copyright (C) SayPro"


def package_version(root: Path = ROOT) -> str:
    """``__version__`` of saypro_desktop, read from the source (the build must not depend on an install)."""
    text = (root / "saypro_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if not match:
        raise ValueError("saypro_desktop/__init__.py has no __version__")
    return match.group(1)


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """Four 16-bit numbers for the fixed file info: "1.2.3" -> (1, 2, 3, 0); "1.3.0rc1" -> (1, 3, 0, 0)."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?", version)
    if not match:
        raise ValueError(f"version {version!r} does not start with a number")
    numbers = [int(n) for n in match.groups() if n is not None]
    numbers += [0] * (4 - len(numbers))
    if any(n > 0xFFFF for n in numbers):
        raise ValueError(f"version {version!r} has a part above 65535")
    return (numbers[0], numbers[1], numbers[2], numbers[3])


def version_info_text(version: str, exe_name: str, description: str) -> str:
    """The ``VSVersionInfo(...)`` text for one executable (``exe_name`` without ``.exe``)."""
    nums = numeric_version(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": description,
        "FileVersion": version,
        "InternalName": exe_name,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    structs = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    # 0x0409 = U.S. English, 1200 = Unicode (0x04B0): the usual language/code page pair.
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={nums},
    prodvers={nums},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [
{structs}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0409, 1200])])
  ]
)
"""


def write_version_info(target: Path, version: str, exe_name: str, description: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(version_info_text(version, exe_name, description), encoding="utf-8")
    return target


if __name__ == "__main__":
    v = package_version()
    if "--version" in sys.argv[1:]:
        print(v)
    else:
        print(v, numeric_version(v))
        sys.stdout.write(version_info_text(v, "saypro-cli", "SayPro Desk command line"))
