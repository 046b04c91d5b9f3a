"""Builds the hashmatch extension module from the repository's C sources.

build_ext configures the repository's CMake project in a temporary build
directory with -DHM_BUILD_PYTHON=ON (library and extension only: no CLI, no
tests), builds the module target and copies it into the package. The C
sources, their per-file SIMD flags and the link dependencies (OpenSSL,
libjpeg-turbo, libpng, libwebp) come from lib/CMakeLists.txt, the same list
every other build uses; nothing is downloaded. Needs cmake, a C compiler,
python3-dev and the -dev packages of those libraries (scripts/setup.sh python).
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def source_root():
    root = Path(os.environ.get("HASHMATCH_SOURCE_DIR", HERE.parent)).resolve()
    if not (root / "include" / "hashmatch.h").is_file():
        sys.exit("setup.py: the hashmatch repository was not found at %s "
                 "(set HASHMATCH_SOURCE_DIR)" % root)
    return root


def version():
    text = (source_root() / "include" / "hashmatch.h").read_text()
    return re.search(r'#define HM_VERSION_STRING "([0-9.]+)"', text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        root = source_root()
        build = Path(self.build_temp).resolve() / "cmake"
        build.mkdir(parents=True, exist_ok=True)
        # the project's default flags (-O2), as the CLI and library are built
        config = os.environ.get("HASHMATCH_BUILD_TYPE", "RelWithDebInfo")
        cmd = ["cmake", "-S", str(root), "-B", str(build), "-DCMAKE_BUILD_TYPE=" + config,
               "-DHM_BUILD_CLI=OFF", "-DHM_BUILD_TESTS=OFF", "-DHM_BUILD_PYTHON=ON",
               "-DPython3_EXECUTABLE=" + sys.executable]
        cmd += os.environ.get("HASHMATCH_CMAKE_ARGS", "").split()
        subprocess.check_call(cmd, stdout=subprocess.DEVNULL)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", str(build), "--target", "hashmatch_python",
                               "--parallel", jobs])
        built = sorted((build / "python").glob("_hashmatch*.so"))
        if not built:
            sys.exit("setup.py: CMake did not produce the _hashmatch module")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], target)


setup(
    version=version(),
    packages=["hashmatch"],
    package_data={"hashmatch": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("hashmatch._hashmatch", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
