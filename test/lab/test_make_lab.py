"""`make lab`'s server script: JupyterLab on 127.0.0.1 with the TypeScript kernel and the
paramscope extension, printing a URL with its token. Started on a free port, stopped at the end."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def lab_server():
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PORT"] = str(port)
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "lab.sh")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    url = None
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            lines.append(line)
            match = re.search(rf"(http://127\.0\.0\.1:{port}/lab\?token=\w+)", line)
            if match:
                url = match.group(1)
                break
        assert url, "no URL with a token was printed:\n" + "".join(lines[-30:])
        _wait_until_listening(port)
        yield port, url, lines
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_until_listening(port: int, seconds: float = 30) -> None:
    # The URL is printed while the server finishes starting; wait for the socket to accept.
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_lab_serves_notebooks_with_tslab_and_the_extension(lab_server):
    port, url, _ = lab_server
    token = url.split("token=")[1]
    base = f"http://127.0.0.1:{port}"

    kernelspecs = json.loads(_get(f"{base}/api/kernelspecs?token={token}"))["kernelspecs"]
    assert kernelspecs["tslab"]["spec"]["display_name"] == "TypeScript"

    contents = json.loads(_get(f"{base}/api/contents?token={token}"))
    assert "00-getting-started.ipynb" in {item["name"] for item in contents["content"]}

    page = _get(f"{base}/lab?token={token}")
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>\s*(\{.*?\})\s*</script>', page, re.S).group(1))
    extensions = {ext["name"] for ext in config["federated_extensions"]}
    assert "@paramscope/jupyterlab" in extensions
