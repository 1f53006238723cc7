"""What pyproject.toml cannot say: the package list, which is everything under app/ plus
the top-level resources/ folder as ``labtunnel.resources`` (mapped in pyproject.toml)."""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: resources/ and its data folders; setuptools wants data folders listed as packages
RESOURCE_PACKAGES = [
    "labtunnel.resources",
    "labtunnel.resources.icons",
    "labtunnel.resources.translations",
]


class BuildPy(build_py):
    """The resource folders carry data only: tools kept beside it (the translations'
    update.py) stay out of the wheel."""

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        if package.startswith("labtunnel.resources."):
            return []
        return super().find_package_modules(package, package_dir)  # type: ignore[no-any-return]


setup(packages=[*find_packages("app"), *RESOURCE_PACKAGES], cmdclass={"build_py": BuildPy})
