"""podium.core.display: the admin's score and hash formats, escaped HTML.

Pinned: a missing score shows a dash; a precision rounds (0 decimals included), none shows the
float in full; badge and hash markup escape what they show, so a name or digest cannot inject
HTML; a hash shows its first 12 digits with the whole digest on hover.
"""

from __future__ import annotations

import pytest
from django.utils.safestring import SafeString

from podium.core import display


@pytest.mark.parametrize(
    ("value", "precision", "text"),
    [
        (None, None, "—"),
        (None, 3, "—"),
        (0.98765, 2, "0.99"),
        (0.98765, 0, "1"),
        (2.0, 3, "2.000"),
        (-0.5, 1, "-0.5"),
        (0.1 + 0.2, None, "0.30000000000000004"),
        (0.0, None, "0.0"),
    ],
)
def test_score_text(value, precision, text):
    assert display.score_text(value, precision) == text


def test_a_badge_escapes_its_label_and_colour():
    html = display.badge("<script>x</script>", '#fff";onclick="evil')
    assert isinstance(html, SafeString)
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'onclick="evil' not in html and "&quot;" in html
    assert html.startswith('<span style="background:#fff&quot;')


def test_a_badge_shows_its_label_on_its_colour():
    html = display.badge("scored", "#28a745")
    assert html.startswith('<span style="background:#28a745;color:#fff;')
    assert html.endswith(">scored</span>")


def test_a_short_hash_shows_12_digits_and_the_whole_on_hover():
    digest = "0123456789abcdef" * 4
    html = display.short_hash(digest)
    assert isinstance(html, SafeString)
    assert html == f'<span title="{digest}"><code>0123456789ab…</code></span>'


def test_no_hash_is_a_dash():
    assert display.short_hash("") == display.EMPTY == "—"


def test_a_short_hash_escapes_what_it_shows():
    html = display.short_hash('"><img src=x>')
    assert "<img" not in html and "&quot;&gt;&lt;img" in html
