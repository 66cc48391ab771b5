"""Draw the default social image (static/img/social.png, 1200x630) and the touch icon.

Run after changing the palette or the site name: `.venv/bin/python scripts/make_images.py`.
Pillow only; the text uses Pillow's bundled font so the result is the same on every machine.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

STATIC = Path(__file__).resolve().parent.parent / "static" / "img"
INK = "#1b2330"
ACCENT = "#1f5a85"
ACCENT_DARK = "#163f5e"
PAPER = "#f7f7f4"
SUN = "#f2b134"


def calendar_mark(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    """The favicon's calendar sheet, drawn at any size."""
    r = size // 8
    draw.rounded_rectangle((x, y, x + size, y + size), radius=r, fill=ACCENT)
    pad, top = size * 6 // 32, size * 9 // 32
    draw.rounded_rectangle(
        (x + pad, y + top, x + size - pad, y + size - size * 7 // 32),
        radius=size // 16,
        fill="white",
    )
    draw.rectangle((x + pad, y + top, x + size - pad, y + top + size // 8), fill=SUN)
    cx, cy, cr = x + size * 12 // 32, y + size * 19 // 32, size // 16
    draw.ellipse((cx - cr, cy - cr, cx + cr, cy + cr), fill=ACCENT)


def social_image() -> Image.Image:
    image = Image.new("RGB", (1200, 630), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 24), fill=ACCENT)
    draw.rectangle((0, 606, 1200, 630), fill=ACCENT_DARK)
    calendar_mark(draw, 90, 150, 200)
    title = ImageFont.load_default(size=96)
    sub = ImageFont.load_default(size=40)
    draw.text((350, 170), "Webinars", font=title, fill=INK)
    draw.text((354, 300), "Talks and discussions in series.", font=sub, fill=INK)
    draw.text((354, 360), "Calendar, registration, calendar files.", font=sub, fill="#4a5565")
    # Date-block motif as on the calendar page.
    for i, (day, month) in enumerate([("28", "SEP"), ("1", "OCT"), ("2", "OCT")]):
        x = 354 + i * 150
        draw.rounded_rectangle((x, 440, x + 120, 560), radius=16, fill=ACCENT)
        draw.text(
            (x + 60, 490), day, font=ImageFont.load_default(size=52), fill="white", anchor="mm"
        )
        draw.text(
            (x + 60, 535), month, font=ImageFont.load_default(size=24), fill="white", anchor="mm"
        )
    return image


def touch_icon() -> Image.Image:
    image = Image.new("RGB", (180, 180), ACCENT)
    calendar_mark(ImageDraw.Draw(image), 0, 0, 180)
    return image


def main() -> None:
    STATIC.mkdir(parents=True, exist_ok=True)
    social_image().save(STATIC / "social.png", optimize=True)
    touch_icon().save(STATIC / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
