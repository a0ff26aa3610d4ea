"""Draws the SayPro Desk app icon and writes resources/icons/saypro.png (256 px), saypro-<N>.png and saypro.ico.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py

Qt paints each size on its own (small sizes get thicker strokes instead of a blurred downscale). The .ico is
written here byte by byte: 16-64 px as 32-bit BMP entries (what every Windows shell and resource tool reads),
128 and 256 px as PNG entries (the Vista+ convention). No Pillow needed. The output is committed; run this
again only when the design changes.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPainterPath, QPen

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_ENTRY_MIN = 128  # entries at least this big are stored as PNG inside the .ico
BLUE_TOP, BLUE_BOTTOM, CHECK = QColor("#2f7fd8"), QColor("#17498f"), QColor("#1c5db0")


def draw(size: int) -> QImage:
    """A blue rounded square with a white speech bubble holding a check mark: a help desk that resolves."""
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    margin = 0.0 if size <= 24 else s * 0.03
    tile = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    gradient.setColorAt(0.0, BLUE_TOP)
    gradient.setColorAt(1.0, BLUE_BOTTOM)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(gradient))
    p.drawRoundedRect(tile, s * 0.2, s * 0.2)

    # The bubble: a rounded body and a tail to the lower left.
    body = QRectF(s * 0.16, s * 0.17, s * 0.68, s * 0.52)
    bubble = QPainterPath()
    bubble.addRoundedRect(body, s * 0.14, s * 0.14)
    tail = QPainterPath()
    tail.moveTo(s * 0.28, body.bottom() - s * 0.04)
    tail.lineTo(s * 0.22, s * 0.86)
    tail.lineTo(s * 0.48, body.bottom() - s * 0.04)
    tail.closeSubpath()
    p.setBrush(QColor("white"))
    p.drawPath(bubble.united(tail))

    # The check mark, thicker at small sizes so it survives 16 px.
    pen = QPen(CHECK, max(1.6, s * (0.1 if size <= 32 else 0.085)))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    check = QPainterPath(QPointF(s * 0.33, s * 0.44))
    check.lineTo(QPointF(s * 0.45, s * 0.56))
    check.lineTo(QPointF(s * 0.67, s * 0.32))
    p.drawPath(check)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def bmp_entry(img: QImage) -> bytes:
    """An ICO image as a DIB: BITMAPINFOHEADER (height doubled for the mask), BGRA rows bottom-up, AND mask."""
    size = img.width()
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = []
    mask_rows = []
    mask_stride = ((size + 31) // 32) * 4
    for y in range(size - 1, -1, -1):
        row = bytearray()
        mask = bytearray(mask_stride)
        for x in range(size):
            argb = img.pixel(x, y)
            a, r, g, b = (argb >> 24) & 0xFF, (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF
            row += bytes((b, g, r, a))
            if a == 0:
                mask[x // 8] |= 0x80 >> (x % 8)
        rows.append(bytes(row))
        mask_rows.append(bytes(mask))
    return header + b"".join(rows) + b"".join(mask_rows)


def ico_bytes(images: dict[int, QImage]) -> bytes:
    entries = [(size, png_bytes(img) if size >= PNG_ENTRY_MIN else bmp_entry(img)) for size, img in images.items()]
    out = bytearray(struct.pack("<HHH", 0, 1, len(entries)))
    offset = 6 + 16 * len(entries)
    for size, data in entries:
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    for _, data in entries:
        out += data
    return bytes(out)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    del app
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size) for size in SIZES}
    (OUT / "saypro.png").write_bytes(png_bytes(images[256]))
    for size in (16, 32, 48, 64, 128):
        (OUT / f"saypro-{size}.png").write_bytes(png_bytes(images[size]))
    (OUT / "saypro.ico").write_bytes(ico_bytes(images))
    print(f"wrote {OUT / 'saypro.png'}, {OUT / 'saypro.ico'} ({len(SIZES)} sizes) and PNGs of 16-128 px")
    return 0


if __name__ == "__main__":
    sys.exit(main())
