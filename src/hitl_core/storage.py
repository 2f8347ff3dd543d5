"""Blocking storage backends: bytes at relative paths, with atomic create-if-absent.

These are the only code that touches disk or object storage. The flavors call
them from a worker thread (async) or directly (blocking); nothing here knows
about events. Paths are always built by hitl from validated request ids, never
taken from clients.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import hashlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from .errors import StoreError, StoreUnavailable

__all__ = [
    "Backend",
    "FsspecBackend",
    "LocalBackend",
    "open_backend",
    "s3_options",
    "store_fingerprint",
]

# fsspec protocols whose create-if-absent is atomic: s3fs sends If-None-Match: *,
# the memory filesystem opens with "xb" under its own lock.
ATOMIC_CREATE_PROTOCOLS = frozenset({"s3", "s3a", "memory"})
S3FS_ATTEMPTS = 2
# Folders a local backend remembers having made (forgotten all at once beyond this).
KNOWN_FOLDERS = 1024


class Backend(Protocol):
    """What every store offers; all methods block."""

    url: str

    def read(self, path: str) -> bytes | None:
        """The document at path, or None if there is none."""

    def create(self, path: str, data: bytes, *, durable: bool = True) -> bool:
        """Write data at path unless something is there; True if this call wrote it.

        durable=False allows a backend to acknowledge before the write would
        survive a crash of the machine (a hint that readers can do without)."""

    def list(self, prefix: str) -> list[str]:
        """Names of the documents directly under a folder."""

    def list_after(self, prefix: str, start_after: str) -> builtins.list[str]:
        """Names of the documents directly under a folder that sort after start_after,
        in order: a cursor into a folder whose names sort by time (the change feed).
        On S3 it costs one request per 1,000 such names, however many sort before."""


# OS error numbers that waiting will not cure: the store refuses us, is not
# there, or is not what a store must be. Every other I/O error may pass
# (timeouts, refused connections, S3's 500 and 503 as s3fs translates them).
_LASTING_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "EACCES",
        "EPERM",
        "ENOENT",
        "EROFS",
        "EISDIR",
        "ENOTDIR",
        "EINVAL",
        "ENOSYS",
        "ENAMETOOLONG",
        "EMSGSIZE",
        "EREMCHG",
        "ENOTEMPTY",
        "EEXIST",  # a file where a folder must be
    )
    if hasattr(errno, name)
)
# S3 error codes that waiting will not cure, where s3fs leaves the code in the cause.
_LASTING_S3_CODES = frozenset({"NoSuchBucket", "AccessDenied", "InvalidAccessKeyId"})


def _failure(action: str, path: str, url: str, exc: BaseException) -> StoreError:
    """The error to raise for a failed storage call: StoreUnavailable if a retry may succeed."""
    message = f"cannot {action} {path} in {url}: {exc}"
    return StoreError(message) if _lasting(exc) else StoreUnavailable(message)


def _lasting(exc: BaseException) -> bool:
    """Whether a retry cannot help, from error numbers and S3 error codes."""
    if _s3_code(exc) in _LASTING_S3_CODES or _misconfigured(exc):
        return True
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno in _LASTING_ERRNOS
    # Builtin subclasses that may come without a number.
    return isinstance(
        exc, (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError)
    )


def _misconfigured(exc: BaseException) -> bool:
    """botocore found no credentials or region, or refused a parameter (a bucket
    name, say): only a change of configuration helps."""
    try:
        from botocore import exceptions
    except ImportError:
        return False
    missing = (exceptions.NoCredentialsError, exceptions.PartialCredentialsError)
    refused = (exceptions.NoRegionError, exceptions.ParamValidationError)
    return isinstance(exc, (*missing, *refused))


def _s3_code(exc: BaseException) -> str | None:
    """The S3 error code behind exc (s3fs chains botocore's ClientError as the cause)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        response = getattr(current, "response", None)
        if isinstance(response, dict):
            code = response.get("Error", {}).get("Code")
            if isinstance(code, str):
                return code
        current, seen = current.__cause__, seen + 1
    return None


def _check_relative(path: str) -> None:
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a store path: {path!r}")


class LocalBackend:
    """A directory on local disk. Create-if-absent is temp file + fsync + os.link."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().absolute()
        self.url = str(self.root)
        # Folders this backend made or found: a create in one needs no mkdir first.
        self._folders: set[Path] = set()

    def _full(self, path: str) -> Path:
        _check_relative(path)
        return self.root / path

    def read(self, path: str) -> bytes | None:
        try:
            return self._full(path).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _failure("read", path, self.url, exc) from exc

    def create(self, path: str, data: bytes, *, durable: bool = True) -> bool:
        target = self._full(path)
        try:
            fd, temp = self._temporary(target.parent)
            try:
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                    if durable:
                        os.fsync(fd)
                finally:
                    os.close(fd)
                try:
                    os.link(temp, target)
                except FileExistsError:
                    return False
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)
            if durable:
                _fsync_dir(target.parent)
            return True
        except OSError as exc:
            raise _failure("write", path, self.url, exc) from exc

    def _temporary(self, folder: Path) -> tuple[int, str]:
        """A new temporary file in folder, made if missing; its descriptor and path."""
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            if len(self._folders) >= KNOWN_FOLDERS:
                self._folders.clear()
            self._folders.add(folder)
        try:
            return tempfile.mkstemp(prefix=".tmp-", dir=folder)
        except FileNotFoundError:  # removed since
            folder.mkdir(parents=True, exist_ok=True)
            return tempfile.mkstemp(prefix=".tmp-", dir=folder)

    def list(self, prefix: str) -> list[str]:
        return self.list_after(prefix, "")

    def list_after(self, prefix: str, start_after: str) -> builtins.list[str]:
        # A directory is read whole: the folders read from a cursor are kept small
        # (the change feed has one per hour).
        try:
            return sorted(
                entry.name
                for entry in os.scandir(self._full(prefix))
                if entry.name > start_after and not entry.name.startswith(".")
            )
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise _failure("list", prefix, self.url, exc) from exc


def _fsync_dir(folder: Path) -> None:
    # Makes the new link itself durable; not every platform can open a directory.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def s3_options(endpoint_url: str | None = None) -> dict[str, Any]:
    """s3fs settings for a store that other processes share.

    Credentials, region and (unless endpoint_url is given) the endpoint come
    from the standard AWS variables and configuration files, through botocore.
    """
    options: dict[str, Any] = {
        # Other processes write the same prefixes: never answer a listing from memory.
        "use_listings_cache": False,
        # One GET per read; otherwise s3fs asks for the size first.
        "max_concurrency": 1,
        # Fail within seconds while S3 is unreachable: waiters retry on their own
        # schedule and the app answers 503 instead of hanging.
        "config_kwargs": {
            "connect_timeout": 5,
            "read_timeout": 15,
            "retries": {"mode": "standard", "max_attempts": 2},
        },
    }
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    return options


class FsspecBackend:
    """Any fsspec filesystem whose create-if-absent is atomic (S3 through s3fs)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        import fsspec

        self._service_errors = _service_errors()

        protocol = urlsplit(url).scheme
        if protocol not in ATOMIC_CREATE_PROTOCOLS:
            raise StoreError(
                f"store {url!r}: the {protocol!r} filesystem has no atomic create-if-absent; "
                f"use a local directory or one of: {', '.join(sorted(ATOMIC_CREATE_PROTOCOLS))}"
            )
        try:
            self.fs, root = fsspec.core.url_to_fs(url, **storage_options)
        except ImportError as exc:
            raise StoreError(
                f"cannot open store {url!r}: {exc}; S3 stores need pip install 'hitl-events[s3]'"
            ) from exc
        except ValueError as exc:
            raise StoreError(f"cannot open store {url!r}: {exc}") from exc
        self.protocol = protocol
        self.root = root.rstrip("/")
        if not self.root:
            raise StoreError(f"store {url!r} names no bucket, like s3://bucket/prefix")
        self.url = url.rstrip("/")

    def _full(self, path: str) -> str:
        _check_relative(path)
        return f"{self.root}/{path}"

    def read(self, path: str) -> bytes | None:
        full = self._full(path)
        try:
            data: bytes = self.fs.cat_file(full)
            return data
        except FileNotFoundError as exc:
            if _s3_code(exc) == "NoSuchBucket":
                raise _failure("read", path, self.url, exc) from exc
            return None
        except self._service_errors as exc:
            raise _failure("read", path, self.url, exc) from exc

    def create(self, path: str, data: bytes, *, durable: bool = True) -> bool:
        # Every write is durable once acknowledged (S3): durable=False changes nothing.
        full = self._full(path)
        try:
            self.fs.pipe_file(full, data, mode="create")
            return True
        except FileExistsError:
            return False
        except self._service_errors as exc:
            raise _failure("write", path, self.url, exc) from exc

    def list(self, prefix: str) -> list[str]:
        return self.list_after(prefix, "")

    def list_after(self, prefix: str, start_after: str) -> builtins.list[str]:
        full = self._full(prefix)
        try:
            if self.protocol in ("s3", "s3a"):
                return sorted(self._list_s3(full, start_after))
            names = self.fs.ls(full, detail=False)
        except FileNotFoundError as exc:
            if _s3_code(exc) == "NoSuchBucket":
                raise _failure("list", prefix, self.url, exc) from exc
            return []
        except self._service_errors as exc:
            raise _failure("list", prefix, self.url, exc) from exc
        # Other filesystems have no cursor: their whole listing, filtered.
        return sorted(
            name
            for name in (str(path).rstrip("/").rsplit("/", 1)[-1] for path in names)
            if name > start_after
        )

    def _list_s3(self, full: str, start_after: str) -> builtins.list[str]:
        # One request per page of 1,000 names, even for an empty folder (s3fs's
        # ls spends extra requests telling an empty folder from a missing one).
        # StartAfter skips, on the server, every name that sorts before the cursor.
        bucket, _, key = full.partition("/")
        request = {"Bucket": bucket, "Prefix": f"{key}/", "Delimiter": "/"}
        if start_after:
            request["StartAfter"] = f"{key}/{start_after}"
        names: builtins.list[str] = []
        while True:
            page = self.fs.call_s3("list_objects_v2", **request)
            names.extend(str(item["Key"]).rsplit("/", 1)[-1] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return names
            request["ContinuationToken"] = page["NextContinuationToken"]


def _service_errors() -> tuple[type[BaseException], ...]:
    """What a filesystem raises when storage or the service behind it fails.

    Anything else (a TypeError, say) is a bug, and propagates as itself.
    """
    import asyncio
    import concurrent.futures

    errors: list[type[BaseException]] = [
        OSError,  # TimeoutError and ConnectionError among them; s3fs translates S3 errors
        asyncio.TimeoutError,
        concurrent.futures.TimeoutError,
    ]
    try:
        import botocore.exceptions
    except ImportError:
        pass
    else:
        errors += [botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError]
    try:
        import aiohttp
    except ImportError:
        pass
    else:
        errors.append(aiohttp.ClientError)
    return tuple(errors)


def open_backend(url: str, *, s3_endpoint_url: str | None = None) -> Backend:
    """A backend for a store URL: a plain path or file:// is a local directory.

    s3_endpoint_url points s3:// stores at an S3-compatible server (MinIO, Ceph, moto).
    """
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise StoreError(
                f"store {url!r}: a file URL names an absolute path, like file:///var/lib/hitl"
            )
        return LocalBackend(parts.path)
    if scheme in ("s3", "s3a"):
        backend = FsspecBackend(url, **s3_options(s3_endpoint_url))
        # s3fs retries timeouts five times on top of botocore's retries.
        backend.fs.retries = S3FS_ATTEMPTS
        return backend
    if len(scheme) > 1:
        return FsspecBackend(url)
    return LocalBackend(url)


def store_fingerprint(url: str) -> str:
    """A short name for a store URL, which /health shows to tell stores apart."""
    return hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:12]


def new_secret() -> str:
    return secrets.token_hex(32)
