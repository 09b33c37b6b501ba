"""Running pyHanko's coroutines from the broker's synchronous code, whatever thread it runs in.

pyHanko's synchronous wrappers (`sign_pdf`, `validate_pdf_signature`) call `asyncio.run`, which
refuses to start in a thread where an event loop is already running (a server or tool that runs
Flask inside its loop, Playwright's synchronous API). The broker calls the coroutines itself: in a
fresh loop where none runs, or else in a fresh loop on a thread of its own.
"""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result, run to completion in an event loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(asyncio.run, coroutine).result()
