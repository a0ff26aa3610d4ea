"""Only what pyproject.toml cannot say: a wheel carries the repository's ``resources/`` inside the package.

The fonts and icons live at the repository root, where a checkout and build.spec (the PyInstaller bundle) find
them. A wheel (``pip install .``) puts them at ``saypro_desktop/resources/``, the place
``saypro_desktop/resources.py`` looks after the checkout's; tests/test_wheel_install.py installs one and checks.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads resources/ from the checkout
        package = Path(self.build_lib) / "saypro_desktop"
        shutil.copytree(ROOT / "resources", package / "resources", dirs_exist_ok=True)
        guide = ROOT / "docs" / "USER_GUIDE.md"  # Help → User guide (resources.user_guide_path)
        if guide.is_file():
            (package / "docs").mkdir(exist_ok=True)
            shutil.copy2(guide, package / "docs" / guide.name)


setup(cmdclass={"build_py": BuildPyWithResources})
