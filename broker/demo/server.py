"""The broker app on a real socket, in a background thread, for the parts of the demo that stream."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.server import TcpWSGIServer
from waitress.server import create_server

# How often the serving thread looks up from its socket loop to see whether it should stop.
POLL_SECONDS = 0.02


@contextmanager
def serving(app: Flask, threads: int = 4) -> Iterator[str]:
    """Serve `app` with waitress on a free loopback port; yields its base URL, stops on exit.

    The socket loop and the closing of every socket stay in the serving thread: a socket closed
    from another thread races the loop's select().
    """
    sockets: dict[int, Any] = {}  # the server's own socket map, which the loop below walks
    server = create_server(app, map=sockets, host="127.0.0.1", port=0, threads=threads)
    # One host and one port make one listening socket: create_server returns a TcpWSGIServer then.
    assert isinstance(server, TcpWSGIServer) and server.socket is not None
    port = server.socket.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            wasyncore.loop(timeout=POLL_SECONDS, map=sockets, count=1)
        wasyncore.close_all(sockets)
        server.task_dispatcher.shutdown()

    thread = threading.Thread(target=serve, name="demo-broker", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=10)
