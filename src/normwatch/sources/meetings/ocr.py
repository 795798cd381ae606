"""Reading a scanned PDF (no text layer) by OCR, with the tools Debian installs.

Pages are rendered to images by ``pdftoppm`` (Debian's ``poppler-utils``) or, where it is not
installed, taken from the images embedded in the PDF through pypdf (which needs Pillow); each
image is read by the ``tesseract`` binary (``tesseract-ocr``, with the English, French and
Spanish data where installed: ``tesseract-ocr-eng``, ``-fra``, ``-spa``). Nothing is
downloaded. When a tool is missing, :class:`OcrUnavailable` says which, so the file can be
flagged "needs text" with that reason. The whole reading of one PDF, every call of the tools,
is bounded by ``NORMWATCH_MAX_OCR_SECONDS`` (:mod:`normwatch.inputs`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from normwatch import inputs
from normwatch.errors import SourceError

#: the languages tried, in tesseract's names, when their data is installed
LANGUAGES = ("eng", "fra", "spa")
#: resolution at which pdftoppm renders a page (tesseract reads best at about 300 dpi)
DPI = 300


class OcrUnavailable(SourceError):
    """A tool that OCR needs is not installed; the message names it."""


@dataclass(frozen=True)
class OcrResult:
    text: str
    #: how the text was read, for the statement's note ("tesseract 5.3.0, eng+fra+spa, …")
    method: str


def ocr_pdf(path: Path, *, max_pages: int) -> OcrResult:
    """The text of the first ``max_pages`` pages of a scanned PDF, read by tesseract."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable("tesseract is not installed (Debian: apt-get install tesseract-ocr)")
    deadline = inputs.Deadline(f"{path}: OCR", inputs.OCR_SECONDS)
    languages = _installed_languages(binary, deadline)
    with tempfile.TemporaryDirectory(prefix="normwatch-ocr-") as tmp:
        images, renderer = _page_images(path, Path(tmp), max_pages, deadline)
        pages = [_read_image(binary, image, languages, deadline) for image in images]
    version = _version(binary, deadline)
    return OcrResult(
        "\n\n".join(pages),
        f"{version}, {'+'.join(languages)}, {len(images)} page image(s) from {renderer}",
    )


def _run(args: list[str], deadline: inputs.Deadline) -> subprocess.CompletedProcess[bytes]:
    """``args`` run to their end, or stopped (and a SourceError) when the time is up."""
    deadline.check()
    try:
        return subprocess.run(args, capture_output=True, timeout=deadline.left(), check=False)
    except subprocess.TimeoutExpired:
        raise deadline.exceeded() from None


def _installed_languages(binary: str, deadline: inputs.Deadline) -> list[str]:
    listed = _run([binary, "--list-langs"], deadline).stdout.decode("utf-8", "replace").split()
    found = [lang for lang in LANGUAGES if lang in listed]
    if not found:
        raise OcrUnavailable(
            "tesseract has none of the eng, fra, spa data (apt-get install tesseract-ocr-eng)"
        )
    return found


def _version(binary: str, deadline: inputs.Deadline) -> str:
    out = _run([binary, "--version"], deadline)
    first = (out.stdout or out.stderr).decode("utf-8", "replace").strip().split("\n")[0]
    return first.strip() or "tesseract"


def _page_images(
    path: Path, tmp: Path, max_pages: int, deadline: inputs.Deadline
) -> tuple[list[Path], str]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is not None:
        done = _run(
            [pdftoppm, "-r", str(DPI), "-gray", "-l", str(max_pages), str(path), str(tmp / "p")],
            deadline,
        )
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise SourceError(f"pdftoppm could not render the pages: {message}")
        return sorted(tmp.glob("p-*.pgm"), key=_page_number), "pdftoppm"
    with inputs.within(deadline):
        return _embedded_images(path, tmp, max_pages, deadline), "the embedded images"


def _page_number(image: Path) -> int:
    found = re.search(r"(\d+)$", image.stem)
    return int(found.group(1)) if found else 0


def _embedded_images(
    path: Path, tmp: Path, max_pages: int, deadline: inputs.Deadline
) -> list[Path]:
    """Each page's embedded images as PNG files (a scan is one image per page)."""
    try:
        import PIL  # noqa: F401  (pypdf decodes images through Pillow)
    except ImportError:
        raise OcrUnavailable(
            "cannot render the pages: install poppler-utils (pdftoppm) or Pillow"
        ) from None
    from pypdf import PdfReader

    out: list[Path] = []
    try:
        for number, page in enumerate(PdfReader(str(path)).pages[:max_pages], start=1):
            for index, image in enumerate(page.images):
                deadline.tick()
                if image.image is None:
                    continue
                target = tmp / f"p-{number:04d}-{index:02d}.png"
                image.image.save(target, format="PNG")
                out.append(target)
    except Exception as exc:  # pypdf and Pillow raise many kinds of error for odd images
        raise SourceError(f"cannot take the page images out of the PDF: {exc}") from None
    return out


def _read_image(binary: str, image: Path, languages: list[str], deadline: inputs.Deadline) -> str:
    done = _run([binary, str(image), "stdout", "-l", "+".join(languages)], deadline)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().split("\n")[-1]
        raise SourceError(f"tesseract could not read a page: {message}")
    # tesseract ends each page with a form feed
    return done.stdout.decode("utf-8", "replace").replace("\f", "")
