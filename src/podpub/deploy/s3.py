"""S3-compatible storage as a destination: AWS S3, Cloudflare R2, Backblaze B2, MinIO.

The only module that imports boto3; its errors become one located line each, with the
fix. Credentials come the standard AWS ways (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ``deploy.profile``, ~/.aws/credentials, an
instance role); the endpoint from ``deploy.endpoint_url`` or AWS_ENDPOINT_URL.

Every object is put with its Content-Type, its Cache-Control and its SHA-256 as
metadata (``x-amz-meta-sha256``): the next deploy can tell an unchanged object from
its listing alone, whatever the ETag of the storage service means.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import botocore.exceptions as boto_errors
from botocore.config import Config

from podpub.deploy.files import LocalFile, Setting
from podpub.deploy.manifest import MANIFEST_NAME, MAX_MANIFEST_BYTES, Remote
from podpub.errors import PodpubError

# Network input is hostile and a deploy is unattended in CI: bounded waits, a few retries.
_CONFIG = Config(
    connect_timeout=10,
    read_timeout=60,
    retries={"max_attempts": 3, "mode": "standard"},
    user_agent_extra="podpub",
)
SINGLE_PUT_LIMIT = 5 * 1024**3  # S3's limit for one PUT
_CREDENTIALS_HINT = (
    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (deploy.profile) "
    "naming a profile of ~/.aws/credentials"
)


@dataclass(frozen=True)
class S3Settings:
    endpoint_url: str | None = None  # None: AWS_ENDPOINT_URL, else AWS S3
    region: str | None = None
    profile: str | None = None


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ("bucket", "some/prefix/"); the prefix may be empty."""
    bucket, _, prefix = url[len("s3://") :].partition("/")
    prefix = prefix.strip("/")
    return bucket, prefix + "/" if prefix else ""


class S3Target:
    def __init__(self, url: str, settings: S3Settings, setting: Setting) -> None:
        self.bucket, self.prefix = split_url(url)
        self.name = f"s3://{self.bucket}/{self.prefix}"
        self.setting = setting
        self.endpoint = settings.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        with self._errors():
            session = boto3.session.Session(profile_name=settings.profile or None)
            try:
                self.client = session.client(
                    "s3", endpoint_url=self.endpoint, region_name=settings.region, config=_CONFIG
                )
            except ValueError as exc:  # an AWS_ENDPOINT_URL or region botocore cannot use
                raise self._error(
                    f"{exc}", "check AWS_ENDPOINT_URL and AWS_REGION, or deploy.endpoint_url"
                ) from None

    def open(self, dry_run: bool) -> None:
        """Fail early, before the first upload, when the bucket cannot be reached."""
        with self._errors():
            self.client.head_bucket(Bucket=self.bucket)

    def read_manifest(self) -> bytes | None:
        with self._errors():
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST_NAME)
            except boto_errors.ClientError as exc:
                if _code(exc) in ("NoSuchKey", "404", "NotFound"):
                    return None
                raise
            with contextlib.closing(answer["Body"]) as body:
                if answer.get("ContentLength", 0) > MAX_MANIFEST_BYTES:
                    return None  # not podpub's: compared file by file instead
                data: bytes = body.read(MAX_MANIFEST_BYTES + 1)
            return data if len(data) <= MAX_MANIFEST_BYTES else None

    def listing(self, rels: set[str]) -> dict[str, Remote]:
        """Every object under the prefix (one request per thousand) among ``rels``."""
        found: dict[str, Remote] = {}
        with self._errors():
            pages = self.client.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", ()):
                    rel = item["Key"][len(self.prefix) :]
                    if rel in rels:
                        found[rel] = Remote(int(item["Size"]), str(item.get("ETag", "")))
        return found

    def sha256(self, rel: str) -> str | None:
        with self._errors():
            try:
                answer = self.client.head_object(Bucket=self.bucket, Key=self.prefix + rel)
            except boto_errors.ClientError as exc:
                if _code(exc) in ("NoSuchKey", "404", "NotFound"):
                    return None
                raise
        sha: str | None = answer.get("Metadata", {}).get("sha256")
        return sha

    def put(self, file: LocalFile) -> None:
        if file.size > SINGLE_PUT_LIMIT:
            raise self._error(
                f"{file.rel} is {file.size / 1024**3:.1f} GiB; podpub uploads files up to 5 GiB",
                "compress the audio (a podcast episode is rarely over 200 MB)",
            )
        with self._errors(), file.path.open("rb") as body:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + file.rel,
                Body=body,
                ContentLength=file.size,
                ContentType=file.content_type,
                CacheControl=file.cache_control,
                Metadata={"sha256": file.sha256},
            )

    def delete(self, rel: str) -> None:
        with self._errors():
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + rel)

    def write_manifest(self, data: bytes) -> None:
        with self._errors():
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + MANIFEST_NAME,
                Body=data,
                ContentType="application/json",
                CacheControl="no-cache",
            )

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """boto3's exceptions as one line each: what went wrong and how to fix it."""
        try:
            yield
        except (boto_errors.NoCredentialsError, boto_errors.PartialCredentialsError):
            raise self._error("no credentials for S3", _CREDENTIALS_HINT) from None
        except boto_errors.ProfileNotFound as exc:
            raise self._error(
                f"{exc}", "add the profile to ~/.aws/credentials or fix deploy.profile"
            ) from None
        except (
            boto_errors.EndpointConnectionError,
            boto_errors.ConnectTimeoutError,
            boto_errors.ReadTimeoutError,
            boto_errors.ConnectionClosedError,
        ) as exc:
            where = self.endpoint or "AWS S3"
            raise self._error(
                f"cannot reach {where}: {exc}",
                "check the network, and deploy.endpoint_url or AWS_ENDPOINT_URL",
            ) from None
        except boto_errors.ClientError as exc:
            raise self._client_error(exc) from None
        except boto_errors.BotoCoreError as exc:
            raise self._error(f"S3: {exc}") from None

    def _client_error(self, exc: boto_errors.ClientError) -> PodpubError:
        code = _code(exc)
        if code in ("NoSuchBucket", "404", "NotFound"):
            where = f" at {self.endpoint}" if self.endpoint else ""
            return self._error(
                f"the bucket {self.bucket!r} does not exist{where}",
                "create it, or fix the bucket name or the endpoint",
            )
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"):
            return self._error(f"the credentials were refused ({code})", _CREDENTIALS_HINT)
        if code in ("AccessDenied", "403", "Forbidden"):
            return self._error(
                f"access denied to {self.name}",
                "the credentials need s3:ListBucket, s3:GetObject, s3:PutObject and "
                "s3:DeleteObject on the bucket",
            )
        message = exc.response.get("Error", {}).get("Message") or str(exc)
        return self._error(f"S3 answered {code}: {message}")

    def _error(self, message: str, hint: str = "") -> PodpubError:
        return self.setting.error(message, hint)


def _code(exc: boto_errors.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
