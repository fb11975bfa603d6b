"""What a large upload costs the server: throughput, and whether memory stays flat.

Serves a scratch archive with `ontherecord serve` (waitress, as in production), logs in as a
staff member, and posts a file of N MiB to /staff/upload as one streamed multipart body. The
server's peak resident memory (VmHWM) before and after tells whether the upload was held in
memory or streamed to disk. The file is random bytes, so the ingest job then fails at once
(not a recording): only the upload is measured.

    python bench/upload.py [--mib 2048] [--json bench/results-upload.json]
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ontherecord import staff  # noqa: E402
from ontherecord.archive import Archive  # noqa: E402

BLOCK = 1 << 20


def peak_rss_mib(pid: int) -> float:
    """A process's peak resident memory so far, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(base: str) -> tuple[str, str]:
    """Log in as the bench's staff account: (cookie header, CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/staff/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"name": "bench", "password": "bench password",
                                   "csrf_token": token}).encode()
    opener.open(f"{base}/staff/login", data=form).read()
    page = opener.open(f"{base}/staff/upload").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def upload(port: int, cookie: str, token: str, mib: int) -> tuple[float, int]:
    """Post `mib` MiB of random bytes as a multipart upload: (seconds, status)."""
    boundary = "benchboundary"
    fields = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                     for k, v in {"csrf_token": token, "title": "Upload bench",
                                  "date": "2026-11-22", "unit": "Bench"}.items())
    head = (fields + f'--{boundary}\r\nContent-Disposition: form-data; name="recording"; '
            'filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    block = os.urandom(BLOCK)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.putrequest("POST", "/staff/upload")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + mib * BLOCK + len(tail)))
    conn.putheader("Cookie", cookie)
    conn.endheaders()
    conn.send(head)
    for _ in range(mib):
        conn.send(block)
    conn.send(tail)
    status = conn.getresponse().status
    return time.perf_counter() - started, status


def main() -> None:
    """Run the bench and print (or save) its numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=2048)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=ROOT.parent) as scratch:
        archive = Archive(Path(scratch) / "archive")
        staff.add(archive, "bench", "bench password")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "ontherecord", "serve", "--archive",
                                   str(archive.root), "--port", str(port)],
                                  stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/").read()
                    break
                except OSError:
                    time.sleep(0.2)
            cookie, token = login(base)
            before = peak_rss_mib(server.pid)
            seconds, status = upload(port, cookie, token, args.mib)
            after = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait()
    result = {"mib": args.mib, "status": status, "seconds": round(seconds, 2),
              "mib_per_s": round(args.mib / seconds, 1), "peak_rss_before_mib": round(before),
              "peak_rss_after_mib": round(after)}
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
