"""Serve the fake Meshy API: `python -m tests.fakes.meshy --port 8190 [--time-scale 0.05]`."""

import argparse
import sys

from tests.fakes.meshy.server import FakeMeshyServer


def main(argv: list[str] | None = None) -> None:
    """Parse the options and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.meshy", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument(
        "--time-scale",
        type=float,
        default=0.05,
        help="real seconds per documented second of work (0: tasks finish at once)",
    )
    parser.add_argument("--url-ttl", type=float, default=3600.0, help="seconds a result link lives")
    parser.add_argument("--balance", type=int, default=100_000, help="credits on the account")
    parser.add_argument("--api-key", default=None, help="the only key accepted (default: any)")
    parser.add_argument("--no-stream", action="store_true", help="answer 404 on /stream")
    args = parser.parse_args(argv)
    server = FakeMeshyServer(
        args.host,
        args.port,
        time_scale=args.time_scale,
        url_ttl=args.url_ttl,
        balance=args.balance,
        api_key=args.api_key,
        stream=not args.no_stream,
    )
    sys.stdout.write(f"Fake Meshy API on {server.url} (stats: {server.url}/_fake/stats)\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
