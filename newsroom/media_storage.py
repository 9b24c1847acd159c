"""Where uploaded media (lead images and their renditions) is stored: the local folder
(MEDIA_ROOT) or, for several app servers, S3-compatible object storage through
django-storages (docs/operations.md, "Media on object storage (S3)").

The S3 credentials are never settings: boto3 reads AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (or an instance role) from its environment.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from newsroom.env import env_str

KINDS = ("local", "s3")
# Canned ACLs an object may be given; unset, an object gets none and the bucket decides.
ACLS = ("private", "public-read")


def media_storage() -> dict:
    """The `STORAGES["default"]` entry the environment asks for."""
    kind = env_str("MEDIA_STORAGE", default="local").strip().lower() or "local"
    if kind not in KINDS:
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {kind!r}.")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return s3_storage(
        bucket=env_str("AWS_STORAGE_BUCKET_NAME"),
        endpoint_url=env_str("AWS_S3_ENDPOINT_URL"),
        region=env_str("AWS_S3_REGION_NAME"),
        custom_domain=env_str("AWS_S3_CUSTOM_DOMAIN"),
        acl=env_str("AWS_DEFAULT_ACL"),
    )


def s3_storage(
    *, bucket: str, endpoint_url: str = "", region: str = "", custom_domain: str = "", acl: str = ""
) -> dict:
    bucket, acl = bucket.strip(), acl.strip()
    if not bucket:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME: the bucket the media is stored in."
        )
    if acl and acl not in ACLS:
        raise ImproperlyConfigured(
            f"AWS_DEFAULT_ACL must be empty (the bucket decides), private or public-read, "
            f"not {acl!r}."
        )
    custom_domain = custom_domain.strip()
    if "/" in custom_domain:
        raise ImproperlyConfigured(
            f"AWS_S3_CUSTOM_DOMAIN must be a host name such as media.example.org (served over "
            f"https), without scheme or path, not {custom_domain!r}."
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url.strip() or None,
            "region_name": region.strip() or None,
            "custom_domain": custom_domain or None,
            # An upload never replaces a stored file: a second "karte.jpg" gets a new name.
            "file_overwrite": False,
            "default_acl": acl or None,
            # Pages, feeds and the bake are cached and kept: their image URLs must not
            # expire, so they are plain URLs, not signed ones.
            "querystring_auth": False,
        },
    }
