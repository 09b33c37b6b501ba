"""The portal's templates, compiled once per process for every app made in it.

Jinja compiles a template the first time an environment loads it, and each Flask app has an
environment of its own: every app the test suite makes compiled every page it rendered again, which
was half the time of the portal's tests, and every server process compiles each page once. A
bytecode cache shared by the process hands a new environment the code already compiled, checked
against the template's source by Jinja as its own caches are. Sharing compiled code needs every
environment to be set up alike, which `broker.portal.init_app` does for every broker app.
"""

from jinja2.bccache import Bucket
from jinja2.bccache import BytecodeCache


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates in this process's memory, by Jinja's key for the template's name and file."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja drops it if the source has changed since

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = ProcessBytecodeCache()
