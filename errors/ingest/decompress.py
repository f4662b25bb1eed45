"""Inflate a request body as it streams in, refusing it once it grows past a limit.

A small gzip or brotli "bomb" expands by a factor of a thousand or more; the limit is
checked on every chunk, and no single step may produce more than the room left.
"""

import zlib

import brotli

from errors.ingest.protocol import ProtocolError, TooLargeError

ENCODINGS = ("identity", "gzip", "x-gzip", "deflate", "br")


class Inflater:
    """Feed compressed chunks in, get the decompressed body out, within `limit` bytes."""

    def __init__(self, encoding: str, *, limit: int):
        self.encoding = (encoding or "identity").strip().lower()
        if self.encoding not in ENCODINGS:
            raise ProtocolError(f"Unsupported Content-Encoding {encoding!r}.")
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self._first = b""
        self._zlib = None
        self._brotli = brotli.Decompressor() if self.encoding == "br" else None
        if self.encoding in {"gzip", "x-gzip"}:
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _add(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.limit:
            raise TooLargeError("The decompressed body is larger than the limit.")
        self.parts.append(data)

    def _room(self) -> int:
        return self.limit - self.size + 1

    def _zlib_feed(self, chunk: bytes) -> None:
        data = self._zlib.decompress(chunk, self._room())
        self._add(data)
        while self._zlib.unconsumed_tail:
            data = self._zlib.decompress(self._zlib.unconsumed_tail, self._room())
            if not data:
                break
            self._add(data)

    def feed(self, chunk: bytes) -> None:
        """Add one chunk of the body as sent."""
        if not chunk:
            return
        try:
            if self.encoding == "identity":
                self._add(chunk)
            elif self.encoding == "br":
                self._add(self._brotli.process(chunk, output_buffer_limit=self._room()))
                while not self._brotli.can_accept_more_data():
                    self._add(self._brotli.process(b"", output_buffer_limit=self._room()))
            else:
                if self._zlib is None:  # deflate: zlib-wrapped, or raw as some clients send
                    wrapped = (chunk[0] & 0x0F) == 8 and ((chunk[0] << 8) | chunk[1]) % 31 == 0
                    self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
                self._zlib_feed(chunk)
        except (zlib.error, brotli.error, IndexError) as exc:
            raise ProtocolError(f"The body is not valid {self.encoding} data.") from exc

    def finish(self) -> bytes:
        """Return the whole decompressed body; a truncated stream is malformed."""
        try:
            if self._zlib is not None:
                self._add(self._zlib.flush())
                if not self._zlib.eof:
                    raise ProtocolError(f"The {self.encoding} stream is truncated.")
            elif self._brotli is not None and not self._brotli.is_finished():
                raise ProtocolError("The br stream is truncated.")
        except zlib.error as exc:
            raise ProtocolError(f"The body is not valid {self.encoding} data.") from exc
        return b"".join(self.parts)
