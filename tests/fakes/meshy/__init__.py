"""A faithful fake of Meshy's HTTP API (see /docs/providers.md, "Meshy").

Run it by hand with `python -m tests.fakes.meshy --port 8190`, or start one in a test with
`FakeMeshyServer(...).start()` (the `fake_meshy` fixture does).
"""

from tests.fakes.meshy.server import FakeMeshyServer
from tests.fakes.meshy.state import FakeMeshy

__all__ = ["FakeMeshy", "FakeMeshyServer"]
