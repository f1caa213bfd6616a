"""The one image of a Stocktaking entry: a PNG or JPEG, decoded with Pillow under a pixel limit,
shrunk to fit MAX_SIDE and encoded again, so that what is stored and served holds no metadata
(location, camera, comments) and no bytes the portal did not write itself."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from portal import storage
from portal.errors import UserError

FORMATS = {"PNG": "png", "JPEG": "jpeg"}
MIMETYPES = {"png": "image/png", "jpeg": "image/jpeg"}


@dataclass(frozen=True)
class StoredImage:
    key: str
    sha256: str
    kind: str  # png, jpeg
    width: int
    height: int


def _refuse(message) -> UserError:
    return UserError(message, "image")


def receive_image(stream) -> StoredImage:
    """Decode, check and re-encode an uploaded image; the new bytes are stored. UserError (field
    "image") for anything that is not a PNG or JPEG within the limits; nothing is stored then."""
    cfg = current_app.config
    max_bytes, max_pixels, side = cfg["STOCKTAKING_IMAGE_MAX_BYTES"], cfg["STOCKTAKING_IMAGE_MAX_PIXELS"], \
        cfg["STOCKTAKING_IMAGE_MAX_SIDE"]
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(_l("The image is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as img:
                kind = FORMATS[img.format]
                if img.width * img.height > max_pixels:
                    raise _refuse(_l("The image has too many pixels (at most %(n)d million).",
                                     n=max_pixels // 1_000_000))
                img.load()
                picture = ImageOps.exif_transpose(img)
    except UserError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_l("The image has too many pixels (at most %(n)d million).",
                         n=max_pixels // 1_000_000)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError, EOFError):
        raise _refuse(_l("This file is not a PNG or JPEG image, or it is damaged.")) from None
    picture.thumbnail((side, side))
    picture.info = {}  # comments, EXIF, XMP, ICC, text chunks: nothing is carried over
    out = io.BytesIO()
    if kind == "jpeg":
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        mode = picture.mode if picture.mode in ("RGB", "RGBA", "L", "LA", "P") else "RGBA"
        picture.convert(mode).save(out, "PNG", optimize=True)
    stored = storage.save_bytes(out.getvalue())
    return StoredImage(stored.key, stored.sha256, kind, picture.width, picture.height)
