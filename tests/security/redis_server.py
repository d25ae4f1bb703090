"""A redis-server of the test's own, on a free port, that the test can stop and start again (an outage on demand)
without touching the Redis everyone else uses."""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis

from tests.conftest import IN_CI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, seconds: float, every: float = 0.05):
    """The condition's first truthy value, polled until the deadline (a generous one: CI is a loaded 2-core box)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return condition()


class RedisServer:
    def __init__(self, *, port: int | None = None, args: tuple[str, ...] = ()):
        binary = shutil.which("redis-server")
        if binary is None:
            if IN_CI:
                raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
            pytest.skip("needs the redis-server binary (apt-get install redis-server)")
        self.binary = binary
        self.port = port or free_port()
        self.args = args
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.mkdtemp(prefix="sb-redis-")
        self._process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            [*command, "--dir", self._dir, *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not wait_for(self._answers, seconds=30):
            self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=30)
            self._process = None
        if not wait_for(lambda: not self._answers(), seconds=30):
            raise RuntimeError(f"redis-server on port {self.port} still answers")


@contextlib.contextmanager
def redis_server(**kwargs):
    server = RedisServer(**kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server._dir, ignore_errors=True)
