"""The enrolment QR code, drawn on the server as SVG (segno: pure Python, no image library).

It is sent as a `data:` URI in an <img> (the page's CSP allows `img-src data:` for it), so no
script draws it and nothing about the secret reaches another server. The secret is also shown as
text beside it, for people who type it into their app or cannot use a camera.
"""

import segno


def data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data URI, dark on light, with the quiet zone scanners need."""
    code = segno.make(text, error="m", micro=False)
    uri: str = code.svg_data_uri(scale=5, border=4, dark="#0b0c0c", light="#ffffff")
    return uri
