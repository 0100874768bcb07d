"""tiles.py — an XYZ tile server stand-in for the map of moisson's search page
(`moisson serve --tile-url http://127.0.0.1:PORT/{z}/{x}/{y}.png`), used by
tests/integration/test_browser.sh.

tiles.py --port 0 --port-file F --log F

* GET /Z/X/Y.png, with 0 <= Z <= 22 and 0 <= X, Y < 2^Z: a 256 x 256 PNG
  made here with zlib and struct (no image file, no library): a flat fill,
  one of two colours by the parity of X + Y so that tile borders show in a
  screenshot, with a darker 2-pixel frame.  The fills (FILLS) are exported
  for the test that looks for them in its screenshot.
* Anything else: 404.
* Every tile served appends its path to the --log file, one line each,
  flushed at once (the test reads it while the server runs).
* Answers carry Cache-Control: no-store, so that a browser asks again on
  every page load (the test stops the server and reloads the page).
"""

import argparse
import os
import re
import struct
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIZE = 256
FILLS = ((214, 232, 206), (232, 222, 200))
FRAME = (150, 160, 150)
FRAME_WIDTH = 2
TILE_PATH = re.compile(r"^/(\d{1,2})/(\d{1,7})/(\d{1,7})\.png$")
MAX_ZOOM = 22


def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_tile(fill):
    """A SIZE x SIZE 8-bit RGB PNG: fill, framed by FRAME."""
    inner = bytes(fill) * (SIZE - 2 * FRAME_WIDTH)
    edge = bytes(FRAME) * FRAME_WIDTH
    middle = b"\x00" + edge + inner + edge  # filter type 0 (None) first on every row
    border = b"\x00" + bytes(FRAME) * SIZE
    rows = [border] * FRAME_WIDTH + [middle] * (SIZE - 2 * FRAME_WIDTH) + [border] * FRAME_WIDTH
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)  # depth 8, truecolour
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + png_chunk(b"IEND", b""))


TILES = [png_tile(fill) for fill in FILLS]


class Handler(BaseHTTPRequestHandler):
    server_version = "tiles-standin"

    def do_GET(self):
        m = TILE_PATH.match(self.path)
        if m:
            z, x, y = (int(v) for v in m.groups())
            if z <= MAX_ZOOM and x < 2 ** z and y < 2 ** z:
                self.server.record(self.path)
                self.answer(200, TILES[(x + y) % 2], "image/png")
                return
        self.answer(404, b"no such tile\n", "text/plain; charset=utf-8")

    def answer(self, status, body, media_type):
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass  # the --log file says what was served


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, log_path):
        super().__init__(("127.0.0.1", port), Handler)
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None

    def record(self, path):
        if self.log:
            with self.lock:
                self.log.write(path + "\n")
                self.log.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description="XYZ tile server stand-in for moisson tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    a = ap.parse_args(argv)
    server = Server(a.port, a.log)
    if a.port_file:  # written whole, then renamed: a reader never sees half a number
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(tmp, a.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
