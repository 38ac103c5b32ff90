"""Reference solutions for notebook 00 (start here)."""


def pixel_count(height: int, width: int, channels: int) -> int:
    """How many numbers describe an image: one per pixel per channel."""
    return height * width * channels
