"""Unpacks from a tensorflow-cpu wheel what the tfjs-node addon needs: libtensorflow_cc.so.2 (the
C and eager C APIs), libtensorflow_framework.so.2, and the C headers the addon includes with every
header they include in turn (the layout moves between releases: tensorflow/tsl in 2.12, tsl/ and
xla/tsl/ at the include root later), so nothing else of the 600 MB wheel is written.

Usage: python3 unpack_wheel.py WHEEL DEST   (writes DEST/tensorflow/...)
"""

import re
import sys
import zipfile

LIBRARIES = ["tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"]
INCLUDE_ROOT = "tensorflow/include/"
# What binding/*.cc and *.h of tfjs-node include from TensorFlow.
ADDON_HEADERS = ["tensorflow/c/c_api.h", "tensorflow/c/eager/c_api.h", "tensorflow/core/platform/ctstring_internal.h"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def header_closure(wheel, names):
    """The addon's headers and, transitively, the quoted includes the wheel has."""
    seen, pending = set(), list(ADDON_HEADERS)
    while pending:
        header = pending.pop()
        if header in seen or INCLUDE_ROOT + header not in names:
            continue  # a system header, or one outside the C API that nothing here reaches
        seen.add(header)
        pending += INCLUDE.findall(wheel.read(INCLUDE_ROOT + header).decode("utf-8", "replace"))
    return sorted(seen)


def main(wheel_path, dest):
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        missing = [n for n in LIBRARIES + [INCLUDE_ROOT + h for h in ADDON_HEADERS] if n not in names]
        if missing:
            sys.exit(f"{wheel_path} has no {', '.join(missing)}")
        headers = header_closure(wheel, names)
        for name in LIBRARIES + [INCLUDE_ROOT + h for h in headers]:
            wheel.extract(name, dest)
    print(f"[native] unpacked {len(LIBRARIES)} libraries and {len(headers)} headers")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: unpack_wheel.py WHEEL DEST")
    main(sys.argv[1], sys.argv[2])
